"""Store queries off the GUI thread for widgets: the table core's query pool, results back as signals."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.table import Result, wait_for_queries
from desktop.table.workers import run_in_background

__all__ = ["Outcome", "QueryRunner", "wait_for_queries"]


@dataclass(frozen=True)
class Outcome:
    """What a query returned (value) or why it failed (error, a message fit for a person)."""

    tag: Hashable
    value: Any = None
    error: str | None = None


class QueryRunner(QObject):
    """Runs callables on the query pool; `finished(Outcome)` arrives on the thread that owns the runner.

    The runner has no Qt parent on purpose: a job that outlives its widget still has a live
    object to report to, and Qt drops the queued call once the widget's connection is gone.
    """

    finished = Signal(object)

    def submit(self, tag: Hashable, work: Callable[[], Any]) -> None:
        def deliver(result: Result[Any]) -> None:
            self.finished.emit(Outcome(tag, result.value, result.error))

        run_in_background(work, deliver)
