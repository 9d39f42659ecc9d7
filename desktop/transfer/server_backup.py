"""Backups of a server database without the server's tools: a verified copy into an SQLite file.

Such a file is an ordinary Taskforce database: it opens in the window, and restoring it onto a
server copies it back (after the server's current rows were backed up the same way).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from desktop import db
from desktop.transfer.copying import CopyProgress, CopyResult, copy_database

STAMP_FORMAT = "%Y%m%dT%H%M%SZ"


def server_backups_dir() -> Path:
    return db.data_dir() / "backups"


def server_label(url: str) -> str:
    """A file-name-safe name for a server database: backend, host and database name."""
    parsed = make_url(url)
    words = [parsed.get_backend_name(), parsed.host or "local", parsed.database or ""]
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", "-".join(word for word in words if word))


def list_server_backups(url: str) -> list[Path]:
    folder = server_backups_dir()
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{server_label(url)}-*.db"), reverse=True)


def back_up_server(
    url: str, *, reason: str = "manual", progress: CopyProgress | None = None, now: datetime | None = None
) -> tuple[Path, CopyResult]:
    """Copy the server database into a new SQLite file in the backups folder: that file and the report."""
    moment = (now or datetime.now(UTC)).strftime(STAMP_FORMAT)
    folder = server_backups_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{server_label(url)}-{moment}-{reason}.db"
    partial = path.with_name(f".{path.name}.partial")
    for leftover in (
        partial,
        partial.with_name(partial.name + "-wal"),
        partial.with_name(partial.name + "-shm"),
    ):
        leftover.unlink(missing_ok=True)
    try:
        result = copy_database(url, db.sqlite_url(partial), progress=progress)
        _fold_write_ahead_log(partial)
        partial.replace(path)
    finally:
        for leftover in (
            partial,
            partial.with_name(partial.name + "-wal"),
            partial.with_name(partial.name + "-shm"),
        ):
            leftover.unlink(missing_ok=True)
    return path, result


def _fold_write_ahead_log(path: Path) -> None:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode = DELETE")


def restore_server(
    url: str, chosen: Path, *, progress: CopyProgress | None = None
) -> tuple[Path, CopyResult]:
    """Replace the server's rows with those of a Taskforce SQLite file; the server's rows are backed up first.

    Returns the backup of what the server held, and the copy's report.
    """
    from desktop import backup

    backup.verify(chosen)
    kept, _ = back_up_server(url, reason="before-restore")
    result = copy_database(db.sqlite_url(chosen), url, replace=True, progress=progress)
    return kept, result
