"""Database errors as TaskforceErrors, classified by the drivers' own codes, never by message text.

SQLite (sqlite3) gives extended result codes, PostgreSQL (psycopg) SQLSTATEs and MariaDB (PyMySQL)
error numbers. A duplicate is traced to its field through the name of the unique constraint or
index it broke (the naming convention in desktop.models gives each one its table and column); a
broken reference through the foreign key's name. SQLite names neither: its message lists the
table.column of the unique constraint, the driver's only structured account of it, and a foreign
key failure there names nothing at all.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

import sqlalchemy as sa

from desktop.errors import (
    CancelledError,
    DuplicateError,
    FieldProblem,
    InvalidDataError,
    RelatedRowError,
    StorageError,
    StorageKind,
    TaskforceError,
)
from desktop.store.entities import ENTITIES, Entity

DISK_FULL = "The disk is full: the change was not saved. Free some space and try again."
IO = "The disk could not be read or written (input/output error): the change was not saved."
BUSY = "The database is busy in another program: the change was not saved. Try again in a moment."
READ_ONLY = "The database is read-only: changes cannot be saved."
CONNECTION = "The connection to the database was lost. Check that it is reachable and try again."
OUT_OF_RANGE = "A number is too large for the database: the change was not saved."
CANCELLED = "The query was stopped: a newer one replaced it."

MESSAGES = {
    StorageKind.DISK_FULL: DISK_FULL,
    StorageKind.IO: IO,
    StorageKind.BUSY: BUSY,
    StorageKind.READ_ONLY: READ_ONLY,
    StorageKind.CONNECTION: CONNECTION,
    StorageKind.OUT_OF_RANGE: OUT_OF_RANGE,
    StorageKind.CANCELLED: CANCELLED,
}
RETRYABLE = frozenset({StorageKind.BUSY, StorageKind.CONNECTION})


@dataclass(frozen=True, slots=True)
class Refusal:
    """What a driver said, in its own terms: a kind, or the constraint and field a write broke."""

    kind: str  # "unique", "foreign_key", "invalid", or a StorageKind
    constraint: str | None = None
    field: str | None = None


# --- SQLite: extended result codes (https://sqlite.org/rescode.html) ----------

SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_INTERRUPT, SQLITE_IOERR = 5, 6, 8, 9, 10
SQLITE_FULL, SQLITE_CANTOPEN = 13, 14
SQLITE_CONSTRAINT_FOREIGNKEY, SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY = 787, 2067, 1555
SQLITE_PRIMARY = {
    SQLITE_BUSY: StorageKind.BUSY,
    SQLITE_LOCKED: StorageKind.BUSY,
    SQLITE_READONLY: StorageKind.READ_ONLY,
    SQLITE_INTERRUPT: StorageKind.CANCELLED,  # sqlite3.Connection.interrupt()
    SQLITE_IOERR: StorageKind.IO,
    SQLITE_FULL: StorageKind.DISK_FULL,
    SQLITE_CANTOPEN: StorageKind.IO,
}
SQLITE_UNIQUE_COLUMN = re.compile(r"constraint failed: (\w+)\.(\w+)")


def sqlite_refusal(error: sqlite3.Error) -> Refusal | None:
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return None
    if code in (SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY):
        found = SQLITE_UNIQUE_COLUMN.search(str(error))
        return Refusal("unique", field=found.group(2) if found else None)
    if code == SQLITE_CONSTRAINT_FOREIGNKEY:
        return Refusal("foreign_key")
    kind = SQLITE_PRIMARY.get(code & 0xFF)
    return Refusal(kind) if kind is not None else None


# --- PostgreSQL: SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html) ----

PG_STATES = {
    "53100": StorageKind.DISK_FULL,
    "58030": StorageKind.IO,
    "22003": StorageKind.OUT_OF_RANGE,
    "25006": StorageKind.READ_ONLY,
    "57014": StorageKind.CANCELLED,  # query canceled (a cancel request)
    "40001": StorageKind.BUSY,  # serialization failure
    "40P01": StorageKind.BUSY,  # deadlock detected
    "55P03": StorageKind.BUSY,  # lock not available
    "57P01": StorageKind.CONNECTION,  # admin shutdown (pg_terminate_backend)
    "57P02": StorageKind.CONNECTION,  # crash shutdown
    "57P03": StorageKind.CONNECTION,  # cannot connect now
    "53300": StorageKind.CONNECTION,  # too many connections
}


def postgres_refusal(error: Exception) -> Refusal | None:
    state = getattr(error, "sqlstate", None)
    if not isinstance(state, str):
        return None
    diag = getattr(error, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    if state == "23505":
        return Refusal("unique", constraint=constraint)
    if state == "23503":
        return Refusal("foreign_key", constraint=constraint)
    if state in ("22P02", "22007", "22008"):  # invalid text for the type, date/time
        return Refusal("invalid")
    if state.startswith("08"):
        return Refusal(StorageKind.CONNECTION)
    kind = PG_STATES.get(state)
    return Refusal(kind) if kind is not None else None


# --- MariaDB: error numbers (https://mariadb.com/kb/en/mariadb-error-codes/) ------------

MARIADB_CODES = {
    1021: StorageKind.DISK_FULL,  # disk full
    1114: StorageKind.DISK_FULL,  # the table is full
    1205: StorageKind.BUSY,  # lock wait timeout
    1213: StorageKind.BUSY,  # deadlock
    1264: StorageKind.OUT_OF_RANGE,
    1290: StorageKind.READ_ONLY,  # --read-only
    1317: StorageKind.CANCELLED,  # query execution was interrupted (KILL QUERY)
    1792: StorageKind.READ_ONLY,  # read-only transaction
    1927: StorageKind.CONNECTION,  # connection killed
    2003: StorageKind.CONNECTION,  # cannot connect
    2006: StorageKind.CONNECTION,  # server has gone away
    2013: StorageKind.CONNECTION,  # lost connection during query
    2055: StorageKind.CONNECTION,  # lost connection (system error)
}
# The key or constraint a refusal names: "... for key 'ix_user_username'" (MySQL 8: 'user.ix_user_username'),
# "... CONSTRAINT `fk_task_owner_id_user` FOREIGN KEY ...".
MARIADB_KEY = re.compile(r"for key '(?:[^'.]*\.)?([^'.]+)'")
MARIADB_CONSTRAINT = re.compile(r"CONSTRAINT `([^`]+)`")


def mariadb_refusal(error: Exception) -> Refusal | None:
    args: tuple[object, ...] = error.args
    code = args[0] if args and isinstance(args[0], int) else None
    if code is None:
        return None
    detail = str(args[1]) if len(args) > 1 else ""
    if code == 1062:
        found = MARIADB_KEY.search(detail)
        return Refusal("unique", constraint=found.group(1) if found else None)
    if code in (1452, 1216):
        found = MARIADB_CONSTRAINT.search(detail)
        return Refusal("foreign_key", constraint=found.group(1) if found else None)
    if code in (1366, 1292):  # incorrect value for a column's type
        return Refusal("invalid")
    kind = MARIADB_CODES.get(code)
    return Refusal(kind) if kind is not None else None


def refusal(error: sa.exc.DBAPIError) -> Refusal | None:
    """What the driver's codes say about this error, or None when they say nothing we know."""
    original = error.orig
    if original is None:
        return None
    if isinstance(original, sqlite3.Error):
        return sqlite_refusal(original)
    module = type(original).__module__
    if module.startswith("psycopg"):
        return postgres_refusal(original)
    if module.startswith("pymysql"):
        return mariadb_refusal(original)
    return None


