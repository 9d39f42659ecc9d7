"""Engines from URLs, SQLite pragmas, the data directory, checks of files and migrations."""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import sqlite3
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

from desktop.errors import DatabaseOpenError, StorageError, StorageKind, TaskforceError
from desktop.folders import data_dir as data_dir  # re-exported, as the database's folder
from desktop.folders import log_dir as log_dir
from desktop.folders import make_private_dir
from desktop.names import APP_NAME as APP_NAME  # re-exported: the data folders are named after it

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
T = TypeVar("T")

# The Alembic revisions in order, oldest first (tests/data/test_migrations.py checks this against
# migrations/versions). Knowing them here lets a database already at the head open without
# importing Alembic, a quarter of the start-up time.
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007")
HEAD_REVISION = REVISIONS[-1]
# Files up to this size get PRAGMA quick_check on every open (a tenth of a second); larger ones when
# the last session did not close cleanly or a migration is due. The daily automatic backup runs a
# full integrity_check on its copy, and Help → Check database runs one on demand.
ALWAYS_QUICK_CHECK_BYTES = 64 * 1024 * 1024

DATABASE_FILENAME = "taskforce.db"
BUSY_TIMEOUT_MS = 5_000
SQLITE_MAGIC = b"SQLite format 3\x00"
# How this process names itself to PostgreSQL (pg_stat_activity), so that windows can count each other.
CLIENT_PREFIX = f"{APP_NAME} "
CLIENT_NAME = f"{CLIENT_PREFIX}{socket.gethostname()}:{os.getpid()}"[:63]


def default_database_url(directory: Path | None = None) -> str:
    override = os.environ.get("TASKFORCE_DATABASE_URL")
    if override and directory is None:
        return override
    return sqlite_url((directory or data_dir()) / DATABASE_FILENAME)


def sqlite_url(path: Path) -> str:
    return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)


PASSWORD_QUERY_KEYS = frozenset({"password", "passwd", "pwd"})


def mask_url(url: str | URL) -> str:
    """The URL as it may be shown or logged: never with a password, also not one given as ?password=."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        return "<invalid database URL>"
    hidden = {key: "***" for key in parsed.query if key.lower() in PASSWORD_QUERY_KEYS}
    if hidden:
        parsed = parsed.update_query_dict(hidden)
    if parsed.host and "@" in parsed.host:
        # An "@" in the password, not written as %40: what the parser took for the host starts with
        # the rest of the password.
        parsed = parsed.set(password="***", host=parsed.host.rpartition("@")[2])
    return parsed.render_as_string(hide_password=True).replace("%2A%2A%2A", "***")


URL_EXAMPLES = (
    "sqlite:////path/to/taskforce.db, postgresql+psycopg://user:password@host/database or "
    "mysql+pymysql://user:password@host/database"
)


def parse_url(url: str | URL) -> URL:
    """The URL, parsed; DatabaseOpenError, in plain words, when it is not a database URL."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as error:
        # Not shown: a URL that cannot be parsed cannot be told apart from its password either.
        raise DatabaseOpenError(
            f"Not a database URL. Taskforce takes URLs such as {URL_EXAMPLES}."
        ) from error
    if parsed.host and "@" in parsed.host:
        raise DatabaseOpenError(f'The password in {mask_url(parsed)} holds an "@": write it as %40 in a URL.')
    try:
        parsed.get_dialect()
    except (sa.exc.NoSuchModuleError, ImportError) as error:
        raise _unknown_database(parsed) from error
    return parsed


def _unknown_database(parsed: URL) -> DatabaseOpenError:
    return DatabaseOpenError(
        f"Taskforce cannot open {parsed.drivername} databases ({mask_url(parsed)}). "
        f"It takes URLs such as {URL_EXAMPLES}."
    )


