"""Import, export and copy run on a worker thread; the dialog shows rows per second, time left and Cancel."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

# (done, total, fraction): how far the work is; total or fraction may be 0 when not known
Report = Callable[[int, int, float], None]
Work = Callable[[Report, Callable[[], bool]], Any]
STEPS = 1000


class _Relay(QObject):
    progressed = Signal(int, int, float)
    succeeded = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, work: Work, relay: _Relay, stop: threading.Event) -> None:
        super().__init__()
        self._work = work
        self._relay = relay
        self._stop = stop

    def run(self) -> None:
        try:
            result = self._work(self._relay.progressed.emit, self._stop.is_set)
        except BaseException as error:  # handed to the GUI thread, which shows it
            self._relay.failed.emit(error)
        else:
            self._relay.succeeded.emit(result)


class TransferJob(QObject):
    """One run of work(report, should_stop) on the thread pool; its signals arrive on the GUI thread."""

    progressed = Signal(int, int, float)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relay = _Relay(self)
        self._stop = threading.Event()
        self._relay.progressed.connect(self.progressed)
        self._relay.succeeded.connect(self._finish_with(self.succeeded))
        self._relay.failed.connect(self._finish_with(self.failed))
        self._work = work
        self.running = False

    def _finish_with(self, signal: Any) -> Callable[[object], None]:
        def finish(value: object) -> None:
            self.running = False
            signal.emit(value)

        return finish

    def start(self) -> None:
        self.running = True
        QThreadPool.globalInstance().start(_Runnable(self._work, self._relay, self._stop))

    def cancel(self) -> None:
        self._stop.set()


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


class ProgressPanel(QWidget):
    """A progress bar, "12,345 rows/s, 0:42 left", and a Cancel button."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transferProgress")
        self.bar = QProgressBar(self)
        self.bar.setObjectName("transferProgressBar")
        self.bar.setRange(0, STEPS)
        self.rate = QLabel("", self)
        self.rate.setObjectName("transferRate")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("transferCancelButton")
        self.cancel_button.clicked.connect(self.cancel_requested)
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.rate)
        self._started = time.monotonic()
        self.setVisible(False)

    def begin(self) -> None:
        self._started = time.monotonic()
        self.bar.setValue(0)
        self.rate.setText("Starting…")
        self.cancel_button.setEnabled(True)
        self.setVisible(True)

    def show_progress(self, done: int, total: int, fraction: float) -> None:
        if total > 0:
            fraction = done / total
        self.bar.setValue(int(min(1.0, fraction) * STEPS))
        elapsed = max(time.monotonic() - self._started, 1e-6)
        text = f"{done:,} rows, {done / elapsed:,.0f} rows/s"
        if 0 < fraction < 1:
            text += f", {_duration(elapsed * (1 - fraction) / fraction)} left"
        self.rate.setText(text)

    def end(self) -> None:
        self.setVisible(False)


def action_button(parent: QWidget, text: str, name: str, clicked: Callable[[], object]) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.clicked.connect(clicked)
    return button


def button_row(*buttons: QWidget, leading: QWidget | None = None) -> QHBoxLayout:
    """The dialog's buttons at the right, and what goes before them (an option) at the left."""
    row = QHBoxLayout()
    if leading is not None:
        row.addWidget(leading)
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    return row
