"""run_gui: the application, the database from the command line, and a readable refusal."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desktop import db
from desktop.demo import load_sample_data
from desktop.errors import DatabaseInUseError
from desktop.store import Store
from desktop.ui import application
from desktop.ui.main_window import MainWindow
from desktop.ui.recovery import Recovery


def arguments(url: str | None) -> argparse.Namespace:
    return argparse.Namespace(database_url=url, data_dir=None, verbose=False)


def test_run_gui_shows_the_window_on_the_database_given(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = db.sqlite_url(tmp_path / "mine.db")
    with Store.open(url) as store:
        load_sample_data(store)
    seen: dict[str, object] = {}

    def event_loop(app: QApplication) -> int:
        [window] = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        assert window.tabs.currentWidget() is window.overview  # a first start opens on the Overview
        window.tabs.setCurrentWidget(window.view("task"))
        qtbot.waitUntil(lambda: window.count_label.text() == "6 of 6 tasks")
        seen.update(
            name=app.applicationName(),
            organization=app.organizationName(),
            icon=not app.windowIcon().isNull(),
            location=window.location_label.text(),
            style=app.style().name().lower(),
        )
        window.close()
        return 0

    monkeypatch.setattr(application, "event_loop", event_loop)
    assert application.run_gui(arguments(url)) == 0
    assert seen == {
        "name": "Taskforce",
        "organization": "Taskforce",
        "icon": True,
        "location": f"Database: {tmp_path / 'mine.db'}",
        "style": "fusion",
    }
    settings_file = Path(os.environ["XDG_CONFIG_HOME"]) / "Taskforce" / "Taskforce.conf"
    assert settings_file.exists()  # remembered in the (temporary) user config, nowhere else


def test_a_file_that_cannot_be_opened_is_offered_for_recovery_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    junk = tmp_path / "photo.db"
    junk.write_bytes(b"\x89PNG not a database")
    asked: list[tuple[Path, str]] = []

    def quit_recovery(path: Path, problem: str, parent: object = None) -> Recovery:
        asked.append((path, problem))
        return Recovery.QUIT

    monkeypatch.setattr(application, "recover", quit_recovery)
    monkeypatch.setattr(application, "show_open_error", lambda message: pytest.fail(message))
    monkeypatch.setattr(application, "event_loop", lambda app: pytest.fail("the window must not open"))
    assert application.run_gui(arguments(db.sqlite_url(junk))) == 1
    assert asked == [(junk, "photo.db is not a Taskforce database (it is not an SQLite file).")]
    assert junk.read_bytes() == b"\x89PNG not a database"


def test_a_server_that_cannot_be_reached_is_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(application, "show_open_error", shown.append)
    monkeypatch.setattr(application, "recover", lambda *_args: pytest.fail("no file to recover"))
    assert application.run_gui(arguments("postgresql+psycopg://nobody@127.0.0.1:1/none")) == 1
    assert len(shown) == 1 and "Cannot open postgresql+psycopg://nobody@127.0.0.1:1/none" in shown[0]


def test_the_refusal_is_shown_in_a_message_box(qtbot: QtBot) -> None:
    seen: list[str] = []

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.extend([box.text(), box.informativeText()])
        box.close()

    QTimer.singleShot(0, read_and_close)
    application.show_open_error("photo.db is not a Taskforce database.")
    assert seen == ["Taskforce cannot open its database.", "photo.db is not a Taskforce database."]


def test_any_refusal_to_open_is_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(url: str | None = None) -> Store:
        raise DatabaseInUseError("Another Taskforce has this database open.")

    shown: list[str] = []
    monkeypatch.setattr(Store, "open", staticmethod(refuse))
    monkeypatch.setattr(application, "show_open_error", shown.append)
    assert application.run_gui(arguments(None)) == 1
    assert shown == ["Another Taskforce has this database open."]


def test_start_up_objects_are_left_out_of_garbage_collections(run_offscreen: Callable[[str], str]) -> None:
    # A full collection walked ~80,000 start-up objects (80-120 ms, a visible stall while scrolling).
    script = (
        "import gc\n"
        "from desktop.ui.application import application\n"
        "application()\n"
        "print(gc.get_freeze_count(), len(gc.get_objects()))\n"
    )
    frozen, still_walked = map(int, run_offscreen(script).split())
    assert frozen > 20_000
    assert still_walked < 1_000
