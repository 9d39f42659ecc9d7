"""Copy a whole database to another (SQLite, PostgreSQL, MariaDB in any direction), verified.

Tables go in dependency order with their ids, in one transaction on the target. Afterwards each
table's row count and a checksum of its content, computed the same way on both sides from the
values as Taskforce reads them, must agree.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import desktop.models  # noqa: F401  (puts every table on SQLModel.metadata)
from desktop import db, lock, opening
from desktop.errors import TaskforceError

COPY_BATCH = 5_000
CopyProgress = Callable[[int, int], None]  # (rows copied, rows in all)


class CopyError(TaskforceError):
    """The copy could not be made or did not verify; the target was left as it was."""


class TargetNotEmptyError(CopyError):
    """The target holds rows and replacing them was not confirmed."""


@dataclass(frozen=True)
class TableCopy:
    name: str
    rows: int
    checksum: str


@dataclass
class CopyResult:
    source: str
    target: str
    tables: list[TableCopy] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)

    def summary(self) -> str:
        counts = ", ".join(f"{table.rows:,} {plural(table.name)}" for table in self.tables)
        return (
            f"copied {self.rows:,} rows from {self.source} to {self.target} in {self.seconds:.1f} s "
            f"({counts}); row counts and checksums agree"
        )


def plural(table_name: str) -> str:
    from desktop.store import ENTITIES

    entity = ENTITIES.get(table_name)
    return entity.plural if entity is not None else table_name


def tables_in_order() -> list[sa.Table]:
    """Every table of Taskforce's entities, each after the tables it refers to.

    Not `change_log`: what other clients changed recently is news for the windows watching the
    source, not data to carry over (the copy's own writes are news on the target).
    """
    from desktop.store.entities import table_names

    ours = table_names()
    return [table for table in SQLModel.metadata.sorted_tables if table.name in ours]


def _canonical(value: Any) -> bytes:
    if value is None:
        return b"\x00"
    if isinstance(value, bool):
        return b"T" if value else b"F"
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, float):
        return repr(value).encode()
    if isinstance(value, datetime):
        return value.isoformat().encode()
    return str(value).encode("utf-8", "surrogatepass")


def _rows(connection: Connection, table: sa.Table) -> Iterator[sa.Row[Any]]:
    stmt = sa.select(table).order_by(table.c.id).execution_options(yield_per=COPY_BATCH)
    yield from connection.execute(stmt)


def table_checksum(connection: Connection, table: sa.Table) -> TableCopy:
    """Count and SHA-256 of the rows in id order, each value in one canonical spelling."""
    digest = hashlib.sha256()
    count = 0
    for row in _rows(connection, table):
        for value in row:
            digest.update(_canonical(value))
            digest.update(b"\x1f")
        digest.update(b"\x1e")
        count += 1
    return TableCopy(table.name, count, digest.hexdigest())


def row_counts(connection: Connection) -> dict[str, int]:
    return {
        table.name: int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
        for table in tables_in_order()
    }


@contextmanager
def _opened(url: str) -> Iterator[Engine]:
    """The database, checked and migrated to the newest revision (DatabaseOpenError says why not).

    A SQLite file is held by the database lock meanwhile, as a Store holds it: no restore replaces
    it under the copy.
    """
    path = db.sqlite_path(url)
    held = lock.database_lock(path) if path is not None and path.parent.is_dir() else None
    try:
        engine = opening.open_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        if held is not None:
            held.release()


def _restart_ids(connection: Connection) -> None:
    """After rows went in with their ids, new rows must get ids above them (PostgreSQL keeps a sequence)."""
    if connection.dialect.name != "postgresql":
        return  # SQLite and MariaDB move their counters past the highest id inserted
    for table in tables_in_order():
        quoted = connection.dialect.identifier_preparer.quote(table.name)
        highest = connection.execute(sa.select(sa.func.max(table.c.id))).scalar_one()
        sequence = sa.func.pg_get_serial_sequence(quoted, "id")
        if highest is None:
            connection.execute(sa.select(sa.func.setval(sequence, 1, False)))
        else:
            connection.execute(sa.select(sa.func.setval(sequence, highest, True)))


def copy_database(
    source_url: str,
    target_url: str,
    *,
    replace: bool = False,
    progress: CopyProgress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> CopyResult:
    """Copy every row of source into target (migrated to the newest revision first).

    The target must be empty, or replace=True: then its rows are deleted in the same transaction.
    Any failure, a cancel or a checksum that does not agree rolls the target back.
    """
    started = time.perf_counter()
    result = CopyResult(db.mask_url(source_url), db.mask_url(target_url))
    if _same_database(source_url, target_url):
        raise CopyError("The source and the target are the same database.")
    with _opened(source_url) as source, _opened(target_url) as target:
        _copy(source, target, replace, progress, should_stop, result)
    result.seconds = time.perf_counter() - started
    return result


def _same_database(a: str, b: str) -> bool:
    path_a, path_b = db.sqlite_path(a), db.sqlite_path(b)
    if path_a is not None or path_b is not None:
        return path_a == path_b
    return sa.make_url(a).render_as_string(hide_password=True) == sa.make_url(b).render_as_string(
        hide_password=True
    )


def _copy(
    source: Engine,
    target: Engine,
    replace: bool,
    progress: CopyProgress | None,
    should_stop: Callable[[], bool] | None,
    result: CopyResult,
) -> None:
    writing = target.execution_options(**{db.WRITE_OPTION: True})
    try:
        with (
            source.connect() as reading,
            reading.begin(),
            writing.connect() as connection,
            connection.begin(),
        ):
            counts = row_counts(reading)
            total = sum(counts.values())
            present = {name: count for name, count in row_counts(connection).items() if count}
            if present and not replace:
                held = ", ".join(f"{count:,} {name}" for name, count in present.items())
                raise TargetNotEmptyError(
                    f"The target already holds rows ({held}). Copy into an empty database, or replace its "
                    "rows (--replace)."
                )
            for table in reversed(tables_in_order()):
                connection.execute(table.delete())
            copied = 0
            for table in tables_in_order():
                batch: list[dict[str, Any]] = []
                for row in _rows(reading, table):
                    batch.append(row._asdict())
                    if len(batch) >= COPY_BATCH:
                        copied += _insert(connection, table, batch, progress, copied, total, should_stop)
                        batch = []
                copied += _insert(connection, table, batch, progress, copied, total, should_stop)
            _restart_ids(connection)
            for table in tables_in_order():
                mine, theirs = table_checksum(reading, table), table_checksum(connection, table)
                if mine != theirs:
                    raise CopyError(
                        f"The copy of {table.name} does not match the source ({mine.rows:,} rows there, "
                        f"{theirs.rows:,} here, or their content differs); nothing was written."
                    )
                result.tables.append(theirs)
    except sa.exc.SQLAlchemyError as error:
        reason = getattr(error, "orig", None) or error
        raise CopyError(f"The copy failed and the target was left as it was: {reason}") from error


def _insert(
    connection: Connection,
    table: sa.Table,
    batch: list[dict[str, Any]],
    progress: CopyProgress | None,
    copied: int,
    total: int,
    should_stop: Callable[[], bool] | None,
) -> int:
    if should_stop is not None and should_stop():
        raise CopyError("The copy was cancelled: the target was left as it was.")
    if batch:
        connection.execute(table.insert(), batch)
    if progress is not None:
        progress(copied + len(batch), total)
    return len(batch)
