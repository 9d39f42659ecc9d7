"""Helpers for the table core's tests: the owner's side of a core, played without Qt."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from typing import Any

from desktop.store import Change, Record
from desktop.table import Pending, TableCore, TableEvents


class Owner(TableEvents):
    """The thread a core belongs to, as a test plays it: posted calls wait in a queue until run."""

    def __init__(self) -> None:
        self._calls: queue.Queue[Callable[[], None]] = queue.Queue()
        self.events: list[tuple[Any, ...]] = []
        self.gone = False

    def post(self, call: Callable[[], None]) -> None:
        if self.gone:
            raise RuntimeError("the owner is gone")
        self._calls.put(call)

    def run_until(self, done: Callable[[], bool], timeout: float = 5.0) -> None:
        """Run posted calls, as an event loop would, until done() holds."""
        deadline = time.monotonic() + timeout
        while not done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("the core did not get there in time")
            try:
                self._calls.get(timeout=min(remaining, 0.05))()
            except queue.Empty:
                continue

    def settle(self, core: TableCore) -> None:
        self.run_until(lambda: core.is_idle() and core.counted)

    def named(self, name: str) -> list[tuple[Any, ...]]:
        return [event[1:] for event in self.events if event[0] == name]

    def reset(self, apply: Callable[[], None]) -> None:
        self.events.append(("reset",))
        apply()

    def resize(self, old_count: int, new_count: int, apply: Callable[[], None]) -> None:
        self.events.append(("resize", old_count, new_count))
        apply()

    def rows_changed(self, first: int, last: int) -> None:
        self.events.append(("rows_changed", first, last))

    def counts_changed(self, shown: int, total: int) -> None:
        self.events.append(("counts_changed", shown, total))

    def loaded(self) -> None:
        self.events.append(("loaded",))

    def error(self, message: str) -> None:
        self.events.append(("error", message))

    def store_changed(self, change: Change) -> None:
        self.events.append(("store_changed", change))

    def row_followed(self, row_id: int, row: int) -> None:
        self.events.append(("row_followed", row_id, row))

    def row_located(self, row_id: int, row: int | None) -> None:
        self.events.append(("row_located", row_id, row))

    def pending_changed(self, work: Pending | None) -> None:
        self.events.append(("pending_changed", work))

    def estimated(self, count: int) -> None:
        self.events.append(("estimated", count))


def titles(record: Record[Any]) -> tuple[str | None, ...]:
    """A row's display texts, as the tests read them: its id and its name or title."""
    read = record.read
    return (str(read.id), str(getattr(read, "title", None) or getattr(read, "name", None)))
