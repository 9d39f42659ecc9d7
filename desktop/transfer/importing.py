"""Import rows from a file: match columns, resolve references, validate, insert in one transaction.

Rows are validated in batches through the entity's Create schema (one TypeAdapter call per batch),
so the rules and messages are those of the edit dialog. References are looked up in maps read once.
By default the import is all or nothing; with valid_only the good rows go in and the rest are
reported. A cancelled import rolls back: nothing is written.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, TypeAdapter, ValidationError, create_model, field_validator
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from desktop.errors import TaskforceError
from desktop.store import ENTITIES, Change, Entity, Store
from desktop.store.messages import field_message
from desktop.transfer.fields import extra_fields, match_columns, unmatched
from desktop.transfer.formulas import undefuse
from desktop.transfer.readers import FileFormat, Rows

BATCH_ROWS = 10_000
# Rows per INSERT on SQLite. One statement per row (executemany) makes the search index's triggers
# flush the FTS5 index at every statement: a statement of many rows is four times quicker.
ROWS_PER_INSERT = 500
PREVIEW_ROWS = 20

# (rows read so far, fraction of the file read from 0 to 1)
ImportProgress = Callable[[int, float], None]


class ImportCancelled(TaskforceError):
    """The person cancelled the import; nothing was written."""


class _RollBack(Exception):
    """Leaves the transaction without committing (rows were rejected in an all-or-nothing import)."""


@dataclass(frozen=True)
class Rejection:
    line: int
    field: str  # the column's field ("" when the problem is the row as a whole)
    message: str

    def __str__(self) -> str:
        return (
            f"line {self.line}: {self.field}: {self.message}"
            if self.field
            else f"line {self.line}: {self.message}"
        )


@dataclass
class ImportResult:
    entity: Entity
    read: int = 0
    imported: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)  # the new rows' ids, empty when nothing was written
    preview: list[dict[str, Any]] = field(default_factory=list)  # the first rows as they are stored
    skipped_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0
    dry_run: bool = False

    @property
    def rejected_lines(self) -> int:
        return len({rejection.line for rejection in self.rejected})

    @property
    def written(self) -> bool:
        return bool(self.ids)

    def summary(self) -> str:
        what = self.entity.plural if self.imported != 1 else self.entity.label.lower()
        if self.dry_run:
            head = f"checked {self.read:,} rows: {self.read - self.rejected_lines:,} would be imported"
        elif self.imported or not self.rejected:
            head = f"imported {self.imported:,} {what} in {self.seconds:.1f} s"
        else:
            head = f"imported nothing: {self.rejected_lines:,} of {self.read:,} rows were rejected"
        if self.rejected and (self.imported or self.dry_run):
            head += f"; {self.rejected_lines:,} rows rejected"
        return head


def import_schema(entity: Entity) -> type[BaseModel]:
    """The Create schema plus the stored fields a file may also set (a task's created_at)."""
    extras = extra_fields(entity)
    if not extras:
        return entity.create
    table_fields = entity.table.model_fields
    definitions: dict[str, Any] = {
        name: (table_fields[name].annotation, table_fields[name]) for name in extras
    }
    model: type[BaseModel] = create_model(
        f"{entity.create.__name__}Import", __base__=entity.create, **definitions
    )
    return model


def plain_twin(schema: type[BaseModel]) -> type[BaseModel]:
    """The schema's fields and field validators on a plain pydantic model: the same rules and messages.

    SQLModel gives its classes a Python __init__ that pydantic calls for every row, which was
    most of the validation time; a plain model validates in Rust alone. A schema with anything
    beyond fields and field validators (model validators, serializers) is used as it is.
    """
    decorators = schema.__pydantic_decorators__
    if (
        decorators.model_validators
        or decorators.root_validators
        or decorators.validators
        or decorators.field_serializers
        or decorators.model_serializers
        or decorators.computed_fields
    ):
        return schema
    validators = {
        name: field_validator(*decorator.info.fields, mode=decorator.info.mode)(decorator.func)
        for name, decorator in decorators.field_validators.items()
    }
    fields: dict[str, Any] = {name: (info.annotation, info) for name, info in schema.model_fields.items()}
    twin: type[BaseModel] = create_model(f"{schema.__name__}Rows", __validators__=validators, **fields)
    return twin


class _References:
    """Names and ids of the rows a file's rows may refer to, read once before the first row."""

    def __init__(self, session: Session, entity: Entity) -> None:
        self.by_name: dict[str, dict[str, list[int]]] = {}
        self.ids: dict[str, set[int]] = {}
        for reference in entity.references:
            target = ENTITIES[reference.target]
            table = target.sa_table
            names: dict[str, list[int]] = {}
            ids: set[int] = set()
            stmt = sa.select(table.c.id, table.c[target.label_column]).execution_options(yield_per=20_000)
            for row_id, name in session.execute(stmt):
                names.setdefault(str(name), []).append(int(row_id))
                ids.add(int(row_id))
            self.by_name[reference.label_key] = names
            self.ids[reference.field] = ids


class _Uniques:
    """Values of unique fields already taken: in the database, and by earlier rows of the file."""

    def __init__(self, session: Session, entity: Entity) -> None:
        table = entity.sa_table
        self.label = entity.label.lower()
        self.taken: dict[str, dict[Any, int | None]] = {}
        for name in entity.unique_fields:
            stmt = sa.select(table.c[name]).execution_options(yield_per=20_000)
            self.taken[name] = {value: None for (value,) in session.execute(stmt)}

    def problem(self, values: dict[str, Any]) -> tuple[str, str] | None:
        for name, taken in self.taken.items():
            value = values.get(name)
            if value in taken:
                line = taken[value]
                if line is None:
                    return name, f"{value!r} is already taken by another {self.label}"
                return name, f"{value!r} is already used on line {line}"
        return None

    def claim(self, values: dict[str, Any], line: int) -> None:
        for name, taken in self.taken.items():
            taken[values.get(name)] = line


class _Inserter:
    """Inserts validated rows; on SQLite straight through the driver's executemany (the fast path)."""

    def __init__(self, session: Session, entity: Entity, fields: Sequence[str]) -> None:
        self.session = session
        self.table = entity.sa_table
        self.fields = list(fields)
        connection = session.connection()
        self.sqlite = connection.dialect.name == "sqlite"
        self.ids: list[int] = []
        self.first_new_id = 0
        if self.sqlite:
            dialect = connection.dialect
            compiled = sa.insert(self.table).compile(dialect=dialect, column_keys=self.fields)
            self.sql = str(compiled)
            # The driver takes the values in the statement's order; each through its column's type.
            self.order = list(compiled.positiontup or ())
            # Columns the file does not set but the statement names take their scalar default (version 1).
            self.constants = {
                name: default.arg
                for name in self.order
                if name not in self.fields
                and isinstance(default := self.table.c[name].default, ScalarElementColumnDefault)
            }
            processors = [
                (i, self.table.c[name].type.bind_processor(dialect)) for i, name in enumerate(self.order)
            ]
            self.processors = [(i, process) for i, process in processors if process is not None]
            raw = connection.connection.driver_connection
            assert raw is not None
            self.cursor = raw.cursor()
            self._many_rows: dict[int, str] = {}
            self.first_new_id = self._next_sqlite_id()

    def _many_rows_sql(self, rows: int) -> str:
        """INSERT ... VALUES (?, ...), (?, ...), ... for that many rows (SQLite: 32,766 values at most)."""
        sql = self._many_rows.get(rows)
        if sql is None:
            head, _, one_row = self.sql.partition(" VALUES ")
            sql = self._many_rows[rows] = f"{head} VALUES {', '.join([one_row] * rows)}"
        return sql

    def _next_sqlite_id(self) -> int:
        highest = self.session.execute(sa.select(sa.func.max(self.table.c.id))).scalar() or 0
        sequence = self.cursor.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = ?", (self.table.name,)
        ).fetchone()
        return max(int(highest), int(sequence[0]) if sequence else 0) + 1

    def insert(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if self.sqlite:
            order, processors, constants = self.order, self.processors, self.constants
            values = []
            for row in rows:
                cells = [row[name] if name in row else constants[name] for name in order]
                for i, process in processors:
                    cells[i] = process(cells[i])
                values.append(cells)
            width = ROWS_PER_INSERT
            for start in range(0, len(values), width):
                chunk = values[start : start + width]
                self.cursor.execute(
                    self._many_rows_sql(len(chunk)), [cell for cells in chunk for cell in cells]
                )
            return
        stmt = sa.insert(self.table).returning(self.table.c.id, sort_by_parameter_order=True)
        result = self.session.execute(stmt, [{name: row[name] for name in self.fields} for row in rows])
        self.ids.extend(int(row_id) for (row_id,) in result)

    def inserted_ids(self) -> list[int]:
        """The new rows' ids. On SQLite the write lock is held since BEGIN IMMEDIATE: every id from
        the first free one on is ours."""
        if not self.sqlite:
            return self.ids
        id_column = self.table.c.id
        found = self.session.execute(
            sa.select(id_column).where(id_column >= self.first_new_id).order_by(id_column)
        )
        return [int(row_id) for (row_id,) in found]


def _as_id(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


class Importer:
    """One import of one file's rows into one entity's table."""

    def __init__(
        self,
        store: Store,
        entity: Entity,
        rows: Rows,
        file_format: FileFormat,
        mapping: Sequence[str | None] | None = None,
    ) -> None:
        self.store = store
        self.entity = entity
        self.source = rows
        self.mapping = list(mapping) if mapping is not None else match_columns(entity, rows.header)
        if len(self.mapping) != len(rows.header):
            raise ValueError("the mapping must give one field (or None) per column")
        self.defused = file_format in (FileFormat.CSV, FileFormat.XLSX)
        self.schema = import_schema(entity)
        rows_schema = plain_twin(self.schema)
        self.adapter: TypeAdapter[list[Any]] = TypeAdapter(list[rows_schema])  # type: ignore[valid-type]
        self.fields = list(self.schema.model_fields)
        self.references = {reference.label_key: reference for reference in entity.references}
        # (column index, target) for the columns that are read; a file's ids are never used: rows get new ones
        self.columns = [(i, target) for i, target in enumerate(self.mapping) if target and target != "id"]

    # --- one row -----------------------------------------------------------------------------

    def _values(self, cells: list[Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for index, target in self.columns:
            cell = cells[index] if index < len(cells) else None
            if self.defused and isinstance(cell, str) and cell[:1] == "'":
                cell = undefuse(cell)
            if cell is not None and cell != "":  # an empty cell is "not given": a default, or "is required"
                values[target] = cell
        return values

    def _resolve(self, values: dict[str, Any], refs: _References) -> tuple[str, str] | None:
        """Replace reference names by ids. A name wins over an id: an exported id is the old database's."""
        for key, reference in self.references.items():
            name = values.pop(key, None)
            if name is None:
                continue
            ids = refs.by_name[key].get(str(name).strip())
            target = ENTITIES[reference.target]
            if not ids:
                return key, f"no {target.label.lower()} named {str(name)!r}"
            if len(ids) > 1 and _as_id(values.get(reference.field)) in ids:
                continue  # the id given beside the name says which of them
            if len(ids) > 1:
                return key, (
                    f"{len(ids)} {target.plural} are named {str(name)!r}: give {reference.field} instead"
                )
            values[reference.field] = ids[0]
        return None

    def _dangling(self, values: dict[str, Any], refs: _References) -> tuple[str, str] | None:
        for reference in self.references.values():
            target_id = values.get(reference.field)
            if target_id is not None and target_id not in refs.ids[reference.field]:
                return (
                    reference.field,
                    f"there is no {ENTITIES[reference.target].label.lower()} with id {target_id}",
                )
        return None

    # --- batches -----------------------------------------------------------------------------

    def _validated(
        self, batch: list[dict[str, Any]]
    ) -> tuple[list[int], list[dict[str, Any]], list[tuple[int, str, str]]]:
        """(positions of the valid rows, their values, (position, field, message) for the others)."""
        try:
            objects = self.adapter.validate_python(batch)
            return list(range(len(batch))), [dict(o.__dict__) for o in objects], []
        except ValidationError as error:
            problems: dict[int, tuple[str, str]] = {}
            for item in error.errors(include_url=False):
                position = int(item["loc"][0])
                if position not in problems:
                    name = str(item["loc"][1]) if len(item["loc"]) > 1 else ""
                    problems[position] = (name, field_message(item))
            good = [i for i in range(len(batch)) if i not in problems]
            objects = self.adapter.validate_python([batch[i] for i in good]) if good else []
            bad = [(i, name, message) for i, (name, message) in sorted(problems.items())]
            return good, [dict(o.__dict__) for o in objects], bad

    def run(
        self,
        *,
        dry_run: bool = False,
        valid_only: bool = False,
        progress: ImportProgress | None = None,
        should_stop: Callable[[], bool] | None = None,
        preview_rows: int = PREVIEW_ROWS,
    ) -> ImportResult:
        started = time.perf_counter()
        result = ImportResult(self.entity, dry_run=dry_run)
        result.skipped_columns = unmatched(self.source.header, self.mapping)
        repository = self.store.repository(self.entity.name)
        if not dry_run:
            self.store.ensure_writable()
        try:
            with repository.transaction(write=not dry_run) as session:
                inserter = None if dry_run else _Inserter(session, self.entity, self.fields)
                refs = _References(session, self.entity)
                uniques = _Uniques(session, self.entity)
                for lines, batch in self._batches(result):
                    if should_stop is not None and should_stop():
                        raise ImportCancelled("The import was cancelled: nothing was written.")
                    good_rows = self._check_batch(lines, batch, refs, uniques, result, preview_rows)
                    writing = inserter is not None and (valid_only or not result.rejected)
                    if writing and inserter is not None:
                        inserter.insert(good_rows)
                        result.imported += len(good_rows)
                    if progress is not None:
                        progress(result.read, self.source.fraction())
                if inserter is None or (result.rejected and not valid_only):
                    result.imported = 0
                    raise _RollBack
                result.ids = inserter.inserted_ids()
                if len(result.ids) != result.imported:
                    raise TaskforceError(
                        "The import could not account for the rows it wrote; nothing was written."
                    )
        except _RollBack:
            pass
        finally:
            self.source.close()
        result.seconds = time.perf_counter() - started
        if result.ids:
            self.store.notify(Change(self.entity.name, "reset"))
        return result

    def _batches(self, result: ImportResult) -> Iterator[tuple[list[int], list[dict[str, Any]]]]:
        lines: list[int] = []
        batch: list[dict[str, Any]] = []
        for line, cells in self.source.rows:
            result.read += 1
            lines.append(line)
            batch.append(self._values(cells))
            if len(batch) >= BATCH_ROWS:
                yield lines, batch
                lines, batch = [], []
        if batch:
            yield lines, batch

    def _check_batch(
        self,
        lines: list[int],
        batch: list[dict[str, Any]],
        refs: _References,
        uniques: _Uniques,
        result: ImportResult,
        preview_rows: int,
    ) -> list[dict[str, Any]]:
        unresolved: dict[int, tuple[str, str]] = {}
        if self.references:
            for position, values in enumerate(batch):
                problem = self._resolve(values, refs)
                if problem is not None:
                    unresolved[position] = problem
        positions, rows, bad = self._validated(batch)
        problems: dict[int, tuple[str, str]] = {position: (name, message) for position, name, message in bad}
        problems.update(unresolved)  # a missing owner is said as such, not as "owner id is required"
        good: list[dict[str, Any]] = []
        for position, values in zip(positions, rows, strict=True):
            if position in problems:
                continue
            problem = self._dangling(values, refs) or (uniques.problem(values) if uniques.taken else None)
            if problem is not None:
                problems[position] = problem
                continue
            for name, value in values.items():
                if isinstance(value, datetime) and value.tzinfo is None:
                    values[name] = value.replace(tzinfo=UTC)  # naive means UTC
            if uniques.taken:
                uniques.claim(values, lines[position])
            good.append(values)
            if len(result.preview) < preview_rows:
                result.preview.append(self._as_stored(values, refs))
        for position in sorted(problems):
            name, message = problems[position]
            result.rejected.append(Rejection(lines[position], name, message))
        return good

    def _as_stored(self, values: dict[str, Any], refs: _References) -> dict[str, Any]:
        shown = dict(values)
        for key, reference in self.references.items():
            target_id = values.get(reference.field)
            names = refs.by_name[key]
            shown[key] = (
                next((name for name, ids in names.items() if target_id in ids), None)
                if target_id is not None
                else None
            )
        return shown
