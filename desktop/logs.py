"""The log file: rotating, size-capped, passwords masked; with --verbose, SQL statements and their timing."""

from __future__ import annotations

import logging
import re
import sys
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

from desktop.folders import log_dir, make_private_dir

LOG_FILENAME = "taskforce.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
SQL_LOGGER = "desktop.sql"
MASK = "***"

# scheme://user:PASSWORD@host — the password runs to the last "@" before a slash or a space.
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:)[^\s/]+(?=@)")
# password=... in query strings and connection strings
_PASSWORD_PARAMETER = re.compile(r"(?P<head>\b(?:password|passwd|pwd)\s*=\s*)[^\s&;,]+", re.IGNORECASE)

_installed: list[logging.Handler] = []
_root_level_before: list[int] = []
_START_KEY = "taskforce_query_start"

log = logging.getLogger(__name__)
sql_log = logging.getLogger(SQL_LOGGER)


def mask_passwords(text: str) -> str:
    """The text with the password of every database URL (and password=... pair) replaced by ***."""
    text = _URL_PASSWORD.sub(rf"\g<head>{MASK}", text)
    return _PASSWORD_PARAMETER.sub(rf"\g<head>{MASK}", text)


class MaskPasswords(logging.Filter):
    """Safety net: no record leaves a handler with a database password in it, traceback included."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_passwords(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_passwords(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_passwords(record.stack_info)
        return True


class QuietRotatingFileHandler(RotatingFileHandler):
    """The log file, which never changes what a command does: a record it cannot write (a full disk,
    a folder taken away) is dropped without a word, where logging would print "--- Logging error ---"
    and closing would raise."""

    def handleError(self, record: logging.LogRecord) -> None:
        del record  # dropped: the log is no reason to fail, nor to talk on stderr

    def flush(self) -> None:
        try:
            super().flush()
        except OSError:
            pass

    def close(self) -> None:
        try:
            super().close()
        except OSError:
            pass  # the file is closed all the same; what was left in its buffer is dropped


def log_file() -> Path:
    return log_dir() / LOG_FILENAME


def setup_logging(*, verbose: bool = False) -> Path:
    """Log to the rotating file in folders.log_dir() (and to stderr with --verbose); return the file's path.

    Calling it again replaces the handlers it installed before (a new data dir, tests).
    """
    shutdown_logging()
    path = log_file()
    make_private_dir(path.parent)
    handlers: list[logging.Handler] = [
        QuietRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8")
    ]
    # A windowed program may have no stderr at all (Windows): then the file is the only place.
    if verbose and sys.stderr is not None:
        handlers.append(logging.StreamHandler(sys.stderr))
    root = logging.getLogger()
    _root_level_before.append(root.level)
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(MaskPasswords())
        root.addHandler(handler)
        _installed.append(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # Third-party chatter stays at warnings; our SQL timing replaces SQLAlchemy's own echo.
    for name in ("sqlalchemy", "alembic", "PIL", "asyncio"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if verbose:
        log_sql_timing()
    return path


def shutdown_logging() -> None:
    """Remove and close what setup_logging installed, and stop timing SQL."""
    root = logging.getLogger()
    while _installed:
        handler = _installed.pop()
        root.removeHandler(handler)
        handler.close()
    if _root_level_before:
        root.setLevel(_root_level_before.pop())
    stop_sql_timing()


# --- SQL statements with timing (--verbose) -----------------------------------


def _before_cursor_execute(
    connection: Any, _cursor: Any, _statement: str, _parameters: Any, _context: Any, _executemany: bool
) -> None:
    connection.info.setdefault(_START_KEY, []).append(time.perf_counter())


def _after_cursor_execute(
    connection: Any, _cursor: Any, statement: str, _parameters: Any, _context: Any, executemany: bool
) -> None:
    starts = connection.info.get(_START_KEY)
    if not starts:
        return
    elapsed_ms = (time.perf_counter() - starts.pop()) * 1000
    many = " (executemany)" if executemany else ""
    # Statements only: the values are people's data and stay out of the log.
    sql_log.debug("%.2f ms%s: %s", elapsed_ms, many, " ".join(statement.split()))


def log_sql_timing() -> None:
    """Log every statement any engine runs, with how long it took, to the desktop.sql logger."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "before_cursor_execute", _before_cursor_execute):
        event.listen(Engine, "before_cursor_execute", _before_cursor_execute)
        event.listen(Engine, "after_cursor_execute", _after_cursor_execute)


def stop_sql_timing() -> None:
    if "sqlalchemy" not in sys.modules:
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if event.contains(Engine, "before_cursor_execute", _before_cursor_execute):
        event.remove(Engine, "before_cursor_execute", _before_cursor_execute)
        event.remove(Engine, "after_cursor_execute", _after_cursor_execute)
