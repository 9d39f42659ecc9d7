"""Opening a database: check the file, back it up before a migration, migrate to head, return the engine.

Above desktop.db (engines, checks, migrations) and desktop.backup (backups), so that neither needs
the other's upward half.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from desktop import backup, db
from desktop.errors import DatabaseOpenError, TaskforceError


def pre_migration_backup(path: Path, revision: str) -> Path:
    """A verified backup, in the backups folder, before the file is migrated from `revision`."""
    try:
        return backup.create_backup(path, backup.before_upgrade(revision)).path
    except TaskforceError as error:
        raise DatabaseOpenError(
            f"{path.name} needs an upgrade, but it could not be backed up first, so it was left "
            f"as it was. {error.message}"
        ) from error


def open_engine(url: str, *, echo: bool = False) -> Engine:
    """Check, back up when needed, migrate to head, and return a ready engine."""
    db.parse_url(url)
    path = db.sqlite_path(url)
    if path is not None:
        try:
            revision = db.inspect_sqlite_file(path)
            db.make_companions_writable(path)
            if path.exists() and not db.can_write(path):
                return _open_read_only(url, path, revision, echo=echo)
            db.prepare_sqlite_file(path)
            if not path.with_name(path.name + "-shm").exists() and db.disk_is_full(path, db.SHM_BYTES):
                raise db.disk_full_error(path)  # before a connection leaves an empty -wal and -shm behind
            if revision is not None and revision != db.head_revision():
                pre_migration_backup(path, revision)
        except (OSError, sqlite3.Error) as error:
            if _disk_full(path, error):
                raise db.disk_full_error(path) from error
            problem = error.strerror if isinstance(error, OSError) and error.strerror else error
            raise DatabaseOpenError(f"Cannot open {path}: {problem}.") from error
    engine = db.create_engine(url, echo=echo)
    try:
        if path is None:
            db.server_revision(engine)
            db.upgrade(engine)
        elif revision != db.HEAD_REVISION:
            db.upgrade(engine)
        else:
            # The first connection sets up the write-ahead log: a full disk shows now, as such, and
            # not at the first save.
            engine.connect().close()
    except DatabaseOpenError:
        engine.dispose()
        raise
    except sa.exc.SQLAlchemyError as error:
        engine.dispose()
        reason = getattr(error, "orig", None) or error
        if path is not None and isinstance(reason, BaseException) and _disk_full(path, reason):
            raise db.disk_full_error(path) from error
        raise DatabaseOpenError(f"Cannot open {db.mask_url(url)}: {reason}") from error
    except Exception as error:  # a migration script may raise anything; the person gets a message
        engine.dispose()
        raise DatabaseOpenError(
            f"Upgrading {db.mask_url(url)} failed, and it was left as it was: {error}"
        ) from error
    # The daily automatic backup is not taken here: copying a large file would hold up the window.
    # The GUI starts it in the background after the first paint (Store.start_automatic_backup), and
    # Store.close() takes one when due.
    return engine


def _disk_full(path: Path, error: BaseException) -> bool:
    """Whether an error while opening the file comes from a full disk (not from the file)."""
    if isinstance(error, OSError):
        return error.errno == errno.ENOSPC or (error.errno == errno.EIO and db.disk_is_full(path))
    if isinstance(error, sqlite3.Error):
        code = db.sqlite_error_code(error)
        return code in (db.SQLITE_FULL, db.SQLITE_IOERR, db.SQLITE_CANTOPEN) and db.disk_is_full(path)
    return False


def _open_read_only(url: str, path: Path, revision: str | None, *, echo: bool) -> Engine:
    if revision is None:
        raise DatabaseOpenError(f"{path.name} is empty and read-only, so Taskforce cannot set it up.")
    if revision != db.head_revision():
        raise DatabaseOpenError(
            f"{path.name} is read-only and was made by an older Taskforce; it needs an upgrade, "
            "which needs permission to write it."
        )
    return db.create_engine(url, echo=echo, read_only=True)
