"""The window shows before the data layer is imported, says "Opening…", and becomes the working window."""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget
from pytestqt.qtbot import QtBot

from desktop import db
from desktop.demo import load_sample_data
from desktop.errors import DatabaseInUseError
from desktop.lock import window_lock_path
from desktop.store import Store
from desktop.ui import application
from desktop.ui.main_window import MainWindow
from desktop.ui.pending_tab import OPENING_TEXT

DATA_LAYER = ("sqlmodel", "sqlalchemy", "pydantic", "desktop.store")

# Starts Taskforce as `python -m desktop` does and notes, at the main window's first paint, which of
# the data layer's modules were imported; then what the window the event loop runs is.
START_AND_LOOK = """
import json, linecache, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget
from desktop import app
from desktop.ui import application as gui

DATA_LAYER = {data_layer!r}
qapp = QApplication(sys.argv[:1])
seen = {{"ticks while loading": 0}}
first = []

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if not first and event.type() == QEvent.Type.Paint and isinstance(watched, QWidget):
            window = watched.window()
            if isinstance(window, QMainWindow):
                first.append(window)
                seen["class"] = type(window).__name__
                seen["imported at first paint"] = [m for m in DATA_LAYER if m in sys.modules]
                seen["says"] = window.findChild(QLabel, "openingLabel").text()
                seen["enabled"] = sorted(
                    a.objectName() for a in window.findChildren(QAction) if a.objectName() and a.isEnabled()
                )
        return False

def tick():
    # The event loop runs while the data layer is half imported.
    if "sqlalchemy" in sys.modules and "desktop.ui.live_updates" not in sys.modules:
        seen["ticks while loading"] += 1

def event_loop(qapp):
    [window] = [w for w in qapp.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible()]
    seen["same window"] = window is first[0]
    seen["imported after"] = [m for m in DATA_LAYER if m in sys.modules]
    seen["enabled after"] = sorted(
        a.objectName() for a in window.findChildren(QAction) if a.objectName() and a.isEnabled()
    )
    window.close()
    return 0

probe = FirstPaint()
qapp.installEventFilter(probe)
timer = QTimer()
timer.setInterval(5)
timer.timeout.connect(tick)
timer.start()
gui.event_loop = event_loop
seen["status"] = app.main(["--database-url", {url!r}])
# PySide6 reads the source of every module imported after it, unless told not to.
seen["sources read"] = sorted({{name.split("/site-packages/")[-1].split("/")[0] for name in linecache.cache}})
print(json.dumps(seen))
"""


def arguments(url: str) -> argparse.Namespace:
    return argparse.Namespace(database_url=url, data_dir=None, verbose=False)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "mine.db"
    with Store.open(db.sqlite_url(path)) as store:
        load_sample_data(store)
    return path


def test_the_window_paints_before_the_data_layer_is_imported_then_shows_the_database(
    run_offscreen: Callable[[str], str], database: Path
) -> None:
    script = START_AND_LOOK.format(data_layer=DATA_LAYER, url=db.sqlite_url(database))
    seen = json.loads(run_offscreen(script).splitlines()[-1])

    assert seen["class"] == "MainWindow"
    assert seen["imported at first paint"] == []
    assert seen["says"] == OPENING_TEXT
    assert seen["enabled"] == ["actionQuit"]  # everything else needs the database
    assert seen["ticks while loading"] > 0  # imported on a thread: the event loop kept running
    assert seen["same window"] is True
    assert seen["imported after"] == list(DATA_LAYER)
    assert {"actionNew", "actionOpenDatabase", "actionBackupNow", "actionImport", "actionLocalApi"} <= set(
        seen["enabled after"]
    )
    assert seen["status"] == 0
    assert "sqlalchemy" not in seen["sources read"] and "sqlmodel" not in seen["sources read"]


