"""`taskforce export`, `taskforce import` and `taskforce copy`, and backup/restore of a server database.

Exit status: 0 done; 1 failed (or rows were rejected and nothing was written); 2 not possible as asked.
Heavy modules are imported inside the commands, so that `taskforce --help` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.command_line import CommandSpec, complain, database_url, say

if TYPE_CHECKING:
    from desktop.store import Entity, Store

ENTITY_CHOICES = ("tasks", "users", "heroes", "teams", "items")
FORMAT_CHOICES = ("csv", "json", "ndjson", "xlsx")


def _url_or_file(text: str) -> str:
    """A database URL as given, or the SQLite URL of a file path."""
    from desktop import db

    if "://" in text:
        return text
    return db.sqlite_url(Path(text).expanduser().resolve())


class _Meter:
    """Progress on standard error: a line that updates in a terminal, a line per tenth otherwise."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.tty = sys.stderr.isatty()
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        self._show(percent, f"{self.what}: {done:,} of {total:,} rows ({percent}%)")

    def read(self, done: int, fraction: float) -> None:
        """For an import: rows read so far, and how far into the file that is."""
        percent = int(100 * fraction)
        self._show(percent, f"{self.what}: {done:,} rows, {percent}% of the file")

    def _show(self, percent: int, text: str) -> None:
        if self.tty:
            sys.stderr.write(f"\r{text}")
        elif percent // 10 != self.shown:
            self.shown = percent // 10
            sys.stderr.write(f"{text}\n")
        sys.stderr.flush()

    def done(self) -> None:
        if self.tty:
            sys.stderr.write("\n")


def _open_store(args: argparse.Namespace) -> Store | None:
    from desktop.errors import TaskforceError
    from desktop.store import Store

    try:
        return Store.open(database_url(args))
    except TaskforceError as error:
        complain(error.message)
        return None


# --- export ------------------------------------------------------------------------------------------


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("entity", choices=ENTITY_CHOICES, metavar="ENTITY", help=" ".join(ENTITY_CHOICES))
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the file to write; - for standard output"
    )
    parser.add_argument("--format", choices=FORMAT_CHOICES, help="default: from the file name, else csv")
    parser.add_argument("--status", help="tasks only: todo, in_progress or done")
    parser.add_argument("--owner", metavar="NAME", help="tasks only: the owner's username")
    parser.add_argument(
        "--search", metavar="TEXT", help="only rows whose text holds TEXT, as in the search box"
    )
    parser.add_argument("--sort", metavar="FIELD", help="sort by this field (default: as the window does)")
    parser.add_argument("--descending", action="store_true", help="sort from the last to the first")
    parser.add_argument(
        "--bom", action="store_true", help="CSV: start with a byte order mark (for spreadsheets)"
    )


def _export_filters(store: Store, entity: Entity, args: argparse.Namespace) -> dict[str, Any] | None:
    from desktop.models import TaskStatus

    filters: dict[str, Any] = {}
    if (args.status or args.owner) and entity.name != "task":
        complain("--status and --owner apply to tasks only")
        return None
    if args.status:
        if args.status not in {status.value for status in TaskStatus}:
            complain(f"--status must be one of {', '.join(s.value for s in TaskStatus)}")
            return None
        filters["status"] = args.status
    if args.owner:
        owner = next((row_id for row_id, name in store.users.names() if name == args.owner), None)
        if owner is None:
            complain(f"no user named {args.owner!r}")
            return None
        filters["owner_id"] = owner
    return filters


def _sort_key(entity: Entity, sort: str | None) -> tuple[bool, str | None]:
    from desktop.transfer.fields import export_columns

    if sort is None:
        return True, None
    if sort not in export_columns(entity):
        complain(
            f"{entity.plural} cannot be sorted by {sort!r}: choose one of {', '.join(export_columns(entity))}"
        )
        return False, None
    return True, sort


def run_export(args: argparse.Namespace) -> int:
    from desktop.errors import TaskforceError
    from desktop.transfer.exporting import ExportRequest, export_rows
    from desktop.transfer.fields import entity_named
    from desktop.transfer.readers import FileFormat, ReadError, format_of

    entity = entity_named(args.entity)
    target = None if args.output == "-" else Path(args.output)
    if args.format or target is None:
        file_format = FileFormat(args.format or "csv")
    else:
        try:
            file_format = format_of(target)
        except ReadError:
            file_format = FileFormat.CSV
    ok, order_by = _sort_key(entity, args.sort)
    if not ok:
        return 2
    store = _open_store(args)
    if store is None:
        return 1
    try:
        filters = _export_filters(store, entity, args)
        if filters is None:
            return 2
        request = ExportRequest(
            entity, file_format, args.search, order_by, args.descending, filters, bom=args.bom
        )
        result = export_rows(store, request, target)
    except TaskforceError as error:
        complain(error.message)
        return 1
    finally:
        store.close()
    if target is not None:
        say(result.summary(entity))
    return 0


