"""One repository per entity: CRUD, filtering, searching, sorting, paging and counting."""

from __future__ import annotations

import builtins
import functools
import json
import operator
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import SQLModel

from desktop import db
from desktop.errors import (
    ConflictError,
    DuplicateError,
    FieldProblem,
    InUseError,
    InvalidDataError,
    NotFoundError,
    RelatedRowError,
    invalid_data,
)
from desktop.store.cancel import Cancel
from desktop.store.driver_errors import classify
from desktop.store.entities import ENTITIES, Entity, Reference
from desktop.store.events import Change
from desktop.store.explain import PlanOf
from desktop.store.merge import three_way
from desktop.store.search import folds_to_ascii, matches_nothing, server_folding, sqlite_clause
from desktop.store.search_index import (
    INDEXED_COLUMNS,
    index_serves,
    postgresql_candidates,
    prepare_folding,
    sqlite_candidates,
)

R = TypeVar("R", bound=SQLModel)

MAX_LIST_LIMIT = 100  # the seed's list_tasks bound
MAX_PAGE_LIMIT = 2_000  # windows the GUI loads at once
# Rows of the sort order a search's first windows walk before they are looked for by filtering first.
WALKED_ROWS = 10_000
# MariaDB's warning that a statement was stopped by LIMIT ROWS EXAMINED (its result may be incomplete).
MARIADB_ROWS_EXAMINED_EXCEEDED = 1931
MARIADB_SORT_ABORTED = 1028  # the same, for a statement stopped while sorting: an error
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


@functools.cache
def column_values(python_type: Any) -> TypeAdapter[Any]:
    """Checks and converts a filter value for a column of this type ("7" → 7, "abc" refused)."""
    return TypeAdapter(python_type)


class StoreAccess(Protocol):
    """What a repository needs of its store (desktop.store.store.Store), without importing it."""

    engine: Engine

    @property
    def backend(self) -> str: ...

    def ensure_writable(self) -> None: ...

    def writing(self) -> AbstractContextManager[None]: ...

    def notify(self, change: Change) -> None: ...

    def detach_children(
        self,
        session: Session,
        parent: Entity,
        ids: Sequence[int],
        reassign_to: int | None,
        deletion: Deletion,
    ) -> None: ...


# The ids a database can hold: SQLite's INTEGER is 64-bit, PostgreSQL's and MariaDB's 32-bit.
ID_BITS = {"sqlite": 64}


def storable_id(row_id: object, backend: str) -> bool:
    """Whether an id can name a row at all; any other (2**63, -2**31 - 1 on a server) names none."""
    limit = 2 ** (ID_BITS.get(backend, 32) - 1)
    return isinstance(row_id, int) and not isinstance(row_id, bool) and -limit <= row_id < limit


