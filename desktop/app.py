"""Command line and GUI entry point: `taskforce`, `python -m desktop`."""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from desktop import __version__
from desktop.api.cli import API_COMMANDS
from desktop.cli_commands import SAFETY_COMMANDS
from desktop.transfer.cli import TRANSFER_COMMANDS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Command:
    """A subcommand, `taskforce NAME ...`, that runs in place of the window."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]  # returns the exit status


# The subcommands `taskforce` knows; without one on the command line, the window opens.
COMMANDS: list[Command] = [Command(*spec) for spec in [*SAFETY_COMMANDS, *TRANSFER_COMMANDS, *API_COMMANDS]]


def build_parser(commands: Sequence[Command] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="taskforce", description="Taskforce: tasks, users, heroes, teams and items."
    )
    parser.add_argument("--version", action="version", version=f"Taskforce {__version__}")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TASKFORCE_DATABASE_URL"),
        help="SQLAlchemy URL of the database (default: taskforce.db in the data dir)",
    )
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("TASKFORCE_DATA_DIR"),
        help="folder for the default database, backups and logs (env TASKFORCE_DATA_DIR)",
    )
    parser.add_argument("--verbose", action="store_true", help="log SQL statements with their timing")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation in a temporary folder (your data is not touched), print the result "
        "and exit",
    )
    commands = COMMANDS if commands is None else commands
    if commands:
        subparsers = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
        for command in commands:
            subparser = subparsers.add_parser(command.name, help=command.help, description=command.help)
            command.add_arguments(subparser)
            subparser.set_defaults(run=command.run)
    return parser


def apply_environment(args: argparse.Namespace) -> None:
    """Make --data-dir and --database-url visible to every layer below (db.data_dir, migrations)."""
    if args.data_dir:
        os.environ["TASKFORCE_DATA_DIR"] = os.path.abspath(os.path.expanduser(args.data_dir))
    if args.database_url:
        os.environ["TASKFORCE_DATABASE_URL"] = args.database_url


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    apply_environment(args)
    if args.self_test:
        from desktop.selftest import run_self_test

        return run_self_test(verbose=args.verbose)

    from desktop.logs import setup_logging, shutdown_logging

    log_path: Path | None
    try:
        log_path = setup_logging(verbose=args.verbose)
    except OSError:  # no writable log folder: run without a log file rather than not at all
        log_path = None
    log.info("Taskforce %s starting", __version__)
    try:
        command: Callable[[argparse.Namespace], int] | None = getattr(args, "run", None)
        if command is not None:
            return command(args)
        return start_gui(args, log_path)
    finally:
        log.info("Taskforce %s stopping", __version__)
        shutdown_logging()


def start_gui(args: argparse.Namespace, log_path: Path | None) -> int:
    """The window, with unexpected errors shown in a dialog, including those before the window exists."""
    from desktop.ui.source_reads import stop_reading_sources

    stop_reading_sources()
    from desktop.ui.crash import CrashHandler

    crash = CrashHandler(log_path)
    crash.install()
    try:
        from desktop.ui import coldstart

        if coldstart.requested():
            coldstart.install()
        from desktop.ui.application import run_gui

        return run_gui(args)
    except Exception as error:
        crash.report_startup_failure(error)
        return 1
    finally:
        crash.uninstall()
