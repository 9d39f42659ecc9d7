"""What every command of the command line shares: how it is declared, and how it speaks."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

# (name, help, add its arguments to a parser, run it and return the exit status)
CommandSpec = tuple[str, str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def complain(text: str) -> None:
    sys.stderr.write(f"taskforce: {text}\n")


def database_url(args: argparse.Namespace) -> str:
    """The URL the global --database-url gave, or the default database."""
    from desktop import db

    return str(getattr(args, "database_url", None) or db.default_database_url())
