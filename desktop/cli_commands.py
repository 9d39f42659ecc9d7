"""`taskforce backup`, `taskforce restore FILE` and `taskforce check`: data safety from a terminal.

Each returns an exit status: 0 done (or healthy), 1 failed (or problems found), 2 not possible here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

CommandSpec = tuple[str, str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def _complain(text: str) -> None:
    sys.stderr.write(f"taskforce: {text}\n")


def _database_url(args: argparse.Namespace) -> str:
    from desktop import db

    return str(getattr(args, "database_url", None) or db.default_database_url())


def _database_file(args: argparse.Namespace) -> Path | None:
    """The SQLite file the command works on; None (and a message) for a server database."""
    from desktop import db

    url = _database_url(args)
    path = db.sqlite_path(url)
    if path is None:
        _complain(
            f"{db.mask_url(url)} is a server database: back it up and restore it with the server's "
            "own tools (pg_dump / pg_restore, mariadb-dump)."
        )
    return path


# --- backup ------------------------------------------------------------------------------------------


def _backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--list", action="store_true", help="list the backups instead of making one")


def run_backup(args: argparse.Namespace) -> int:
    from desktop import backup
    from desktop.errors import TaskforceError

    path = _database_file(args)
    if path is None:
        return 2
    if args.list:
        backups = backup.list_backups(path)
        if not backups:
            _say(f"There are no backups of {path} yet.")
        for info in backups:
            when = info.created.astimezone().strftime("%Y-%m-%d %H:%M")
            _say(f"{when}  {info.size:>12,} bytes  {info.reason_label:<18}  {info.path}")
        return 0
    try:
        info = backup.create_backup(path, backup.MANUAL)
        counts = backup.describe_counts(backup.row_counts(info.path))
    except TaskforceError as error:
        _complain(error.message)
        return 1
    _say(f"Backed up and verified {path}: {counts}.")
    _say(str(info.path))
    return 0


# --- restore -----------------------------------------------------------------------------------------


def _restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="the backup to restore (see: backup --list)")


def run_restore(args: argparse.Namespace) -> int:
    from desktop import backup
    from desktop.errors import TaskforceError
    from desktop.ui.file_lock import single_instance_lock

    path = _database_file(args)
    if path is None:
        return 2
    chosen = Path(args.file).expanduser().resolve()
    try:
        # Held until the restore is done: no window may open the file meanwhile.
        lock = single_instance_lock(path)
    except TaskforceError as error:
        _complain(error.message)
        return 1
    try:
        previous = backup.restore(path, chosen)
    except TaskforceError as error:
        _complain(error.message)
        return 1
    finally:
        if lock is not None:
            lock.unlock()
    _say(f"Restored {path} from {chosen}.")
    if previous is not None:
        _say(f"The data it held before is kept in {previous}")
    return 0


# --- check -------------------------------------------------------------------------------------------


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def run_check(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from desktop import backup, db

    url = _database_url(args)
    path = db.sqlite_path(url)
    if path is not None:
        if not path.is_file():
            _complain(f"There is no database at {path}.")
            return 1
        report = backup.check_file(path)
    else:
        engine = db.create_engine(url)
        try:
            report = backup.check_server(engine)
        except sa.exc.SQLAlchemyError as error:
            _complain(f"Cannot check {db.mask_url(url)}: {getattr(error, 'orig', None) or error}")
            return 1
        finally:
            engine.dispose()
    _say(report.text)
    return 0 if report.ok else 1


SAFETY_COMMANDS: list[CommandSpec] = [
    ("backup", "back up the database now (verified), or --list its backups", _backup_arguments, run_backup),
    (
        "restore",
        "replace the database with a backup (the current data is kept)",
        _restore_arguments,
        run_restore,
    ),
    ("check", "check the database for damage and broken references", _check_arguments, run_check),
]
