"""Start Taskforce exactly as `python -m desktop` does, and leave once its tasks table has painted rows.

    python -m benchmarks.first_paint --database-url sqlite:///...

The parent (benchmarks/run.py) times from spawning this process to reading its BENCH-RESULT
line: interpreter start, imports, the window, opening the database, the first rows painted.
The only addition to the app is a watcher installed just before the event loop starts. Like the
app, this imports nothing of the data layer before the window shows.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings
from PySide6.QtWidgets import QApplication, QTableView

from benchmarks.measure import emit_result
from desktop import app as desktop_app
from desktop.names import APP_NAME
from desktop.ui import application as gui
from desktop.ui.main_window import MainWindow


class FirstRows(QObject):
    """Reports the first paint of the tasks table in which the rows on screen have their data."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self._table = table
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._rows_shown():
            emit_result({"side": "Taskforce", "painted": True})
        return False

    def _rows_shown(self) -> bool:
        from desktop.ui.table_model import EntityTableModel  # loaded with the data layer by now

        model = self._table.model()
        assert isinstance(model, EntityTableModel)
        bottom = self._table.rowAt(self._table.viewport().height() - 1)
        last = model.rowCount() - 1 if bottom < 0 else bottom
        return (
            model.rowCount() > 0
            and not model.reset_pending
            and all(model.record_at(row) is not None for row in range(max(self._table.rowAt(0), 0), last + 1))
        )


def watch_then_run(app: QApplication) -> int:
    window = next(widget for widget in app.topLevelWidgets() if isinstance(widget, MainWindow))
    table = window.findChild(QTableView, "tasksTable")
    assert table is not None
    FirstRows(table)
    return run_event_loop(app)


def remember_the_tasks_tab() -> None:
    """Start as someone who last had the tasks tab open: its table is timed (else the Overview shows)."""
    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    settings = QSettings()
    settings.setValue("window/tab", "task")
    settings.sync()


run_event_loop = gui.event_loop
gui.event_loop = watch_then_run

if __name__ == "__main__":
    remember_the_tasks_tab()
    sys.exit(desktop_app.main(sys.argv[1:]))