def sqlite_path(url: str | URL) -> Path | None:
    """The file behind a SQLite URL, or None for servers and in-memory databases.

    Raises DatabaseOpenError for a URL that is not one (parse_url).
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database).expanduser().resolve()


def migrations_dir() -> Path:
    """The Alembic scripts: next to the package in a checkout or bundle, inside it when installed."""
    package = Path(__file__).resolve().parent
    bundle = Path(getattr(sys, "_MEIPASS", package.parent))
    for candidate in (package / "_migrations", bundle / "migrations", package.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise DatabaseOpenError("The database migrations are missing from this installation.")


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    return HEAD_REVISION


def known_revisions() -> set[str]:
    return set(REVISIONS)


SEARCH_INDEX_NAME = re.compile(r"^(?:\w+_search(?:_data|_idx|_docsize|_config|_content)?|ix_\w+_trigram)$")


def compared_by_autogenerate(
    item: object, name: str | None, kind: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's include_object: the search indexes (FTS5 tables, trigram indexes) are made by
    their revision in SQL the models do not describe, so autogenerate leaves them alone."""
    return not (reflected and compare_to is None and name is not None and SEARCH_INDEX_NAME.match(name))


# --- engines -----------------------------------------------------------------


def _casefold(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin.
    dbapi_connection.isolation_level = None
    # Case-insensitive search is Unicode case folding on every database (desktop.store.search);
    # SQLite's own LIKE and lower() fold only ASCII.
    dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)
    cursor = dbapi_connection.cursor()
    try:
        # The busy timeout is the sqlite3 "timeout" connect argument (create_engine), not built SQL.
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
    finally:
        cursor.close()


def _set_read_only_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)
    dbapi_connection.execute("PRAGMA query_only = ON")


def is_read_only(engine: Engine) -> bool:
    """True for an engine that create_engine(..., read_only=True) made."""
    return engine.url.get_backend_name() == "sqlite" and (
        engine.url.query.get("mode") == "ro" or "immutable" in engine.url.query
    )


# Execution option of a connection that will write: on SQLite its transaction takes the write lock at
# BEGIN (waiting up to the busy timeout), so what it read cannot be changed by another writer before it
# writes; a deferred BEGIN would fail at once with "database is locked" in that case.
WRITE_OPTION = "taskforce_write"