# --- constraint names -> fields ----------------------------------------------


def unique_field(table: sa.Table, constraint: str | None) -> str | None:
    """The column of a unique constraint or unique index of the table, by its name."""
    uniques: list[sa.UniqueConstraint | sa.Index] = [
        *(c for c in table.constraints if isinstance(c, sa.UniqueConstraint)),
        *(index for index in table.indexes if index.unique),
    ]
    for candidate in uniques:
        if candidate.name == constraint:
            columns = list(candidate.columns)
            return str(columns[0].name) if columns else None
    return None


def foreign_key_field(table: sa.Table, constraint: str | None) -> str | None:
    for key in table.foreign_key_constraints:
        if key.name == constraint:
            return str(key.column_keys[0])
    return None


def classify(error: sa.exc.DBAPIError, entity: Entity) -> TaskforceError:
    """The TaskforceError for a database error met while working on `entity`'s rows."""
    found = refusal(error)
    label = entity.label.lower()
    if found is not None and found.kind == "unique":
        field = found.field or unique_field(entity.sa_table, found.constraint) or ""
        words = field.replace("_", " ") if field else "value"
        return DuplicateError(
            f"That {words} is already taken by another {label}.", entity=entity.name, field=field, value=None
        )
    if found is not None and found.kind == "foreign_key":
        key_field = foreign_key_field(entity.sa_table, found.constraint)
        if key_field is None and len(entity.references) == 1:
            key_field = entity.references[0].field  # SQLite does not say which key: the only one
        reference = next((r for r in entity.references if r.field == key_field), None)
        target = ENTITIES[reference.target] if reference is not None else None
        what = f"no {target.label.lower()}" if target is not None else "a row that does not exist"
        return RelatedRowError(
            f"The {label} refers to {what}: it may have been deleted meanwhile.",
            entity=entity.name,
            field=key_field or "",
            target=target.name if target is not None else "",
            value=None,
        )
    if found is not None and found.kind == "invalid":
        problem = FieldProblem("", "a value does not fit its field")
        return InvalidDataError(
            f"The {label} was not saved: a value does not fit its field.",
            entity=entity.name,
            problems=(problem,),
        )
    kind = StorageKind(found.kind) if found is not None else StorageKind.OTHER
    if kind is StorageKind.OTHER and error.connection_invalidated:
        kind = StorageKind.CONNECTION  # the dialect saw the connection drop
    # The driver's first line only: PostgreSQL goes on with the statement, which is no one's business.
    first_line = str(error.orig).strip().splitlines()[:1]
    message = MESSAGES.get(kind, f"The database refused the operation: {''.join(first_line)}")
    if kind is StorageKind.CANCELLED:
        return CancelledError(message)
    return StorageError(message, kind=kind, retryable=kind in RETRYABLE)