class Repository(Generic[R]):
    def __init__(self, store: StoreAccess, entity: Entity) -> None:
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
        except sa.exc.DBAPIError as error:
            raise classify(error, self.entity) from error

    def _validated(self, schema: type[SQLModel], values: Mapping[str, Any]) -> SQLModel:
        try:
            return schema.model_validate(dict(values))
        except ValidationError as error:
            raise invalid_data(self.entity.name, error) from None

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
        return NotFoundError(f"{self.entity.label} not found", entity=self.entity.name, row_id=row_id)

    def _storable(self, row_id: object) -> bool:
        return storable_id(row_id, self._store.backend)

    def _changed_elsewhere(self, row_id: int, fields: tuple[str, ...] = ()) -> NotFoundError | ConflictError:
        """After an update found the row changed or deleted by someone else: say which, tell the views."""
        label = self.entity.label.lower()
        try:
            current = self.get(row_id)
        except NotFoundError:
            self._notify("deleted", [row_id])
            return NotFoundError(
                f"This {label} no longer exists: it was deleted elsewhere.",
                entity=self.entity.name,
                row_id=row_id,
            )
        self._notify("updated", [row_id])
        both = ", ".join(self.entity.fields[name].label for name in fields if name in self.entity.fields)
        return ConflictError(
            f"This {label} was changed elsewhere after you opened it"
            + (f": you both changed {both}." if both else "."),
            entity=self.entity.name,
            row_id=row_id,
            current=current,
            fields=fields,
        )

    def _checked(self, session: Session, values: Mapping[str, Any], row_id: int | None) -> None:
        """Refuse dangling references and taken unique values with messages people understand."""
        for reference in self.entity.references:
            target_id = values.get(reference.field)
            if target_id is None:
                continue
            target = ENTITIES[reference.target]
            if not self._storable(target_id) or session.get(target.table, target_id) is None:
                raise RelatedRowError(
                    f"There is no {target.label.lower()} with id {target_id}.",
                    entity=self.entity.name,
                    field=reference.field,
                    target=target.name,
                    value=target_id,
                )
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
                    f"{self.entity.label.lower()}.",
                    entity=self.entity.name,
                    field=name,
                    value=values[name],
                )

    # --- queries -------------------------------------------------------------

    def _where(
        self,
        stmt: sa.Select[Any],
        search: str | None,
        filters: Mapping[str, Any],
        *,
        indexed: bool = True,
        filter_first: bool = False,
    ) -> sa.Select[Any]:
        """WHERE for filters and search text. indexed=False: without the search index's candidates.
        filter_first: the search as id IN (the matching ids), which SQLite reads first and then sorts,
        instead of walking a sort index across the whole table to find a few matches."""
        for name, value in filters.items():
            if name not in self.entity.filters:
                known = ", ".join(self.entity.filters) or "none"
                raise ValueError(f"{self.entity.plural} cannot be filtered by {name!r} (filters: {known})")
            if value is not None:
                stmt = stmt.where(self._filter_clause(name, value))
        if search and matches_nothing(search):
            stmt = stmt.where(sa.false())
        elif search:
            text = search.strip()
            columns = self._search_columns()
            candidates = self._indexed_candidates(columns, text) if indexed else None
            found = self._matching(columns, text)
            found = found if candidates is None else sa.and_(candidates, found)
            if filter_first:
                matching = sa.select(self._table.c.id).where(found).correlate(None)
                found = self._table.c.id.in_(matching.scalar_subquery())
            stmt = stmt.where(found)
        return stmt

    def _matching(self, columns: Sequence[sa.ColumnElement[Any]], text: str) -> sa.ColumnElement[bool]:
        """The search's own comparison: any of these columns holds the text, case folded."""
        if self._store.backend == "sqlite":
            return sa.or_(*(sqlite_clause(column, text) for column in columns))
        folding = server_folding(self._store.engine)
        return sa.or_(*(folding.clause(column, text) for column in columns))

    def _scans(self, search: str) -> bool:
        """Whether no search index serves this search (its text is scanned for)."""
        columns = self._search_columns()
        return self._indexed_candidates(columns, search.strip()) is None

    def _search_columns(self) -> builtins.list[sa.Column[Any]]:
        return [self._table.c[name] for name in self.entity.search_columns]

    def _joined_window(
        self, records: sa.Select[Any], window: sa.Select[Any], ordering: Sequence[sa.ColumnElement[Any]]
    ) -> sa.Select[Any]:
        """The rows (with their reference names) whose ids a window's query selects, in order."""
        window_ids = window.subquery("window_ids")
        return records.join(window_ids, window_ids.c.id == self._table.c.id).order_by(*ordering)

    def _window_rows(
        self,
        session: Session,
        records: sa.Select[Any],
        window: sa.Select[Any],
        ordering: Sequence[sa.ColumnElement[Any]],
    ) -> builtins.list[sa.Row[Any]]:
        return builtins.list(session.execute(self._joined_window(records, window, ordering)))

    def _planned_candidates(self, session: Session, search: str, filters: Mapping[str, Any]) -> float:
        """How many rows PostgreSQL's planner expects its trigram indexes to find for the search
        (EXPLAIN: planned, not run). Its statistics of the indexed columns tell common text from
        rare, as SQLite's count of its index's candidates does."""
        columns = self._search_columns()
        candidates = self._indexed_candidates(columns, search.strip())
        if candidates is None:
            return 0.0
        stmt = self._where(sa.select(self._table.c.id), None, filters).where(candidates)
        plan = session.execute(PlanOf(stmt)).scalar_one()
        return float((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])

    def _examined_walk(
        self,
        session: Session,
        records: sa.Select[Any],
        window: sa.Select[Any],
        ordering: Sequence[sa.ColumnElement[Any]],
    ) -> builtins.list[sa.Row[Any]] | None:
        """A window on MariaDB as its planner reads it, stopped after the rows a walk may read
        (LIMIT ROWS EXAMINED), or None when it was stopped: the window is found by filtering first.

        A derived table of the first rows would be read whole before it is filtered; this walk
        stops as soon as the window is full, as PostgreSQL's walk of a derived table does.
        """
        joined = self._joined_window(records, window, ordering)
        try:
            with session.begin_nested():  # a sort stopped midway fails the statement, not the transaction
                rows = builtins.list(
                    session.execute(joined.suffix_with(f"LIMIT ROWS EXAMINED {WALKED_ROWS}"))
                )
                warnings = builtins.list(session.execute(sa.text("SHOW WARNINGS")))
        except sa.exc.DBAPIError as error:
            if error.orig is None or error.orig.args[:1] != (MARIADB_SORT_ABORTED,):
                raise
            return None  # the planner sorts every match: it reads them all anyway
        stopped = any(int(warning[1]) == MARIADB_ROWS_EXAMINED_EXCEEDED for warning in warnings)
        return None if stopped else rows

    def _server_window_ids(
        self,
        ids: sa.Select[Any],
        search: str,
        filters: Mapping[str, Any],
        ordering: Sequence[sa.UnaryExpression[Any]],
        descending: bool,
        offset: int,
        limit: int,
        *,
        walked: bool,
    ) -> sa.Select[Any]:
        """The ids of a window of a search no index serves, on PostgreSQL or MariaDB, found without
        walking a sort index across the whole table.

        walked (PostgreSQL): among the first rows of the sort order only (a bounded walk, for the
        first windows of common text); else filtering first, then sorting the matches. Either way the rows go
        through a derived table the planner cannot see through (LIMIT, or OFFSET 0): both planners
        take every search of this kind for a common one (PostgreSQL estimates 36 % of the rows
        for any text) and would walk the sort index to find a few matches, whole for text no row holds.
        """
        keys = [clause.element.label(f"key_{n}") for n, clause in enumerate(ordering)]
        searched = self._search_columns()
        if walked:
            head = self._where(ids.add_columns(*searched, *keys), None, filters).order_by(*ordering)
            rows = head.limit(WALKED_ROWS).subquery("head")
            found = self._matching([rows.c[column.name] for column in searched], search.strip())
            chosen = sa.select(rows.c.id).where(found)
        else:
            rows = (
                self._where(ids.add_columns(*keys), search, filters, indexed=False)
                .offset(0)
                .subquery("found")
            )
            chosen = sa.select(rows.c.id)
        direction = sa.desc if descending else sa.asc
        return chosen.order_by(*(direction(rows.c[key.name]) for key in keys)).offset(offset).limit(limit)

    def _walked_window(
        self,
        session: Session,
        records: sa.Select[Any],
        ids: sa.Select[Any],
        search: str,
        filters: Mapping[str, Any],
        ordering: Sequence[sa.ColumnElement[Any]],
        offset: int,
        limit: int,
    ) -> builtins.list[sa.Row[Any]] | None:
        """A first window of a search on SQLite found by walking the first rows of the sort order,
        or None: the window is to be found by filtering first, then sorting.

        Common text is found within the first rows of the sort order: walking them, a bounded
        number, gives the window when enough of them match. Rare text would walk the whole sort
        index for a few matches. The search index's candidates, counted up to the rows a walk
        reads, tell which text is common; text no index serves is walked, then filtered.
        """
        candidates = self._indexed_rows(search.strip())
        if candidates is not None:
            counted = sa.select(sa.func.count()).select_from(candidates.limit(WALKED_ROWS).subquery())
            if int(session.execute(counted).scalar_one()) < WALKED_ROWS:
                return None
        head = self._where(ids, None, filters).order_by(*ordering).limit(WALKED_ROWS).subquery("head")
        walked = self._where(ids.join(head, head.c.id == self._table.c.id), search, {}, indexed=False)
        rows = self._window_rows(
            session, records, walked.order_by(*ordering).offset(offset).limit(limit), ordering
        )
        return rows if len(rows) == limit else None

    def _indexed_rows(self, text: str) -> sa.Select[Any] | None:
        """The rowids SQLite's search index finds for the text (a superset of the matches), or None."""
        if self.entity.search_columns != INDEXED_COLUMNS.get(self._table.name):
            return None
        return sqlite_candidates(self._table.name, text)

    def _indexed_candidates(
        self, columns: Sequence[sa.ColumnElement[Any]], text: str
    ) -> sa.ColumnElement[bool] | None:
        """The rows a trigram index finds for the text, a superset of the matches; None: no index serves."""
        if self.entity.search_columns != INDEXED_COLUMNS.get(self._table.name):
            return None
        if self._store.backend == "sqlite":
            rows = self._indexed_rows(text)
            return None if rows is None else self._table.c.id.in_(rows.scalar_subquery())
        if self._store.backend == "postgresql":
            return postgresql_candidates(self._store.engine, self._table.name, columns, text)
        return None

    def _filter_clause(self, name: str, value: Any) -> sa.ColumnElement[bool]:
        """A filter's clause. A value of the wrong kind (owner_id="abc", min_price=nan) is refused
        alike on every database, and an id no database can hold matches nothing."""
        column = self._table.c.get(name)
        try:
            if column is not None:
                python_type: Any = column.type.python_type
                value = column_values(python_type).validate_python(value)
                if column.foreign_keys and not self._storable(value):
                    return sa.false()
            return self.entity.filters[name](self._table, value)
        except ValidationError as error:
            problems = tuple(FieldProblem(name, str(item["msg"])) for item in error.errors(include_url=False))
        except (ValueError, TypeError) as error:
            problems = (FieldProblem(name, str(error)),)
        message = f"Cannot filter {self.entity.plural} by {name.replace('_', ' ')}: {problems[0].message}."
        raise InvalidDataError(message, entity=self.entity.name, problems=problems)

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
        if not self._storable(row_id):
            raise self._not_found(row_id)
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

    def count(self, search: str | None = None, *, cancel: Cancel | None = None, **filters: Any) -> int:
        """The rows that match; cancel: a handle that can stop the count from another thread (it
        then raises CancelledError)."""
        stmt = self._where(sa.select(sa.func.count()).select_from(self._table), search, filters)
        with self.transaction() as session, cancel.running(session) if cancel is not None else nullcontext():
            return int(session.execute(stmt).scalar_one())

    def search_served(self, search: str) -> bool | None:
        """Whether a search index narrows this search, told at once, without a statement: True
        when it does, False when the search scans, None while that is not known yet (the index's
        folding is worked out by the first search, or by prepare_search())."""
        if self.entity.search_columns != INDEXED_COLUMNS.get(self._table.name) or matches_nothing(search):
            return False
        return index_serves(self._store.engine, self._table.name, search)

    def prepare_search(self) -> None:
        """Work out what the first search would (the folding tables: about 0.1 s), ahead of it."""
        prepare_folding(self._store.engine)
        if self._store.backend == "sqlite":
            folds_to_ascii()

    def estimated_count(self) -> int | None:
        """About how many rows the table holds, from what the database keeps anyway: no count.

        SQLite: the span of the row ids (two steps down the table's B-tree), exact unless rows
        were deleted; sqlite_stat1 exists only after an ANALYZE, which nothing runs. PostgreSQL:
        pg_class.reltuples scaled to the table's pages now, as the planner estimates. MariaDB:
        information_schema's TABLE_ROWS (InnoDB's estimate). None when the database has no
        estimate (a PostgreSQL table never vacuumed or analyzed).
        """
        backend = self._store.backend
        stmt: sa.Executable
        if backend == "sqlite":
            ids = self._table.c.id
            span = (
                sa.select(sa.func.max(ids)).scalar_subquery() - sa.select(sa.func.min(ids)).scalar_subquery()
            )
            stmt = sa.select(sa.func.coalesce(span + 1, 0))
        elif backend == "postgresql":
            quoted = self._store.engine.dialect.identifier_preparer.quote(self._table.name)
            stmt = sa.text(
                "SELECT CASE WHEN reltuples < 0 THEN NULL WHEN relpages = 0 THEN reltuples ELSE "
                "reltuples / relpages * (pg_relation_size(oid) / current_setting('block_size')::int) "
                "END FROM pg_class WHERE oid = to_regclass(:quoted)"
            ).bindparams(quoted=quoted)
        else:
            stmt = sa.text(
                "SELECT TABLE_ROWS FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :name"
            ).bindparams(name=self._table.name)
        with self.transaction() as session:
            estimate = session.execute(stmt).scalar()
        return None if estimate is None else max(0, round(float(estimate)))

    def counts_by(self, field: str, search: str | None = None, **filters: Any) -> dict[Any, int]:
        """How many rows hold each value of field under this search and these filters (one GROUP BY).

        The counts a filter list shows beside its choices: pass the other filters, not the field's own.
        Values no row holds are absent.
        """
        column = self.entity.column(field)
        stmt = self._where(sa.select(column, sa.func.count()).select_from(self._table), search, filters)
        with self.transaction() as session:
            return {value: int(count) for value, count in session.execute(stmt.group_by(column))}

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
        sqlite = self._store.backend == "sqlite"
        searched = search is not None and not matches_nothing(search)
        first_windows = not backwards and offset + limit <= WALKED_ROWS // 4
        window = self._where(ids, search, filters, filter_first=searched and sqlite)
        window = window.order_by(*ordering).offset(offset).limit(limit)
        with self.transaction() as session:
            rows = None
            if search is not None and searched and sqlite and first_windows:
                rows = self._walked_window(session, stmt, ids, search, filters, ordering, offset, limit)
            elif search is not None and searched and not sqlite:
                scan = functools.partial(
                    self._server_window_ids,
                    ids,
                    search,
                    filters,
                    ordering,
                    descending != backwards,
                    offset,
                    limit,
                )
                scans = self._scans(search)
                walk = first_windows and self._store.backend == "postgresql"
                if walk and (scans or self._planned_candidates(session, search, filters) >= WALKED_ROWS):
                    rows = self._window_rows(session, stmt, scan(walked=True), ordering)
                    rows = rows if len(rows) == limit else None
                elif first_windows and scans:
                    rows = self._examined_walk(session, stmt, window, ordering)
                window = scan(walked=False) if scans else window
            if rows is None:
                rows = self._window_rows(session, stmt, window, ordering)
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
            before: sa.ColumnElement[bool]
            if not any(isinstance(key, sa.Case) for key in keys) and None not in values:
                # A row value: the databases walk the sort's index from it (PostgreSQL filtered every
                # entry with the lexicographic OR below: 1.3 s against 0.05 s at ten million tasks).
                row, at = sa.tuple_(*keys), sa.tuple_(*values)
                before = row > at if descending else row < at
            else:
                before = self._sorted_before(keys, values, descending)
            counted = stmt.with_only_columns(sa.func.count()) if joined else sa.select(sa.func.count())
            counted = self._where(counted.select_from(self._table), search, filters).where(before)
            return int(session.execute(counted).scalar_one())

    @staticmethod
    def _sorted_before(
        keys: Sequence[sa.ColumnElement[Any]], values: Sequence[Any], descending: bool
    ) -> sa.ColumnElement[bool]:
        """Lexicographic "sorts before", for keys that may be empty: equal on the first keys (empty
        equals empty), then before. Empty values are placed by the key before them, so nothing sorts
        before an empty one."""
        return sa.or_(
            *(
                sa.and_(
                    *(keys[j].is_not_distinct_from(values[j]) for j in range(k)),
                    keys[k] > values[k] if descending else keys[k] < values[k],
                )
                for k in range(len(keys))
                if values[k] is not None
            )
        )

    def names(self) -> builtins.list[tuple[int, str]]:
        """(id, name) of every row, sorted by name: the choices of a foreign-key combo box."""
        label = self._table.c[self.entity.label_column]
        stmt = sa.select(self._table.c.id, label).order_by(label, self._table.c.id)
        with self.transaction() as session:
            return [(int(row[0]), str(row[1])) for row in session.execute(stmt)]

    def create(self, data: BaseModel | Mapping[str, Any]) -> R:
        """Validate through the Create schema (InvalidDataError when it refuses), then insert."""
        checked = self._validated(
            self.entity.create, data.model_dump() if isinstance(data, BaseModel) else data
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
        self,
        row_id: int,
        patch: BaseModel | Mapping[str, Any],
        expected_version: int | None = None,
        *,
        base: Mapping[str, Any] | None = None,
    ) -> R:
        """PATCH: only the fields set on the Update schema are written.

        Given expected_version (the version the row had when it was loaded), a row changed since
        raises ConflictError with the row as it is now, and a row deleted since raises NotFoundError.
        Given also base (the row's values when it was loaded), a row changed since is merged field
        by field instead: the other changes are kept, the patch's are written, and ConflictError
        (naming the fields) is raised only where both changed a field to different values.
        A row changed between this method's read and its write is never overwritten either way.
        """
        if isinstance(patch, BaseModel) and not isinstance(patch, self.entity.update):
            patch = patch.model_dump(exclude_unset=True)
        checked = patch if isinstance(patch, BaseModel) else self._validated(self.entity.update, patch)
        values = checked.model_dump(exclude_unset=True)
        if not self._storable(row_id):
            raise self._not_found(row_id)
        self._store.ensure_writable()
        updated: R | None = None
        conflicts: tuple[str, ...] = ()
        try:
            with self.transaction(write=True) as session:
                row = session.get(self.entity.table, row_id)
                if row is None and expected_version is None:
                    raise self._not_found(row_id)
                version = getattr(row, "version", None)
                if row is not None and base is not None and expected_version not in (None, version):
                    merged = three_way(base, row.model_dump(), values)
                    values, conflicts = merged.write, merged.conflicts
                    expected_version = None if not conflicts else expected_version
                if row is not None and expected_version in (None, version):
                    self._checked(session, values, row_id)
                    row.sqlmodel_update(values)
                    session.add(row)
                    session.flush()  # UPDATE ... WHERE id = ? AND version = ?
                    updated = self._read(row.model_dump())
        except StaleDataError:
            updated = None
        if updated is None:
            raise self._changed_elsewhere(row_id, conflicts)
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
        missing = next((row_id for row_id in unique_ids if not self._storable(row_id)), None)
        if missing is not None:
            raise self._not_found(missing)
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
                        entity=self.entity.name,
                        row_id=row["id"],
                        current=self._read(row),
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


def in_use_message(entity: Entity, count: int, child: Entity) -> InUseError:
    return InUseError(
        f"This {entity.label.lower()} owns {child.count_label(count)}. "
        f"Reassign them to another {entity.label.lower()} or delete them first.",
        entity=entity.name,
        count=count,
        child=child.name,
    )


def heir_refused(
    parent: Entity, child: Entity, reference: Reference, reassign_to: int, *, being_deleted: bool
) -> RelatedRowError:
    """Children cannot go to a row being deleted with them, nor to a row that does not exist."""
    noun = parent.label.lower()
    if being_deleted:
        message = f"Cannot reassign {child.plural} to the {noun} being deleted: choose another {noun}."
    else:
        message = f"Cannot reassign to that {noun}: it does not exist."
    return RelatedRowError(
        message, entity=child.name, field=reference.field, target=parent.name, value=reassign_to
    )
