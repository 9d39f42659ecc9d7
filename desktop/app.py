"""Command line and GUI entry point: `taskforce`, `python -m desktop`."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from desktop import __version__


def build_parser() -> argparse.ArgumentParser:
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
    from desktop.ui.application import run_gui

    return run_gui(args)
