"""Engines from URLs, SQLite pragmas, the data directory and migrate-on-open."""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

from desktop.errors import DatabaseOpenError, TaskforceError

if TYPE_CHECKING:
    from alembic.config import Config

# The Alembic revisions in order, oldest first (tests/data/test_migrations.py checks this against
# migrations/versions). Knowing them here lets a database already at the head open without
# importing Alembic, a quarter of the start-up time.
REVISIONS = ("0001", "0002", "0003", "0004", "search_index")
HEAD_REVISION = REVISIONS[-1]
# Files up to this size get PRAGMA quick_check on every open (a tenth of a second); larger ones when
# the last session did not close cleanly or a migration is due. The daily automatic backup runs a
# full integrity_check on its copy, and Help → Check database runs one on demand.
ALWAYS_QUICK_CHECK_BYTES = 64 * 1024 * 1024

APP_NAME = "Taskforce"
DATABASE_FILENAME = "taskforce.db"
BUSY_TIMEOUT_MS = 5_000
SQLITE_MAGIC = b"SQLite format 3\x00"
OUR_TABLES = frozenset({"hero", "team", "item", "user", "task"})


def data_dir() -> Path:
    """Where the default database lives: $TASKFORCE_DATA_DIR or the platform's user data dir."""
    override = os.environ.get("TASKFORCE_DATA_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    override = os.environ.get("TASKFORCE_DATA_DIR")
    if override:
        return Path(override).expanduser() / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


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
    return parsed.render_as_string(hide_password=True).replace("%2A%2A%2A", "***")


def sqlite_path(url: str | URL) -> Path | None:
    """The file behind a SQLite URL, or None for servers and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database).expanduser().resolve()


def database_file(url: str) -> Path | None:
    """The SQLite file a URL names, or None (a server, or text that is no URL: opening it will say so)."""
    try:
        return sqlite_path(url)
    except sa.exc.ArgumentError:
        return None


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
    parsed = make_url(url)
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
    return sa.create_engine(parsed, pool_pre_ping=True, **kwargs)


# --- opening and migrating ---------------------------------------------------


def prepare_sqlite_file(path: Path) -> None:
    """Create the directory (0700) and an empty file (0600) so the data is private from the start."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        os.close(fd)


def can_write(path: Path) -> bool:
    """Whether this process may change the file and create its -wal/-shm beside it."""
    folder_ok = os.access(path.parent, os.W_OK | os.X_OK)
    return folder_ok and (not path.exists() or os.access(path, os.W_OK))


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


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    timeout = BUSY_TIMEOUT_MS / 1000
    with closing(sqlite3.connect(read_only_uri(path), uri=True, timeout=timeout)) as connection:
        yield connection


def inspect_sqlite_file(path: Path) -> str | None:
    """Check an existing file without writing to it; return its Alembic revision (None when empty).

    Raises DatabaseOpenError for a file that is not a SQLite database, is damaged,
    is some other program's database, or was made by a newer Taskforce.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise DatabaseOpenError(f"{path.name} is not a Taskforce database (it is not an SQLite file).")
    try:
        with _read_only(path) as connection:
            tables = {
                row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            revision = None
            if "alembic_version" in tables:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
            if _needs_quick_check(path, revision):
                status = connection.execute("PRAGMA quick_check").fetchone()
                if not status or status[0] != "ok":
                    problem = status[0] if status else "no answer"
                    raise DatabaseOpenError(f"{path.name} is damaged: {problem}.")
    except sqlite3.DatabaseError as error:
        raise DatabaseOpenError(f"{path.name} cannot be read as a database: {error}.") from error
    user_tables = {name for name in tables if not name.startswith("sqlite_")}
    return _checked_revision(path.name, user_tables, revision)


def _needs_quick_check(path: Path, revision: str | None) -> bool:
    """Small files always; large ones after an unclean shutdown (a write-ahead log left behind) or before
    a migration."""
    wal = path.with_name(path.name + "-wal")
    unclean = wal.exists() and wal.stat().st_size > 0
    return path.stat().st_size <= ALWAYS_QUICK_CHECK_BYTES or unclean or revision != HEAD_REVISION


def _checked_revision(name: str, tables: set[str], revision: str | None) -> str | None:
    if revision is None and not tables - {"alembic_version"}:
        return None  # empty, or emptied by "alembic downgrade base"
    if "alembic_version" not in tables or not (tables & OUR_TABLES):
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


def backup_sqlite(source: Path, destination: Path) -> Path:
    """A consistent copy through SQLite's backup API, private like the original."""
    prepare_sqlite_file(destination)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(destination)) as dst:
        src.backup(dst)
    return destination


def pre_migration_backup(path: Path, revision: str) -> Path:
    """A verified backup, in the backups folder, before the file is migrated from `revision`."""
    from desktop import backup  # backup builds on this module

    try:
        return backup.create_backup(path, backup.before_upgrade(revision)).path
    except TaskforceError as error:
        raise DatabaseOpenError(
            f"{path.name} needs an upgrade, but it could not be backed up first, so it was left "
            f"as it was. {error.message}"
        ) from error


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


def open_engine(url: str, *, echo: bool = False) -> Engine:
    """Check, back up when needed, migrate to head, and return a ready engine."""
    try:
        make_url(url)
    except sa.exc.ArgumentError as error:
        raise DatabaseOpenError(f"Not a database URL: {mask_url(url)}") from error
    path = sqlite_path(url)
    if path is not None:
        try:
            revision = inspect_sqlite_file(path)
            if path.exists() and not can_write(path):
                return _open_read_only(url, path, revision, echo=echo)
            prepare_sqlite_file(path)
            if revision is not None and revision != head_revision():
                pre_migration_backup(path, revision)
        except (OSError, sqlite3.Error) as error:
            problem = error.strerror if isinstance(error, OSError) and error.strerror else error
            raise DatabaseOpenError(f"Cannot open {path}: {problem}.") from error
    engine = create_engine(url, echo=echo)
    try:
        if path is None:
            server_revision(engine)
            upgrade(engine)
        elif revision != HEAD_REVISION:
            upgrade(engine)
    except DatabaseOpenError:
        engine.dispose()
        raise
    except sa.exc.SQLAlchemyError as error:
        engine.dispose()
        reason = getattr(error, "orig", None) or error
        raise DatabaseOpenError(f"Cannot open {mask_url(url)}: {reason}") from error
    except Exception as error:  # a migration script may raise anything; the person gets a message
        engine.dispose()
        raise DatabaseOpenError(
            f"Upgrading {mask_url(url)} failed, and it was left as it was: {error}"
        ) from error
    # The daily automatic backup is not taken here: copying a large file would hold up the window.
    # The GUI starts it in the background after the first paint (Store.start_automatic_backup), and
    # Store.close() takes one when due.
    return engine


def _open_read_only(url: str, path: Path, revision: str | None, *, echo: bool) -> Engine:
    if revision is None:
        raise DatabaseOpenError(f"{path.name} is empty and read-only, so Taskforce cannot set it up.")
    if revision != head_revision():
        raise DatabaseOpenError(
            f"{path.name} is read-only and was made by an older Taskforce; it needs an upgrade, "
            "which needs permission to write it."
        )
    return create_engine(url, echo=echo, read_only=True)
