"""Store calls off the GUI thread for widgets, on the table core's query pool.

Reads that may arrive whenever they are ready go through `QueryRunner` (results back as signals);
writes the person waits for (Save, Undo, Delete, opening a database) through `run_off_gui_thread`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from desktop.db import APP_NAME, mask_url, sqlite_path
from desktop.errors import DatabaseOpenError
from desktop.table import Result, wait_for_queries
from desktop.table.workers import run_in_background, submit
from desktop.ui.progress import ProgressDialog

__all__ = ["Outcome", "QueryRunner", "opening_text", "run_off_gui_thread", "wait_for_queries"]

T = TypeVar("T")
BUSY_AFTER_MS = 500  # a call that takes longer says so in a busy dialog


@dataclass(frozen=True)
class Outcome:
    """What a query returned (value) or why it failed (error, a message fit for a person)."""

    tag: Hashable
    value: Any = None
    error: str | None = None


class QueryRunner(QObject):
    """Runs callables on the query pool; `finished(Outcome)` arrives on the thread that owns the runner.

    summaries=True: on the summaries' own thread (counts over every row), which never holds up
    a table's rows. The runner has no Qt parent on purpose: a job that outlives its widget still
    has a live object to report to, and Qt drops the queued call once the widget's connection is gone.
    """

    finished = Signal(object)

    def __init__(self, *, summaries: bool = False) -> None:
        super().__init__()
        self._summaries = summaries
        self._waiting: list[Future[None]] = []

    def submit(self, tag: Hashable, work: Callable[[], Any]) -> None:
        def deliver(result: Result[Any]) -> None:
            self.finished.emit(Outcome(tag, result.value, result.error))

        self._waiting = [future for future in self._waiting if not future.done()]
        self._waiting.append(run_in_background(work, deliver, summary=self._summaries))

    def drop_waiting(self) -> None:
        """Forget the jobs that have not started yet: they report nothing (one running finishes)."""
        for future in self._waiting:
            future.cancel()
        self._waiting = []


def opening_text(url: str) -> str:
    """What the busy dialog says while a database opens (upgrading it may take a while)."""
    try:
        path = sqlite_path(url)
    except DatabaseOpenError:
        path = None  # opening it will say what is wrong
    return f"Opening {path or mask_url(url)}…"


class _Finished(QObject):
    """Lives on the GUI thread; `done` is emitted from the pool's thread once the call is over."""

    done = Signal()


class _HoldBackClosing(QObject):
    """Refuses to close a window (its title bar's close button) while a call is running."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close and event.spontaneous():
            event.ignore()
            return True
        return False


def run_off_gui_thread(work: Callable[[], T], *, parent: QWidget | None = None, busy: str = "Saving…") -> T:
    """Run a store call on the query pool and return what it returned, or raise what it raised, here.

    The GUI thread runs no statement, yet keeps its event loop going meanwhile: windows paint
    and query results arrive. Keys, clicks and closing a window are held back until the call is
    over, so no other edit can start in between. A call that takes longer than BUSY_AFTER_MS
    shows `busy` in a modal dialog over `parent` (or the active window) until it is done.
    """
    future = submit(work)
    app = QCoreApplication.instance()
    if isinstance(app, QApplication) and app.thread().isCurrentThread():
        _keep_running_until_done(app, future, parent, busy)
    return future.result()  # waits only where there is no event loop to keep going


def _keep_running_until_done(
    app: QApplication, future: Future[Any], parent: QWidget | None, busy: str
) -> None:
    finished = _Finished()
    loop = QEventLoop()
    # Queued even when the call is over already: the quit waits for exec() below.
    finished.done.connect(loop.quit, Qt.ConnectionType.QueuedConnection)
    future.add_done_callback(lambda _future: finished.done.emit())
    dialogs: list[ProgressDialog] = []

    def show_busy() -> None:
        dialog = ProgressDialog(APP_NAME, busy, parent or QApplication.activeWindow())
        dialog.setObjectName("busyDialog")
        dialog.show()
        dialogs.append(dialog)

    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(show_busy)
    timer.start(BUSY_AFTER_MS)
    closing = _HoldBackClosing()
    app.installEventFilter(closing)
    try:
        loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    finally:
        timer.stop()
        app.removeEventFilter(closing)
        for dialog in dialogs:
            dialog.working = False
            dialog.close()
            dialog.deleteLater()