def _begin_sqlite(connection: sa.Connection) -> None:
    writes = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _begin_read_only(connection: sa.Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def create_engine(url: str, *, echo: bool = False, read_only: bool = False) -> Engine:
    """An engine for any supported URL, with the settings each database needs.

    read_only (SQLite files) opens the file so that nothing can be written to it.
    """
    parsed = parse_url(url)
    try:
        return _create_engine(parsed, echo=echo, read_only=read_only)
    except (sa.exc.NoSuchModuleError, ImportError) as error:  # a driver that is not installed
        raise _unknown_database(parsed) from error


def _create_engine(parsed: URL, *, echo: bool, read_only: bool) -> Engine:
    backend = parsed.get_backend_name()
    kwargs: dict[str, Any] = {"echo": echo}
    if backend == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        path = sqlite_path(parsed)
        if read_only and path is not None:
            location, options = read_only_location(path)
            parsed = parsed.set(database=location, query={**options, "uri": "true"})
            engine = sa.create_engine(parsed, **kwargs)
            sa.event.listen(engine, "connect", _set_read_only_pragmas)
            sa.event.listen(engine, "begin", _begin_read_only)
            return engine
        engine = sa.create_engine(parsed, **kwargs)
        sa.event.listen(engine, "connect", _set_sqlite_pragmas)
        sa.event.listen(engine, "begin", _begin_sqlite)
        return engine
    if backend in ("mysql", "mariadb") and "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    if backend == "postgresql" and "application_name" not in parsed.query:
        kwargs["connect_args"] = {"application_name": CLIENT_NAME}
    return sa.create_engine(parsed, pool_pre_ping=True, **kwargs)


# --- opening and migrating ---------------------------------------------------


def prepare_sqlite_file(path: Path) -> None:
    """Create the directory (0700) and an empty file (0600) so the data is private from the start."""
    make_private_dir(path.parent)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        os.close(fd)


def can_write(path: Path) -> bool:
    """Whether this process may change the file and its -wal/-shm, or create them beside it."""
    folder_ok = os.access(path.parent, os.W_OK | os.X_OK)
    file_ok = not path.exists() or os.access(path, os.W_OK)
    companions_ok = all(not c.exists() or os.access(c, os.R_OK | os.W_OK) for c in _companions(path))
    return folder_ok and file_ok and companions_ok


def _companions(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def make_companions_writable(path: Path) -> None:
    """Give a writable file's -wal and -shm back the file's own mode.

    A read-only session leaves them behind with the mode of the file as it was then (SQLite copies
    it); once the file may be written again, every save would fail on them. Changing a mode does
    not disturb anyone who has them open. One that is not ours stays as it is: then the file opens
    read-only (can_write).
    """
    if not path.exists() or not os.access(path, os.W_OK):
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    for companion in _companions(path):
        if companion.exists() and not os.access(companion, os.R_OK | os.W_OK):
            try:
                companion.chmod(mode)
            except OSError:
                pass


def read_only_location(path: Path) -> tuple[str, dict[str, str]]:
    """A file URI and its options that open the file without ever writing to it.

    In a folder we may not write to, a write-ahead-log database whose -shm is absent cannot be
    opened read-only (SQLite would create the -shm); there the file is opened immutable, which
    is exact because no -wal can hold newer data without its -shm.
    """
    uri = path.resolve().as_uri()
    folder_writable = os.access(path.parent, os.W_OK | os.X_OK)
    if not folder_writable and not path.with_name(path.name + "-shm").exists():
        return uri, {"immutable": "1"}
    return uri, {"mode": "ro"}


def read_only_uri(path: Path) -> str:
    location, options = read_only_location(path)
    return location + "?" + "&".join(f"{key}={value}" for key, value in options.items())


def read_quietly(path: Path, read: Callable[[sqlite3.Connection], T]) -> T:
    """read(connection) on a connection that cannot write the file, and that leaves nothing beside it.

    A read-only connection to a write-ahead-log file creates its -wal and -shm, and cannot remove
    them. A file with no -wal (nor -journal) beside it is not in use, so it is read as immutable,
    which creates nothing; should it change meanwhile (another program opened it), it is read again
    the usual way, as it is when it is in use.
    """
    timeout = BUSY_TIMEOUT_MS / 1000
    before = _idle_state(path)
    if before is not None:
        immutable = path.resolve().as_uri() + "?immutable=1"
        try:
            with closing(sqlite3.connect(immutable, uri=True, timeout=timeout)) as connection:
                result = read(connection)
        except (sqlite3.DatabaseError, TaskforceError):
            if _idle_state(path) == before:
                raise
        else:
            if _idle_state(path) == before:
                return result
    with closing(sqlite3.connect(read_only_uri(path), uri=True, timeout=timeout)) as connection:
        return read(connection)


def _idle_state(path: Path) -> tuple[int, int, int] | None:
    """The file's identity, size and time when no journal lies beside it (no one has it open); else None."""
    for suffix in ("-wal", "-journal"):
        if path.with_name(path.name + suffix).exists():
            return None
    try:
        state = path.stat()
    except OSError:
        return None
    return state.st_ino, state.st_size, state.st_mtime_ns


def sqlite_error_code(error: sqlite3.Error) -> int:
    """SQLite's primary result code of an error (SQLITE_FULL, SQLITE_IOERR, …), 0 when unknown."""
    return int(getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF


SQLITE_CORRUPT, SQLITE_FULL, SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 10, 14, 26
# Below this much free space an I/O error is taken for a full disk: SQLite needs room for its -shm.
DISK_FULL_BYTES = 1024 * 1024


# A connection to a write-ahead-log file needs this much room for the -shm it creates.
SHM_BYTES = 64 * 1024


def disk_is_full(path: Path, below: int = DISK_FULL_BYTES) -> bool:
    """Whether the disk that holds `path` has less than `below` bytes free."""
    try:
        return shutil.disk_usage(path.parent).free < below
    except OSError:
        return False


def disk_full_error(path: Path) -> StorageError:
    return StorageError(
        f"The disk that holds {path.name} is full: Taskforce cannot open it until there is space "
        f"({path.parent}).",
        kind=StorageKind.DISK_FULL,
    )


def inspect_sqlite_file(path: Path) -> str | None:
    """Check an existing file without writing to it; return its Alembic revision (None when empty).

    Raises DatabaseOpenError for a file that is not a SQLite database, is damaged,
    is some other program's database, or was made by a newer Taskforce; StorageError for a file
    this person may not read, or a disk so full that the file cannot be read.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    if path.is_dir():
        raise DatabaseOpenError(f"{path} is a folder, not a database file.")
    if not os.access(path, os.R_OK):
        raise StorageError(
            f"Taskforce may not read {path}: ask for permission to read it, or open another database."
        )
    try:
        revision, tables = read_quietly(path, lambda connection: _contents(path, connection))
    except sqlite3.DatabaseError as error:
        code = sqlite_error_code(error)
        if code == SQLITE_NOTADB:
            raise DatabaseOpenError(
                f"{path.name} is not a Taskforce database (it is not an SQLite file)."
            ) from error
        if code in (SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN) and disk_is_full(path):
            raise disk_full_error(path) from error
        if code == SQLITE_CORRUPT:
            raise DatabaseOpenError(f"{path.name} is damaged: SQLite cannot read it.") from error
        raise DatabaseOpenError(f"{path.name} cannot be read as a database: {error}.") from error
    user_tables = {name for name in tables if not name.startswith("sqlite_")}
    return _checked_revision(path.name, user_tables, revision)


def _contents(path: Path, connection: sqlite3.Connection) -> tuple[str | None, set[str]]:
    """The schema revision and the tables of a file; DatabaseOpenError when its quick check fails."""
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    revision = None
    if "alembic_version" in tables:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    if _needs_quick_check(path, revision):
        problems = integrity_problems(connection, "PRAGMA quick_check")
        if problems:
            log.warning("%s failed its quick check: %s", path, "; ".join(problems))
            raise DatabaseOpenError(damaged_message(path.name, problems))
    return revision, tables


def integrity_problems(connection: sqlite3.Connection, pragma: str) -> list[str]:
    """What integrity_check or quick_check found, one problem a line; empty when the file is sound."""
    rows = connection.execute(pragma).fetchall()
    lines = [line for row in rows for line in str(row[0]).splitlines()]
    if lines == ["ok"]:
        return []
    return [line for line in lines if line and not line.startswith("*** in database")]


def damaged_message(name: str, problems: list[str]) -> str:
    """One plain sentence; the problems themselves go to the log."""
    count = len(problems)
    return f"{name} is damaged: SQLite's check found {count} problem{'s' if count != 1 else ''} in it."


def _needs_quick_check(path: Path, revision: str | None) -> bool:
    """Small files always; large ones after an unclean shutdown (a write-ahead log left behind) or before
    a migration."""
    wal = path.with_name(path.name + "-wal")
    unclean = wal.exists() and wal.stat().st_size > 0
    return path.stat().st_size <= ALWAYS_QUICK_CHECK_BYTES or unclean or revision != HEAD_REVISION


def _checked_revision(name: str, tables: set[str], revision: str | None) -> str | None:
    if revision is None and not tables - {"alembic_version"}:
        return None  # empty, or emptied by "alembic downgrade base"
    from desktop.store.entities import table_names  # here: the store package imports this module

    if "alembic_version" not in tables or not (tables & table_names()):
        raise DatabaseOpenError(f"{name} holds tables of another program; Taskforce will not change it.")
    if revision is not None and revision not in known_revisions():
        raise DatabaseOpenError(
            f"{name} was written by a newer version of Taskforce (schema {revision}); "
            "update Taskforce to open it."
        )
    return revision


def server_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
        revision = MigrationContext.configure(connection).get_current_revision()
    return _checked_revision(mask_url(engine.url), tables, revision)


@contextmanager
def migration_transaction(engine: Engine) -> Iterator[sa.Connection]:
    """One transaction for a migration run.

    On SQLite, foreign keys are switched off around it (they cannot change inside a transaction),
    as SQLite prescribes for rebuilding tables, and checked before the commit instead.
    """
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        # Straight to the driver: SQLAlchemy would open a transaction for the PRAGMA.
        driver = connection.connection.driver_connection
        if sqlite and driver is not None:
            driver.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                before = MigrationContext.configure(connection).get_current_revision()
                yield connection
                # Only after a migration ran: checking a million rows takes a quarter of a second.
                migrated = MigrationContext.configure(connection).get_current_revision() != before
                if sqlite and migrated and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise DatabaseOpenError(
                        "A migration left references to missing rows; nothing was changed."
                    )
        finally:
            if sqlite and driver is not None:
                driver.execute("PRAGMA foreign_keys = ON")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations on this engine's database."""
    from alembic import command

    config = alembic_config()
    with migration_transaction(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
