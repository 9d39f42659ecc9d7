"""`taskforce backup`, `taskforce restore FILE` and `taskforce check`: data safety from a terminal.

Each returns an exit status: 0 done (or healthy), 1 failed (or problems found), 2 not possible here.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.command_line import CommandSpec, complain, database_url, say

if TYPE_CHECKING:
    from desktop.backup import CheckReport


IN_MEMORY = "is an in-memory database: it is empty when it opens and gone when the program ends."


SERVER = "server"


def _database(args: argparse.Namespace) -> Path | str | None:
    """The SQLite file the command works on, or SERVER for a server database; None (and a message)
    for a URL that is not one, or an in-memory database."""
    from desktop import db
    from desktop.errors import DatabaseOpenError

    url = database_url(args)
    try:
        parsed = db.parse_url(url)
    except DatabaseOpenError as error:
        complain(error.message)
        return None
    path = db.sqlite_path(parsed)
    if path is not None:
        return path
    if parsed.get_backend_name() == "sqlite":
        complain(f"{db.mask_url(url)} {IN_MEMORY}")
        return None
    return SERVER


# --- backup ------------------------------------------------------------------------------------------


def _backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--list", action="store_true", help="list the backups instead of making one")


def run_backup(args: argparse.Namespace) -> int:
    from desktop import backup
    from desktop.errors import TaskforceError

    path = _database(args)
    if path is None:
        return 2
    if not isinstance(path, Path):
        from desktop.transfer.cli import back_up_server_command

        return back_up_server_command(args)
    if args.list:
        backups = backup.list_backups(path)
        if not backups:
            say(f"There are no backups of {path} yet.")
        for info in backups:
            when = info.created.astimezone().strftime("%Y-%m-%d %H:%M")
            say(f"{when}  {info.size:>12,} bytes  {info.reason_label:<18}  {info.path}")
        return 0
    try:
        info = backup.create_backup(path, backup.MANUAL)
        counts = backup.describe_counts(backup.row_counts(info.path))
    except TaskforceError as error:
        complain(error.message)
        return 1
    say(f"Backed up and verified {path}: {counts}.")
    say(str(info.path))
    return 0


# --- restore -----------------------------------------------------------------------------------------


def _restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="the backup to restore (see: backup --list)")


def run_restore(args: argparse.Namespace) -> int:
    from desktop import backup
    from desktop.errors import TaskforceError
    from desktop.lock import single_instance_lock

    path = _database(args)
    if path is None:
        return 2
    if not isinstance(path, Path):
        from desktop.transfer.cli import restore_server_command

        return restore_server_command(args)
    chosen = Path(args.file).expanduser().resolve()
    try:
        # Held until the restore is done: no window may open the file meanwhile. The restore itself
        # waits for other programs that use the file (the database lock) and refuses when they stay.
        lock = single_instance_lock(path)
    except TaskforceError as error:
        complain(error.message)
        return 1
    try:
        previous = backup.restore(path, chosen)
    except TaskforceError as error:
        complain(error.message)
        return 1
    finally:
        if lock is not None:
            lock.release()
    say(f"Restored {path} from {chosen}.")
    if previous is not None:
        say(f"The data it held before is kept in {previous}")
    return 0


# --- check -------------------------------------------------------------------------------------------


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def run_check(args: argparse.Namespace) -> int:
    from desktop import backup, db
    from desktop.errors import TaskforceError

    url = database_url(args)
    try:
        parsed = db.parse_url(url)
    except TaskforceError as error:
        complain(error.message)
        return 2
    path = db.sqlite_path(parsed)
    if path is not None:
        if path.is_dir():
            complain(f"{path} is a folder, not a database file.")
            return 1
        if not path.is_file():
            complain(f"There is no database at {path}.")
            return 1
        report = backup.check_file(path)
    elif parsed.get_backend_name() == "sqlite":
        complain(f"{db.mask_url(url)} {IN_MEMORY}")
        return 2
    else:
        reached = _check_server(url)
        if reached is None:
            return 1
        report = reached
    say(report.text)
    return 0 if report.ok else 1


def _check_server(url: str) -> CheckReport | None:
    """The check of a server database; None (and a message) when it cannot be reached or used."""
    import sqlalchemy as sa

    from desktop import backup, db
    from desktop.errors import TaskforceError

    try:
        engine = db.create_engine(url)
    except TaskforceError as error:
        complain(error.message)
        return None
    try:
        return backup.check_server(engine)
    except sa.exc.SQLAlchemyError as error:
        complain(f"Cannot check {db.mask_url(url)}: {getattr(error, 'orig', None) or error}")
        return None
    finally:
        engine.dispose()


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
