"""Store queries off the GUI thread: a small shared thread pool whose results come back as signals."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from desktop.errors import TaskforceError

log = logging.getLogger(__name__)

QUERY_THREADS = 4

_pool: QThreadPool | None = None


def query_pool() -> QThreadPool:
    """The pool every table model queries on; a few threads are plenty for paged reads."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(QUERY_THREADS)
    return _pool


def wait_for_queries(msecs: int = 30_000) -> bool:
    """Block until queued and running queries are done (before a store is closed)."""
    return _pool is None or _pool.waitForDone(msecs)


@dataclass(frozen=True)
class Outcome:
    """What a query returned (value) or why it failed (error, a message fit for a person)."""

    tag: Hashable
    value: Any = None
    error: str | None = None


class QueryRunner(QObject):
    """Runs callables on the query pool; `finished(Outcome)` arrives on the thread that owns the runner.

    The runner has no Qt parent on purpose: a job that outlives its model still has a live
    object to report to, and Qt drops the queued call once the model's connection is gone.
    """

    finished = Signal(object)

    def submit(self, tag: Hashable, work: Callable[[], Any]) -> None:
        query_pool().start(_Job(self, tag, work))


class _Job(QRunnable):
    def __init__(self, runner: QueryRunner, tag: Hashable, work: Callable[[], Any]) -> None:
        super().__init__()
        self._runner = runner
        self._tag = tag
        self._work = work

    def run(self) -> None:
        try:
            outcome = Outcome(self._tag, value=self._work())
        except TaskforceError as error:
            outcome = Outcome(self._tag, error=error.message)
        except Exception as error:
            log.exception("query failed")
            outcome = Outcome(self._tag, error=f"Reading the data failed: {error}")
        self._runner.finished.emit(outcome)
