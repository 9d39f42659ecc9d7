"""run_gui: the window shows without waiting for the daily backup, which follows its first paint."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop import backup, db
from desktop.demo import load_sample_data
from desktop.store import Store
from desktop.ui import application
from desktop.ui.main_window import MainWindow


def arguments(url: str) -> argparse.Namespace:
    return argparse.Namespace(database_url=url, data_dir=None, verbose=False)


@pytest.fixture
def due(tmp_path: Path) -> Path:
    """A database with data and no backup yet: its daily backup is due."""
    database = tmp_path / "taskforce.db"
    with Store.open(db.sqlite_url(database)) as store:
        load_sample_data(store)
    for info in backup.list_backups(database):
        info.path.unlink()
    assert backup.backup_due(database)
    return database


class PaintSpy(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.painted = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted = True
        return False


def test_the_window_shows_first_and_the_due_backup_is_made_in_the_background(
    qtbot: QtBot, due: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, object] = {}
    spy = PaintSpy()
    started: list[tuple[bool, bool]] = []
    start = Store.start_automatic_backup

    def recorded_start(store: Store) -> backup.BackgroundBackup | None:
        started.append((spy.painted, threading.current_thread() is threading.main_thread()))
        return start(store)

    def event_loop(app: QApplication) -> int:
        [window] = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen["backups when shown"] = backup.list_backups(due)
        window.installEventFilter(spy)
        qtbot.waitUntil(lambda: bool(backup.list_backups(due)), timeout=20_000)
        [made] = backup.list_backups(due)
        seen["made"] = made
        # The window shows the data meanwhile: the Overview, first on a first start, counts the 6 tasks.
        qtbot.waitUntil(lambda: sum(owner.total for owner in window.overview.data.get("owners", [])) == 6)
        window.close()
        return 0

    monkeypatch.setattr(Store, "start_automatic_backup", recorded_start)
    monkeypatch.setattr(application, "event_loop", event_loop)
    assert application.run_gui(arguments(db.sqlite_url(due))) == 0

    assert seen["backups when shown"] == []  # opening did not wait for it
    assert started == [(True, True)]  # started once, from the GUI thread, after the first paint
    made = seen["made"]
    assert isinstance(made, backup.BackupInfo)
    assert made.path.parent == due.parent / "backups"
    assert made.reason == backup.AUTOMATIC
    assert backup.verify(made.path) == {"task": 6, "user": 2, "hero": 3, "team": 1, "item": 2}
    assert backup.list_backups(due) == [made]  # closing made no second one


def test_closing_the_window_at_once_waits_for_the_background_backup(
    qtbot: QtBot, due: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    began, release = threading.Event(), threading.Event()
    copy = backup._copy_database

    def slow_copy(source: Path, destination: Path, progress: backup.Progress | None = None) -> None:
        began.set()
        assert release.wait(30)
        copy(source, destination, progress=progress)

    def close_during_the_backup(app: QApplication) -> int:
        [window] = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        qtbot.waitUntil(began.is_set, timeout=20_000)
        window.close()
        threading.Timer(0.3, release.set).start()  # run_gui's close has to wait for this
        return 0

    monkeypatch.setattr(backup, "_copy_database", slow_copy)
    monkeypatch.setattr(application, "event_loop", close_during_the_backup)
    try:
        assert application.run_gui(arguments(db.sqlite_url(due))) == 0
    finally:
        release.set()

    [made] = backup.list_backups(due)
    assert made.reason == backup.AUTOMATIC
    assert backup.verify(made.path)["task"] == 6
    assert sorted(p.name for p in made.path.parent.iterdir()) == [made.path.name]


def test_after_first_paint_calls_back_once_or_at_the_latest_after_the_fallback(qtbot: QtBot) -> None:
    painted, hidden, cancelled = QWidget(), QWidget(), QWidget()
    qtbot.addWidget(painted)
    qtbot.addWidget(hidden)
    qtbot.addWidget(cancelled)
    calls: list[str] = []
    application.AfterFirstPaint(painted, lambda: calls.append("painted"), 60_000)
    application.AfterFirstPaint(hidden, lambda: calls.append("never painted"), 200)
    application.AfterFirstPaint(cancelled, lambda: calls.append("cancelled"), 100).cancel()
    painted.show()
    qtbot.waitUntil(lambda: calls == ["painted"])
    qtbot.waitUntil(lambda: calls == ["painted", "never painted"])
    painted.update()
    gone = QWidget()
    after_gone = application.AfterFirstPaint(gone, lambda: calls.append("deleted"), 100)
    shiboken6.delete(gone)
    after_gone.cancel()  # run_gui cancels in any case: no error when the window went first
    qtbot.wait(300)
    assert calls == ["painted", "never painted"]
