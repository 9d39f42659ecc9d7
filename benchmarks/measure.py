"""What both sides of the benchmark share: "painted" detection, a stall probe, RSS, medians.

"Painted" means the view's viewport finished a paint in which every visible row had its data
(no placeholder) and the condition of the step held (e.g. the last row is on screen). The time
is taken when the event loop returns from that paint, so it includes the paint itself.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QModelIndex, QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QTableView

# Offscreen unless told otherwise: the benchmark paints real widgets without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PAINT_TIMEOUT_S = 120.0
NUDGE_MS = 250
RESULT_PREFIX = "BENCH-RESULT "


def peak_rss_mb() -> float:
    """The process's peak resident set size (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def visible_rows(view: QTableView) -> range:
    """The model rows the viewport shows now (partly shown rows included)."""
    model = view.model()
    count = model.rowCount()
    if count == 0:
        return range(0)
    top = view.rowAt(0)
    bottom = view.rowAt(view.viewport().height() - 1)
    top = max(top, 0)
    bottom = count - 1 if bottom < 0 else bottom
    return range(top, bottom + 1)


class PaintWatch(QObject):
    """Notices every paint of a viewport and whether the rows it showed were ready."""

    def __init__(self, view: QAbstractItemView, ready: Callable[[], bool]) -> None:
        super().__init__(view)
        self._view = view
        self.ready = ready
        self.satisfied = False
        self.loop: QEventLoop | None = None
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.satisfied and self.ready():
            self.satisfied = True
            if self.loop is not None:
                # quit() takes effect once this paint has been handled: the time includes the paint.
                self.loop.quit()
        return False

    def close(self) -> None:
        self._view.viewport().removeEventFilter(self)
        self.deleteLater()


class Timeout(RuntimeError):
    pass


def wait_painted(
    view: QAbstractItemView,
    ready: Callable[[], bool],
    action: Callable[[], None] | None = None,
    timeout_s: float = PAINT_TIMEOUT_S,
) -> float:
    """Run action, then wait until the view has painted with ready() true; seconds from the action."""
    watch = PaintWatch(view, ready)
    loop = QEventLoop()
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    # A step that changes nothing on screen still gets a paint to be judged by, but late enough
    # not to add a paint to the steps being timed (the action's own changes repaint the view).
    nudge = QTimer()
    nudge.setInterval(NUDGE_MS)
    nudge.timeout.connect(view.viewport().update)
    started = time.perf_counter()
    try:
        if action is not None:
            action()
        if not watch.satisfied:
            watch.loop = loop
            guard.start(int(timeout_s * 1000))
            nudge.start()
            loop.exec()
        elapsed = time.perf_counter() - started
        if not watch.satisfied:
            raise Timeout(f"the view did not paint the expected rows within {timeout_s:.0f} s")
        return elapsed
    finally:
        guard.stop()
        nudge.stop()
        watch.close()


def page_down_to(view: QTableView, last_row: int, rows_shown: Callable[[], bool]) -> int:
    """Press Page Down until the current row reaches last_row, each page painted with its rows; the pages."""
    pages = 0
    while view.currentIndex().row() < last_row:
        before = view.currentIndex().row()

        def moved(before: int = before) -> bool:
            row = view.currentIndex().row()
            return row > before and row in visible_rows(view) and rows_shown()

        wait_painted(view, moved, lambda: QTest.keyClick(view, Qt.Key.Key_PageDown))
        pages += 1
    return pages


def settle(ms: int = 50) -> None:
    """Let queued events (late paints, finished queries) run out before the next measurement."""
    deadline = time.perf_counter() + ms / 1000
    while time.perf_counter() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        time.sleep(0.002)


def wait_until(condition: Callable[[], bool], timeout_s: float = PAINT_TIMEOUT_S) -> None:
    """Process events until condition() holds (untimed preparation of a step)."""
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            raise Timeout(f"not ready within {timeout_s:.0f} s")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        time.sleep(0.002)


def open_editor(view: QAbstractItemView, index: QModelIndex) -> QLineEdit:
    """Start editing a cell as a person does and return its line edit."""
    view.setCurrentIndex(index)
    view.edit(index)
    editors = [editor for editor in view.viewport().findChildren(QLineEdit) if editor.isVisible()]
    if not editors:
        raise RuntimeError(f"no editor opened on row {index.row()}, column {index.column()}")
    editors[0].setFocus()
    return editors[0]


class StallProbe(QObject):
    """A timer that should fire every interval_ms; the longest gap between ticks is the worst stall."""

    def __init__(self, interval_ms: int = 5) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self.max_gap_ms = 0.0

    def start(self) -> None:
        self.max_gap_ms = 0.0
        self._last = time.perf_counter()
        self._timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.max_gap_ms = max(self.max_gap_ms, (now - self._last) * 1000)
        self._last = now

    def stop(self) -> float:
        self._tick()
        self._timer.stop()
        return self.max_gap_ms


@dataclass
class Step:
    """The runs of one measured step, in seconds, and the worst event-loop stall seen during them."""

    runs: list[float] = field(default_factory=list)
    stall_ms: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "median_ms": round(statistics.median(self.runs) * 1000, 2) if self.runs else None,
            "runs_ms": [round(r * 1000, 2) for r in self.runs],
            "max_stall_ms": round(self.stall_ms, 1),
            **self.extra,
        }


def measure(runs: int, once: Callable[[], float], before: Callable[[], None] | None = None) -> Step:
    """Median material: `before` (untimed) then `once` (timed), runs times, under a stall probe."""
    step = Step()
    probe = StallProbe()
    for _ in range(runs):
        if before is not None:
            before()
        settle()
        probe.start()
        step.runs.append(once())
        step.stall_ms = max(step.stall_ms, probe.stop())
    return step


def json_object(text: str) -> dict[str, Any]:
    """A command-line argument that must be a JSON object (argparse reports anything else)."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("expected a JSON object")
    return value


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    return QApplication(sys.argv[:1])


def emit_result(result: dict[str, Any]) -> None:
    """One line the orchestrator picks out of this process's output; then leave without Qt's teardown."""
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    # PySide6 can crash while tearing down after QtSql; the figures are already out.
    os._exit(0)