# --- import ------------------------------------------------------------------------------------------


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("entity", choices=ENTITY_CHOICES, metavar="ENTITY", help=" ".join(ENTITY_CHOICES))
    parser.add_argument(
        "file", type=Path, metavar="FILE", help="CSV, JSON (a list of objects), NDJSON or .xlsx"
    )
    parser.add_argument("--format", choices=FORMAT_CHOICES, help="default: from the file name")
    parser.add_argument("--encoding", help="CSV/JSON text encoding (default: detected)")
    parser.add_argument("--delimiter", help="CSV column separator, e.g. ';' or tab (default: detected)")
    parser.add_argument("--dry-run", action="store_true", help="check every row and write nothing")
    parser.add_argument(
        "--valid-only", action="store_true", help="import the valid rows even if others are rejected"
    )


def run_import(args: argparse.Namespace) -> int:
    from desktop.errors import TaskforceError
    from desktop.transfer.fields import entity_named
    from desktop.transfer.importing import Importer
    from desktop.transfer.readers import ReadError, format_of, open_rows

    entity = entity_named(args.entity)
    try:
        file_format = format_of(args.file, args.format)
        rows = open_rows(args.file, file_format, encoding=args.encoding, delimiter=args.delimiter)
    except (ReadError, ValueError) as error:
        complain(str(error))
        return 1
    store = _open_store(args)
    if store is None:
        rows.close()
        return 1
    meter = _Meter("checking" if args.dry_run else "importing")
    try:
        importer = Importer(store, entity, rows, file_format)
        result = importer.run(dry_run=args.dry_run, valid_only=args.valid_only, progress=meter.read)
    except (TaskforceError, ReadError) as error:
        complain(error.message if isinstance(error, TaskforceError) else str(error))
        return 1
    finally:
        meter.done()
        rows.close()
        store.close()
    for header in result.skipped_columns:
        complain(f"column {header!r} is not a {entity.label.lower()} field: skipped")
    for rejection in result.rejected:
        say(str(rejection))
    say(result.summary())
    return 1 if result.rejected and not result.written else 0


# --- copy --------------------------------------------------------------------------------------------


def _copy_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="source", metavar="URL", help="database to copy (default: the one Taskforce opens)"
    )
    parser.add_argument(
        "--to", dest="target", required=True, metavar="URL", help="database URL or SQLite file"
    )
    parser.add_argument("--replace", action="store_true", help="delete the rows the target holds first")


def run_copy(args: argparse.Namespace) -> int:
    from desktop.errors import TaskforceError
    from desktop.transfer.copying import copy_database

    source = _url_or_file(args.source) if args.source else database_url(args)
    meter = _Meter("copying")
    try:
        result = copy_database(source, _url_or_file(args.target), replace=args.replace, progress=meter)
    except TaskforceError as error:
        meter.done()
        complain(error.message)
        return 1
    meter.done()
    say(result.summary())
    return 0


# --- backup and restore of a server database (called by `taskforce backup` / `restore`) ---------------


def back_up_server_command(args: argparse.Namespace) -> int:
    from desktop.errors import TaskforceError
    from desktop.transfer.copying import plural
    from desktop.transfer.server_backup import back_up_server, list_server_backups

    url = database_url(args)
    if getattr(args, "list", False):
        found = list_server_backups(url)
        if not found:
            say("There are no backups of this server database yet.")
        for path in found:
            say(f"{path.stat().st_size:>12,} bytes  {path}")
        return 0
    meter = _Meter("backing up")
    try:
        path, result = back_up_server(url, progress=meter)
    except TaskforceError as error:
        meter.done()
        complain(error.message)
        return 1
    meter.done()
    counts = ", ".join(f"{table.rows:,} {plural(table.name)}" for table in result.tables)
    say(f"Backed up and verified {result.source}: {counts}.")
    say(str(path))
    return 0


def restore_server_command(args: argparse.Namespace) -> int:
    from desktop.errors import TaskforceError
    from desktop.transfer.server_backup import restore_server

    url = database_url(args)
    chosen = Path(args.file).expanduser().resolve()
    meter = _Meter("restoring")
    try:
        kept, result = restore_server(url, chosen, progress=meter)
    except TaskforceError as error:
        meter.done()
        complain(error.message)
        return 1
    meter.done()
    say(f"Restored {result.target} from {chosen}: {result.rows:,} rows, checksums agree.")
    say(f"The data it held before is kept in {kept}")
    return 0


TRANSFER_COMMANDS: list[CommandSpec] = [
    (
        "export",
        "write tasks, users, heroes, teams or items to a CSV, JSON, NDJSON or .xlsx file",
        _export_arguments,
        run_export,
    ),
    (
        "import",
        "read rows from a CSV, JSON, NDJSON or .xlsx file, checked like the edit dialog",
        _import_arguments,
        run_import,
    ),
    (
        "copy",
        "copy a whole database to another (SQLite, PostgreSQL, MariaDB), verified",
        _copy_arguments,
        run_copy,
    ),
]
