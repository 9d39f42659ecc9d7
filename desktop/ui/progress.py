"""Long work on files (backups, restores) off the GUI thread, with a progress dialog meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar, cast

from PySide6.QtCore import QEventLoop, QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QProgressDialog, QWidget

T = TypeVar("T")
# How far the work is: (done, total) in any unit; (0, 0) when that is not known.
Progress = Callable[[int, int], None]
STEPS = 100


class _Relay(QObject):
    """Lives on the GUI thread: what the worker emits arrives there, in order."""

    progressed = Signal(int, int)
    finished = Signal()


class _Job(QRunnable, Generic[T]):
    def __init__(self, work: Callable[[Progress], T], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self._work = work
        self._relay = relay
        self.result: T | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self._work(self._relay.progressed.emit)
        except BaseException as error:  # handed to the GUI thread, which raises it
            self.error = error
        finally:
            self._relay.finished.emit()


class ProgressDialog(QProgressDialog):
    """Modal while the work runs, with no way to close it before the work is done."""

    def __init__(self, title: str, label: str, parent: QWidget | None) -> None:
        super().__init__(label, "", 0, 0, parent)
        self.setObjectName("progressDialog")
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        self.setCancelButton(None)  # a copy half made is of no use: it runs to the end
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(0)
        self.setMinimumWidth(420)
        self.working = True

    def show_progress(self, done: int, total: int) -> None:
        if total <= 0:
            self.setRange(0, 0)  # a busy indicator: how long it takes is not known
            return
        self.setRange(0, STEPS)
        self.setValue(min(STEPS, done * STEPS // total))

    def reject(self) -> None:
        if not self.working:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.working:
            event.ignore()
        else:
            super().closeEvent(event)


def run_with_progress(parent: QWidget | None, title: str, label: str, work: Callable[[Progress], T]) -> T:
    """Run work(progress) on another thread while a modal dialog shows how far it is.

    Returns what the work returned, or raises what it raised, here on the GUI thread. The
    window stays painted meanwhile, and nothing in it can be edited or closed until the end.
    """
    dialog = ProgressDialog(title, label, parent)
    relay = _Relay()
    loop = QEventLoop()
    relay.progressed.connect(dialog.show_progress)
    relay.finished.connect(loop.quit)
    job: _Job[T] = _Job(work, relay)
    dialog.show()
    QThreadPool.globalInstance().start(job)
    try:
        loop.exec()
    finally:
        dialog.working = False
        dialog.close()
        dialog.deleteLater()
    if job.error is not None:
        raise job.error
    return cast(T, job.result)
