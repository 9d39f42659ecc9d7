"""One repository per entity: CRUD, filtering, searching, sorting, paging and counting."""

from __future__ import annotations

import builtins
import functools
import operator
import re
import sys
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import SQLModel

from desktop import db
from desktop.errors import (
    ConflictError,
    DuplicateError,
    InUseError,
    NotFoundError,
    RelatedRowError,
    StorageError,
)
from desktop.store.entities import ENTITIES, Entity
from desktop.store.events import Change

if TYPE_CHECKING:
    from desktop.store.store import Store

R = TypeVar("R", bound=SQLModel)

MAX_LIST_LIMIT = 100  # the seed's list_tasks bound
MAX_PAGE_LIMIT = 2_000  # windows the GUI loads at once
_set_slot = object.__setattr__  # as pydantic sets its slots, past the model's own __setattr__


@dataclass(frozen=True, slots=True)
class Record(Generic[R]):
    """A row as the views show it: the Read object plus the names of the rows it references."""

    read: R
    refs: Mapping[str, str | None] = field(default_factory=dict)


@dataclass
class Deletion:
    """What a delete removed and changed, enough to put it all back (undo)."""

    entity: str
    rows: list[SQLModel]
    # (entity, row id, field, value before the delete) for rows whose references were moved or cleared
    moved: list[tuple[str, int, str, int | None]] = field(default_factory=list)

    def moved_ids(self) -> dict[str, tuple[int, ...]]:
        """The ids of the moved rows by entity, in the order they were moved."""
        grouped: dict[str, list[int]] = {}
        for entity, row_id, _field, _value in self.moved:
            grouped.setdefault(entity, []).append(row_id)
        return {entity: tuple(ids) for entity, ids in grouped.items()}


