"""A cold-start probe: with TASKFORCE_EXIT_AFTER_FIRST_PAINT=1, Taskforce reports how long it took from
process start to the main window's first paint (the window saying "Opening…"), and quits.

    TASKFORCE_EXIT_AFTER_FIRST_PAINT=1 dist/Taskforce/Taskforce
    TASKFORCE_EXIT_AFTER_FIRST_PAINT=1 .venv/bin/python -m desktop

The line "first paint after N ms" goes to stdout and to the log.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

ENV = "TASKFORCE_EXIT_AFTER_FIRST_PAINT"
# Time of this module's import, for systems where the process start time is not at hand.
_IMPORTED = time.perf_counter()

log = logging.getLogger(__name__)


def requested() -> bool:
    return os.environ.get(ENV) == "1"


def seconds_since_process_start() -> float:
    """On Linux from the kernel's process start time; elsewhere since this module was imported."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat, open("/proc/uptime", encoding="ascii") as up:
            # Fields after the command name, which is in parentheses and may hold spaces.
            fields = stat.read().rsplit(")", 1)[1].split()
            uptime = float(up.read().split()[0])
        started_ticks = int(fields[19])  # field 22 of proc(5): starttime
        return uptime - started_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED


class FirstPaintProbe(QObject):
    """Watches every event until the main window paints, then reports and closes that window.

    The window paints while the database is still opening (desktop/ui/application.py); closed
    then, Taskforce quits once opening is over, as when a person closes it.
    """

    def __init__(self, app: QApplication, then: Callable[[], object] | None = None) -> None:
        super().__init__(app)
        self._app = app
        self._then = then
        self.elapsed: float | None = None
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            self.elapsed is None
            and event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and isinstance(watched.window(), QMainWindow)
        ):
            self.elapsed = seconds_since_process_start()
            self._app.removeEventFilter(self)
            line = f"first paint after {self.elapsed * 1000:.0f} ms"
            log.info("%s", line)
            if sys.stdout is not None:
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
            window = watched.window()
            QTimer.singleShot(0, self._then or window.close)
        return False


def install() -> FirstPaintProbe:
    """Create the QApplication (the GUI start reuses it) and watch it for the first paint."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    return FirstPaintProbe(app)