class CloseAtFirstPaint(QObject):
    """Closes the main window once it has painted, as a person quick to change their mind would."""

    def __init__(self, app: QApplication) -> None:
        super().__init__()
        self.windows: list[QMainWindow] = []
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.windows and event.type() == QEvent.Type.Paint and isinstance(watched, QWidget):
            window = watched.window()
            if isinstance(window, MainWindow):
                self.windows.append(window)
                QTimer.singleShot(0, window.close)
        return False


def test_closing_the_window_before_the_database_opens_stops_without_opening_it(
    qtbot: QtBot, qapp: QApplication, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    closer = CloseAtFirstPaint(qapp)
    monkeypatch.setattr(Store, "open", staticmethod(lambda *_a, **_k: pytest.fail("nothing to open")))
    monkeypatch.setattr(application, "event_loop", lambda app: pytest.fail("the window was closed"))
    try:
        assert application.run_gui(arguments(db.sqlite_url(database))) == 0
    finally:
        qapp.removeEventFilter(closer)
    [window] = closer.windows
    assert not window.isVisible()
    assert not window_lock_path(database).exists()


def test_closing_is_held_back_while_the_database_opens_as_during_any_store_call(
    qtbot: QtBot, qapp: QApplication, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tried = threading.Event()
    refused: list[bool] = []
    open_store, open_file = application.open_store, Store.open

    def open_once_closing_was_tried(url: str) -> Store:
        assert tried.wait(10)
        return open_file(url)

    def try_closing_meanwhile(url: str) -> Store:
        [window] = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]

        def try_closing() -> None:
            refused.append(not window.close())
            tried.set()

        QTimer.singleShot(0, try_closing)  # while the store opens off the GUI thread
        return open_store(url)

    def event_loop(app: QApplication) -> int:
        [window] = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        qtbot.waitUntil(lambda: window.count_label.text() == "6 of 6 tasks" or window.current_view is None)
        window.close()
        return 0

    monkeypatch.setattr(Store, "open", staticmethod(open_once_closing_was_tried))
    monkeypatch.setattr(application, "open_store", try_closing_meanwhile)
    monkeypatch.setattr(application, "event_loop", event_loop)
    assert application.run_gui(arguments(db.sqlite_url(database))) == 0
    assert refused == [True]
    assert not window_lock_path(database).exists()


def test_a_refusal_to_open_is_told_and_the_window_saying_opening_goes(
    qtbot: QtBot, qapp: QApplication, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    painted: list[tuple[MainWindow, str]] = []

    class Look(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if not painted and event.type() == QEvent.Type.Paint and isinstance(watched, QWidget):
                window = watched.window()
                label = window.findChild(QLabel, "openingLabel")
                if isinstance(window, MainWindow) and label is not None:
                    painted.append((window, label.text()))
            return False

    def refuse(url: str | None = None) -> Store:
        raise DatabaseInUseError("Another Taskforce has this database open.")

    look = Look()
    qapp.installEventFilter(look)
    shown: list[str] = []
    monkeypatch.setattr(Store, "open", staticmethod(refuse))
    monkeypatch.setattr(application, "show_open_error", shown.append)
    monkeypatch.setattr(application, "event_loop", lambda app: pytest.fail("the window must not run"))
    try:
        assert application.run_gui(arguments(db.sqlite_url(database))) == 1
    finally:
        qapp.removeEventFilter(look)
    assert shown == ["Another Taskforce has this database open."]
    [(window, text)] = painted
    assert text == OPENING_TEXT
    assert not window.isVisible()


def test_until_the_database_is_open_only_quit_is_enabled(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    enabled = [a.objectName() for a in window.findChildren(QAction) if a.objectName() and a.isEnabled()]
    assert enabled == ["actionQuit"]
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "Overview",
        "Tasks",
        "Users",
        "Heroes",
        "Teams",
        "Items",
    ]
    assert window.views == {} and window.current_view is None
    window.tabs.setCurrentIndex(2)  # a tab chosen meanwhile also says it is opening
    label = window.tabs.currentWidget().findChild(QLabel, "openingLabel")
    assert label is not None and label.text() == OPENING_TEXT
    window.close()