def _every_character() -> str:
    """U+0000 to U+10FFFF in order, surrogates included, put together in C (map(chr): 10 times longer)."""
    count = sys.maxunicode + 1  # 17 planes of 65,536
    utf32 = bytearray(4 * count)  # little-endian: low byte, middle byte, plane, 0
    utf32[0::4] = bytes(range(256)) * (count // 256)
    utf32[1::4] = b"".join(bytes([byte]) * 256 for byte in range(256)) * (count // 65_536)
    utf32[2::4] = b"".join(bytes([plane]) * 65_536 for plane in range(count // 65_536))
    return utf32.decode("utf-32-le", "surrogatepass")


@functools.cache
def lowers_to_ascii() -> str:
    """Every non-ASCII character c whose c.lower() holds an ASCII character, from all code points.

    These ("İ", the Kelvin sign "K") are what SQLite's own LIKE misses. Computed on the first ASCII
    search (tens of milliseconds), not at import: start-up does not wait for it.

    str.lower() runs on blocks of 4,096 characters (in C, milliseconds for all of them); only a
    block whose lower case holds ASCII is looked at character by character. Lower-casing a block
    lower-cases each character on its own: the one rule with context, Greek final sigma, only
    chooses between two non-ASCII letters.
    """
    everything = _every_character()
    ascii_character = re.compile(r"[\x00-\x7f]")
    found: builtins.list[str] = []
    for start in range(0, len(everything), 4096):
        block = everything[start : start + 4096]
        if ascii_character.search(block.lower()):
            found.extend(c for c in block if not c.isascii() and any(ch.isascii() for ch in c.lower()))
    return "".join(found)


def trusted_constructor(read: type[SQLModel]) -> Callable[[dict[str, Any]], SQLModel]:
    """Make Read objects from complete, already validated values: model_construct() without its work.

    model_construct() looks up aliases and defaults field by field, which was most of the time a
    page of 200 rows took. For a schema without aliases, extras or post-init hooks, given every
    field, it comes down to setting the four slots pydantic reads; other schemas keep model_construct().
    """
    fields = read.model_fields.values()
    plain = (
        all(info.alias is None and info.validation_alias is None for info in fields)
        and not read.__pydantic_post_init__
        and not read.__pydantic_root_model__
        and read.model_config.get("extra") != "allow"
    )
    if not plain:
        return lambda values: read.model_construct(**values)

    def construct(values: dict[str, Any]) -> SQLModel:
        made = object.__new__(read)
        _set_slot(made, "__dict__", values)
        _set_slot(made, "__pydantic_fields_set__", set(values))
        _set_slot(made, "__pydantic_extra__", None)
        _set_slot(made, "__pydantic_private__", None)
        return made

    return construct


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matches_nothing(search: str) -> bool:
    """Text no stored value holds: NUL (refused on input) or a lone surrogate (not valid Unicode).

    Such a search finds nothing, without reaching a database driver that would choke on it
    (SQLite's LIKE stops at a NUL and would match everything).
    """
    return "\x00" in search or any("\ud800" <= char <= "\udfff" for char in search)


def reachable_specials(text: str) -> str:
    """The characters of lowers_to_ascii() through whose lower case a search for ASCII text could match.

    A match in lower(value) that SQLite's LIKE misses in value takes in an ASCII character that one
    of them lowers to, where the text holds that character, and not cut off by the non-ASCII rest
    of its lower case: "İ" lowers to "i" and a combining dot, so only a search ending in "i" can
    match through it; the Kelvin sign lowers to "k", so any search holding a "k" can.
    """
    needle = text.lower()
    reachable = []
    for special in lowers_to_ascii():
        lowered = special.lower()
        for j, char in enumerate(lowered):
            if not char.isascii():
                continue
            starts_here = j > 0 and not lowered[j - 1].isascii()
            ends_here = j < len(lowered) - 1 and not lowered[j + 1].isascii()
            if any(
                letter == char.lower()
                and (m == 0 or not starts_here)
                and (m == len(needle) - 1 or not ends_here)
                for m, letter in enumerate(needle)
            ):
                reachable.append(special)
                break
    return "".join(reachable)


def sqlite_ascii_ilike(column: sa.ColumnElement[Any], pattern: str, specials: str) -> sa.ColumnElement[bool]:
    """column ILIKE pattern for an ASCII pattern on SQLite: the rows lower(column) LIKE lower(pattern) finds.

    ILIKE is lower(column) LIKE lower(pattern) there, with desktop.db's Unicode lower() in Python:
    a call per row and column that holds the GIL. SQLite's own LIKE folds ASCII case in C and finds
    the same rows for an ASCII pattern, except those holding one of the specials (the pattern's
    reachable_specials): only such rows, spotted by instr() in C, go through lower().
    SQLite's LIKE would no longer fold case after PRAGMA case_sensitive_like = ON: never set here.
    """
    found = column.like(pattern, escape="\\")
    if not specials:
        return found
    holds_special = sa.or_(*(sa.func.instr(column, special) > 0 for special in specials))
    return sa.or_(found, sa.and_(holds_special, sa.func.lower(column).like(pattern.lower(), escape="\\")))


def friendly_storage_error(error: sa.exc.DBAPIError) -> str:
    text = str(error.orig).lower()
    if "full" in text or "no space" in text:
        return "The disk is full: the change was not saved. Free some space and try again."
    if "i/o error" in text:
        return "The disk could not be read or written (input/output error): the change was not saved."
    if "locked" in text or "busy" in text or "lock wait" in text:
        return "The database is busy in another program: the change was not saved. Try again in a moment."
    if "readonly" in text or "read-only" in text or "read only" in text:
        return "The database is read-only: changes cannot be saved."
    if "closed" in text or "connect" in text or "lost" in text or "gone away" in text:
        return "The connection to the database was lost. Check that it is reachable and try again."
    return f"The database refused the operation: {error.orig}"


class Repository(Generic[R]):
    def __init__(self, store: Store, entity: Entity) -> None:
        self._store = store
        self.entity = entity
        self._table = entity.sa_table
        self._columns = [column.name for column in self._table.c]
        # Where each field of the Read schema is in a row of sa.select(table), in the schema's order.
        self._read_fields = builtins.tuple(entity.read.model_fields)
        self._read_positions = operator.itemgetter(*(self._columns.index(name) for name in self._read_fields))
        self._construct_read = trusted_constructor(entity.read)

    # --- plumbing ------------------------------------------------------------

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Session]:
        """A session whose database errors arrive as TaskforceErrors, rolled back on any failure.

        write=True for a transaction that will write: on SQLite it takes the write lock first.
        """
        engine = self._store.engine
        bind = engine.execution_options(**{db.WRITE_OPTION: True}) if write else engine
        try:
            with (
                self._store.writing() if write else nullcontext(),
                Session(bind, expire_on_commit=False) as session,
                session.begin(),
            ):
                yield session
        except sa.exc.IntegrityError as error:
            raise self._integrity_error(error) from error
        except (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DatabaseError) as error:
            raise StorageError(friendly_storage_error(error)) from error

    def _integrity_error(self, error: sa.exc.IntegrityError) -> Exception:
        text = str(error.orig).lower()
        for name in self.entity.unique_fields:
            if name in text:
                return DuplicateError(f"That {name} is already taken by another {self.entity.label.lower()}.")
        if "foreign" in text:
            return RelatedRowError(f"The {self.entity.label.lower()} refers to a row that does not exist.")
        return StorageError(f"The database refused the change: {error.orig}")

    def _read(self, values: Mapping[Any, Any]) -> R:
        read: R = self.entity.read.model_validate(dict(values))  # type: ignore[assignment]
        return read

    def _construct(self, row: Sequence[Any]) -> R:
        """A Read object from a row of sa.select(table), not validated again: it was when written."""
        read: R = self._construct_read(dict(zip(self._read_fields, self._read_positions(row), strict=True)))  # type: ignore[assignment]
        return read

    def _notify(self, kind: str, ids: Sequence[int]) -> None:
        self._store.notify(Change(self.entity.name, kind, tuple(ids)))

    def _not_found(self, row_id: int) -> NotFoundError:
        return NotFoundError(f"{self.entity.label} not found")

    def _changed_elsewhere(self, row_id: int) -> NotFoundError | ConflictError:
        """After an update found the row changed or deleted by someone else: say which, tell the views."""
        label = self.entity.label.lower()
        try:
            current = self.get(row_id)
        except NotFoundError:
            self._notify("deleted", [row_id])
            return NotFoundError(f"This {label} no longer exists: it was deleted elsewhere.")
        self._notify("updated", [row_id])
        return ConflictError(f"This {label} was changed elsewhere after you opened it.", current)

    def _checked(self, session: Session, values: Mapping[str, Any], row_id: int | None) -> None:
        """Refuse dangling references and taken unique values with messages people understand."""
        for reference in self.entity.references:
            target_id = values.get(reference.field)
            if target_id is None:
                continue
            target = ENTITIES[reference.target]
            if session.get(target.table, target_id) is None:
                raise RelatedRowError(f"There is no {target.label.lower()} with id {target_id}.")
        for name in self.entity.unique_fields:
            if name not in values:
                continue
            column = self._table.c[name]
            stmt = sa.select(self._table.c.id).where(column == values[name])
            if row_id is not None:
                stmt = stmt.where(self._table.c.id != row_id)
            if session.execute(stmt.limit(1)).first() is not None:
                raise DuplicateError(
                    f"{name.capitalize()} {values[name]!r} is already taken by another "
                    f"{self.entity.label.lower()}."
                )

    # --- queries -------------------------------------------------------------

    def _where(self, stmt: sa.Select[Any], search: str | None, filters: Mapping[str, Any]) -> sa.Select[Any]:
        for name, value in filters.items():
            try:
                make_clause = self.entity.filters[name]
            except KeyError:
                known = ", ".join(self.entity.filters) or "none"
                raise ValueError(
                    f"{self.entity.plural} cannot be filtered by {name!r} (filters: {known})"
                ) from None
            if value is not None:
                stmt = stmt.where(make_clause(self._table, value))
        if search and matches_nothing(search):
            stmt = stmt.where(sa.false())
        elif search:
            text = search.strip()
            pattern = f"%{escape_like(text)}%"
            columns = [self._table.c[name] for name in self.entity.search_columns]
            if self._store.backend == "sqlite" and text.isascii():
                specials = reachable_specials(text)
                clauses = [sqlite_ascii_ilike(column, pattern, specials) for column in columns]
            else:
                clauses = [column.ilike(pattern, escape="\\") for column in columns]
            stmt = stmt.where(sa.or_(*clauses))
        return stmt

    def _ordering(
        self,
        order_by: str | None,
        descending: bool,
        names: Mapping[str, sa.ColumnElement[Any]] | None = None,
    ) -> list[sa.UnaryExpression[Any]]:
        """ORDER BY a column, or by the name a reference shows (its label_key) when names are joined."""
        key = order_by or self.entity.default_order
        id_column = self._table.c.id
        direction = sa.desc if descending else sa.asc
        if names and key in names:
            column, nullable = names[key], self._reference_nullable(key)
        else:
            column = self.entity.column(key)
            nullable = bool(self._table.c[key].nullable)
        if column is id_column:
            return [direction(id_column)]
        ordering = [direction(column), direction(id_column)]
        if nullable:
            # Empty values sort after every value on all three databases (PostgreSQL's own rule;
            # SQLite and MariaDB would put them first).
            ordering.insert(0, direction(sa.case((column.is_(None), 1), else_=0)))
        return ordering

    def _reference_nullable(self, label_key: str) -> bool:
        return any(
            bool(self._table.c[reference.field].nullable)
            for reference in self.entity.references
            if reference.label_key == label_key
        )

    def _select_records(self) -> tuple[sa.Select[Any], dict[str, sa.ColumnElement[Any]]]:
        """Rows joined with the names of the rows they reference, and those name columns by label_key."""
        stmt = sa.select(self._table)
        names: dict[str, sa.ColumnElement[Any]] = {}
        for reference in self.entity.references:
            target = ENTITIES[reference.target]
            alias = target.sa_table.alias(reference.label_key)
            names[reference.label_key] = alias.c[target.label_column]
            stmt = stmt.add_columns(alias.c[target.label_column].label(f"ref__{reference.label_key}"))
            stmt = stmt.outerjoin(alias, self._table.c[reference.field] == alias.c.id)
        return stmt, names

    def _fetch_reads(self, stmt: sa.Select[Any]) -> builtins.list[R]:
        with self.transaction() as session:
            return [self._read(row) for row in session.execute(stmt).mappings()]

    # --- public API ----------------------------------------------------------

    def get(self, row_id: int) -> R:
        rows = self._fetch_reads(sa.select(self._table).where(self._table.c.id == row_id))
        if not rows:
            raise self._not_found(row_id)
        return rows[0]

    def list(
        self,
        skip: int = 0,
        limit: int = 10,
        search: str | None = None,
        order_by: str | None = None,
        descending: bool = False,
        **filters: Any,
    ) -> builtins.list[R]:
        if skip < 0:
            raise ValueError("skip must be 0 or more")
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIST_LIMIT}")
        stmt = self._where(sa.select(self._table), search, filters)
        stmt = stmt.order_by(*self._ordering(order_by, descending)).offset(skip).limit(limit)
        return self._fetch_reads(stmt)

    def count(self, search: str | None = None, **filters: Any) -> int:
        stmt = self._where(sa.select(sa.func.count()).select_from(self._table), search, filters)
        with self.transaction() as session:
            return int(session.execute(stmt).scalar_one())

    def page(
        self,
        offset: int,
        limit: int,
        search: str | None = None,
        order_by: str | None = None,
        descending: bool = False,
        total: int | None = None,
        **filters: Any,
    ) -> builtins.list[Record[R]]:
        """A window of rows with their reference names, in one query.

        Given the total, a window in the second half is read backwards from the end,
        so the last rows of a million cost what the first rows cost.
        """
        if offset < 0 or not 1 <= limit <= MAX_PAGE_LIMIT:
            raise ValueError(f"offset must be 0 or more and limit between 1 and {MAX_PAGE_LIMIT}")
        backwards = total is not None and offset > total // 2
        if backwards and total is not None:
            end = min(offset + limit, total)
            limit, offset = end - offset, total - end
            if limit <= 0:
                return []
        stmt, names = self._select_records()
        ordering = self._ordering(order_by, descending != backwards, names)
        # OFFSET walks the ids of an index (sort key, id) in a subquery, and only the window's rows
        # are read and joined: a page in the middle of a million rows costs what the first one does.
        ids = stmt.with_only_columns(self._table.c.id) if order_by in names else sa.select(self._table.c.id)
        window = self._where(ids, search, filters).order_by(*ordering).offset(offset).limit(limit)
        window_ids = window.subquery("window_ids")
        stmt = stmt.join(window_ids, window_ids.c.id == self._table.c.id).order_by(*ordering)
        with self.transaction() as session:
            rows = builtins.list(session.execute(stmt))
        if backwards:
            rows.reverse()
        # The reference names follow the table's columns, in the order of entity.references.
        first = len(self._columns)
        refs = [(reference.label_key, first + n) for n, reference in enumerate(self.entity.references)]
        return [Record(read=self._construct(row), refs={key: row[at] for key, at in refs}) for row in rows]

    def stream(
        self,
        search: str | None = None,
        order_by: str | None = None,
        descending: bool = False,
        batch: int = MAX_PAGE_LIMIT,
        **filters: Any,
    ) -> Generator[builtins.list[Record[R]], None, None]:
        """Every row page() would show for these arguments, in batches, read through one cursor.

        One query in one read transaction: a million rows cost one pass, not a query per page.
        """
        stmt, names = self._select_records()
        stmt = self._where(stmt, search, filters).order_by(*self._ordering(order_by, descending, names))
        first = len(self._columns)
        refs = [(reference.label_key, first + n) for n, reference in enumerate(self.entity.references)]
        with self.transaction() as session:
            result = session.execute(stmt.execution_options(yield_per=batch))
            for rows in result.partitions():
                yield [
                    Record(read=self._construct(row), refs={key: row[at] for key, at in refs}) for row in rows
                ]

    def position(
        self,
        row_id: int,
        search: str | None = None,
        order_by: str | None = None,
        descending: bool = False,
        **filters: Any,
    ) -> int | None:
        """Where the row is (0-based) among the rows page() returns for these arguments; None if absent.

        The rows that sort before it are counted along the sort's index, not numbered one by one:
        a row in the middle of a million is found in tens of milliseconds.
        """
        stmt, names = self._select_records()
        joined = order_by in names
        keys = [clause.element for clause in self._ordering(order_by, descending, names)]
        own = stmt.with_only_columns(*keys) if joined else sa.select(*keys)
        with self.transaction() as session:
            values = session.execute(
                self._where(own, search, filters).where(self._table.c.id == row_id)
            ).first()
            if values is None:
                return None
            # Lexicographic "sorts before": equal on the first keys (empty equals empty), then before.
            # Empty values are placed by the key before them, so nothing sorts before an empty one.
            before = sa.or_(
                *(
                    sa.and_(
                        *(keys[j].is_not_distinct_from(values[j]) for j in range(k)),
                        keys[k] > values[k] if descending else keys[k] < values[k],
                    )
                    for k in range(len(keys))
                    if values[k] is not None
                )
            )
            counted = stmt.with_only_columns(sa.func.count()) if joined else sa.select(sa.func.count())
            counted = self._where(counted.select_from(self._table), search, filters).where(before)
            return int(session.execute(counted).scalar_one())

    def names(self) -> builtins.list[tuple[int, str]]:
        """(id, name) of every row, sorted by name: the choices of a foreign-key combo box."""
        label = self._table.c[self.entity.label_column]
        stmt = sa.select(self._table.c.id, label).order_by(label, self._table.c.id)
        with self.transaction() as session:
            return [(int(row[0]), str(row[1])) for row in session.execute(stmt)]

    def create(self, data: BaseModel | Mapping[str, Any]) -> R:
        """Validate through the Create schema, then insert."""
        checked = self.entity.create.model_validate(
            data.model_dump() if isinstance(data, BaseModel) else dict(data)
        )
        row = self.entity.table.model_validate(checked)
        self._store.ensure_writable()
        with self.transaction(write=True) as session:
            self._checked(session, checked.model_dump(), None)
            session.add(row)
            session.flush()
            created = self._read(row.model_dump())
        self._notify("created", [self.row_id(created)])
        return created

    def update(
        self, row_id: int, patch: BaseModel | Mapping[str, Any], expected_version: int | None = None
    ) -> R:
        """PATCH: only the fields set on the Update schema are written.

        Given expected_version (the version the row had when it was loaded), a row changed since
        raises ConflictError with the row as it is now, and a row deleted since raises NotFoundError.
        A row changed between this method's read and its write is never overwritten either way.
        """
        if isinstance(patch, BaseModel) and not isinstance(patch, self.entity.update):
            patch = patch.model_dump(exclude_unset=True)
        checked = patch if isinstance(patch, BaseModel) else self.entity.update.model_validate(dict(patch))
        values = checked.model_dump(exclude_unset=True)
        self._store.ensure_writable()
        updated: R | None = None
        try:
            with self.transaction(write=True) as session:
                row = session.get(self.entity.table, row_id)
                if row is None and expected_version is None:
                    raise self._not_found(row_id)
                version = getattr(row, "version", None)
                if row is not None and expected_version in (None, version):
                    self._checked(session, values, row_id)
                    row.sqlmodel_update(values)
                    session.add(row)
                    session.flush()  # UPDATE ... WHERE id = ? AND version = ?
                    updated = self._read(row.model_dump())
        except StaleDataError:
            updated = None
        if updated is None:
            raise self._changed_elsewhere(row_id)
        self._notify("updated", [row_id])
        return updated

    def delete(
        self, row_id: int, *, reassign_to: int | None = None, expected_version: int | None = None
    ) -> None:
        """Given expected_version, a row changed since it was loaded raises ConflictError, and stays."""
        versions = None if expected_version is None else {row_id: expected_version}
        self.delete_many([row_id], reassign_to=reassign_to, expected_versions=versions)

    def delete_many(
        self,
        ids: Sequence[int],
        *,
        reassign_to: int | None = None,
        expected_versions: Mapping[int, int] | None = None,
    ) -> Deletion:
        """Delete rows in one transaction; all or nothing."""
        unique_ids = builtins.list(dict.fromkeys(ids))
        self._store.ensure_writable()
        with self.transaction(write=True) as session:
            stmt = sa.select(self._table).where(self._table.c.id.in_(unique_ids))
            if expected_versions:
                stmt = stmt.with_for_update()  # nobody changes them between this check and the delete
            found = builtins.list(session.execute(stmt).mappings())
            if len(found) != len(unique_ids):
                raise self._not_found(next(i for i in unique_ids if i not in {row["id"] for row in found}))
            for row in found:
                if expected_versions and expected_versions.get(row["id"], row["version"]) != row["version"]:
                    raise ConflictError(
                        f"This {self.entity.label.lower()} was changed elsewhere after you opened it.",
                        self._read(row),
                    )
            deletion = Deletion(self.entity.name, [self._read(row) for row in found])
            self._store.detach_children(session, self.entity, unique_ids, reassign_to, deletion)
            session.execute(sa.delete(self._table).where(self._table.c.id.in_(unique_ids)))
        # Only now, after the commit: a listener that re-reads must see the change.
        for entity_name, moved_ids in deletion.moved_ids().items():
            self._store.notify(Change(entity_name, "updated", moved_ids))
        self._notify("deleted", unique_ids)
        return deletion

    def restore_rows(self, session: Session, rows: Sequence[SQLModel]) -> None:
        """Insert rows with their ids again (undo of a delete)."""
        if rows:
            session.execute(sa.insert(self._table), [row.model_dump() for row in rows])

    @staticmethod
    def row_id(read: SQLModel) -> int:
        row_id = getattr(read, "id", None)
        assert isinstance(row_id, int)
        return row_id

    def validation_error(self, data: Mapping[str, Any], *, update: bool) -> ValidationError | None:
        """The schema's complaint about these values, or None when they are valid."""
        schema = self.entity.update if update else self.entity.create
        try:
            schema.model_validate(dict(data))
        except ValidationError as error:
            return error
        return None


def in_use_message(entity: Entity, count: int, child: Entity) -> InUseError:
    return InUseError(
        f"This {entity.label.lower()} owns {child.count_label(count)}. "
        f"Reassign them to another {entity.label.lower()} or delete them first.",
        count,
    )
