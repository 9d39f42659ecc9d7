"""Back up, restore, check, conflicts, read-only and recovery, as a person meets them in the window."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton, QTableWidget, QToolBar, QWidget
from pytestqt.qtbot import QtBot
from safetyhelpers import file_digest, fill, filled_database, table_digests

from desktop import backup, db
from desktop.errors import ConflictError
from desktop.store import ENTITIES, Store
from desktop.ui.conflict_dialog import ConflictChoice, ConflictDialog, save_resolving_conflicts
from desktop.ui.main_window import MainWindow
from desktop.ui.messages import Prompts
from desktop.ui.recovery import Recovery, recover
from desktop.ui.restore_dialog import human_size, local_time


def when_shown(object_name: str, act: Callable[[QWidget], None]) -> None:
    """Act on a dialog as soon as it is on screen (it may be modal: the caller is then blocked in exec)."""

    def poll() -> None:
        for widget in QApplication.topLevelWidgets():
            if widget.objectName() == object_name and widget.isVisible():
                act(widget)
                return
        QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)


def click(widget: QWidget, name: str) -> None:
    button = widget.findChild(QPushButton, name)
    assert button is not None and button.isEnabled(), name
    button.click()


def messages() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def last_message(qtbot: QtBot) -> str:
    qtbot.waitUntil(lambda: bool(messages()), timeout=5_000)
    box = messages()[-1]
    text = box.text()
    box.close()
    return text


@pytest.fixture
def filled_store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(db.sqlite_url(tmp_path / "taskforce.db"))
    fill(opened)
    yield opened
    opened.close()


@pytest.fixture
def window(qtbot: QtBot, filled_store: Store, tmp_path: Path) -> Iterator[MainWindow]:
    built = MainWindow(filled_store, QSettings(str(tmp_path / "taskforce.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(built)
    built.show()
    qtbot.waitExposed(built)
    yield built
    built.close()


def menu_names(window: MainWindow, title: str) -> list[str]:
    [menu] = [a.menu() for a in window.menuBar().actions() if a.text() == title]
    return [
        action.objectName() or ("-" if action.isSeparator() else action.text()) for action in menu.actions()
    ]


def test_the_actions_are_in_the_file_and_help_menus(window: MainWindow) -> None:
    file_menu = menu_names(window, "&File")
    assert file_menu.index("actionBackupNow") + 1 == file_menu.index("actionRestoreBackup")
    assert file_menu.index("actionRestoreBackup") < file_menu.index("actionQuit")
    assert menu_names(window, "&Help")[0] == "actionCheckDatabase"


def test_back_up_now_makes_a_verified_backup_and_says_where(qtbot: QtBot, window: MainWindow) -> None:
    window.findChild(type(window.action_quit), "actionBackupNow").trigger()

    text = last_message(qtbot)
    [made] = [info for info in backup.list_backups(window.store.path) if info.reason == "manual"]
    assert "Backed up and verified: 3 tasks, 1 user, 1 hero, 1 team, 1 item" in text
    assert str(made.path) in text


def test_restore_lists_backups_and_brings_the_data_back(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = window.store.path
    assert path is not None
    saved = backup.create_backup(path)
    at_backup = table_digests(path)
    window.store.tasks.delete_many([1, 2])
    questions: list[str] = []
    monkeypatch.setattr(Prompts, "confirm", lambda _p, _t, text, _a: questions.append(text) or True)
    seen: list[list[str]] = []

    def choose_newest(dialog: QWidget) -> None:
        table = dialog.findChild(QTableWidget, "backupTable")
        seen.extend([table.item(row, c).text() for c in range(4)] for row in range(table.rowCount()))
        table.selectRow(0)
        click(dialog, "restoreButton")

    when_shown("RestoreDialog", choose_newest)
    old_store = window.store
    window.findChild(type(window.action_quit), "actionRestoreBackup").trigger()

    assert "Restored the backup from" in last_message(qtbot)
    assert seen[0] == [local_time(saved), "made by hand", human_size(saved.size), seen[0][3]]
    assert seen[0][3] == "3 tasks, 1 user, 1 hero, 1 team, 1 item"
    assert "Your current data is kept as a backup first" in questions[0]
    assert window.store is not old_store
    assert window.store.tasks.count() == 3
    assert table_digests(path) == at_backup
    assert any(info.reason == "before-restore" for info in backup.list_backups(path))


def test_restore_cancelled_changes_nothing(qtbot: QtBot, window: MainWindow) -> None:
    path = window.store.path
    assert path is not None
    backup.create_backup(path)
    window.store.items.create({"name": "Kept", "price": 1})
    before = table_digests(path)
    when_shown("RestoreDialog", lambda dialog: dialog.reject())
    store = window.store

    window.findChild(type(window.action_quit), "actionRestoreBackup").trigger()

    assert window.store is store
    assert table_digests(path) == before
    assert store.items.count() == 2


def test_check_database_reports_in_plain_words(qtbot: QtBot, window: MainWindow) -> None:
    window.findChild(type(window.action_quit), "actionCheckDatabase").trigger()
    text = last_message(qtbot)
    assert "is in good order: nothing is damaged and every reference points at an existing row" in text


# --- conflicts -----------------------------------------------------------------------------------------


def conflict_setup(store: Store) -> tuple[int, int]:
    task = store.tasks.get(1)
    store.tasks.update(task.id, {"title": "Their title"})  # someone else, after the dialog opened
    return task.id, task.version


def save(store: Store, row_id: int) -> Callable[[Any, int], Any]:
    return lambda patch, version: store.tasks.update(row_id, patch, expected_version=version)


def test_the_conflict_dialog_shows_theirs_and_mine_and_can_overwrite(
    qtbot: QtBot, filled_store: Store
) -> None:
    store = filled_store
    row_id, loaded = conflict_setup(store)
    shown: list[list[str]] = []

    def overwrite(dialog: QWidget) -> None:
        table = dialog.findChild(QTableWidget, "conflictTable")
        shown.extend([table.item(row, c).text() for c in range(3)] for row in range(table.rowCount()))
        click(dialog, "overwriteButton")

    when_shown("ConflictDialog", overwrite)
    saved = save_resolving_conflicts(
        None, store, ENTITIES["task"], {"title": "My title", "owner_id": 1}, loaded, save(store, row_id)
    )

    assert shown == [["Title", "Their title", "My title"], ["Owner", "alice", "alice"]]
    assert saved.title == "My title"
    assert store.tasks.get(row_id).title == "My title"


def test_reload_keeps_their_value_and_cancel_keeps_my_edit_open(qtbot: QtBot, filled_store: Store) -> None:
    store = filled_store
    row_id, loaded = conflict_setup(store)
    when_shown("ConflictDialog", lambda dialog: click(dialog, "reloadButton"))
    current = save_resolving_conflicts(
        None, store, ENTITIES["task"], {"title": "Mine"}, loaded, save(store, row_id)
    )
    assert current.title == "Their title" == store.tasks.get(row_id).title

    when_shown("ConflictDialog", lambda dialog: click(dialog, "cancelButton"))
    with pytest.raises(ConflictError):
        save_resolving_conflicts(
            None, store, ENTITIES["task"], {"title": "Mine"}, loaded, save(store, row_id)
        )
    assert store.tasks.get(row_id).title == "Their title"


def test_conflict_choices_are_the_three_buttons(qtbot: QtBot, filled_store: Store) -> None:
    task = filled_store.tasks.get(1)
    dialog = ConflictDialog(ENTITIES["task"], task, {"title": "x"})
    qtbot.addWidget(dialog)
    assert {b.objectName() for b in dialog.findChildren(QPushButton)} >= {
        "reloadButton",
        "overwriteButton",
        "cancelButton",
    }
    dialog.overwrite_button.click()
    assert dialog.choice is ConflictChoice.OVERWRITE


# --- read-only ------------------------------------------------------------------------------------------


def test_a_read_only_database_shows_a_banner_and_disables_editing(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = filled_database(tmp_path / "shared.db")
    monkeypatch.setattr(db, "can_write", lambda _path: False)
    with Store.open(db.sqlite_url(database)) as store:
        window = MainWindow(store, QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)

        banner = window.findChild(QLabel, "ReadOnlyBanner")
        assert banner is not None and banner.isVisible()
        assert "read-only" in banner.text()
        for name in ("actionNew", "actionEdit", "actionDelete", "actionLoadSample"):
            action = window.findChild(type(window.action_quit), name)
            assert not action.isEnabled(), name
        window.close()


def test_a_writable_database_has_no_banner(window: MainWindow) -> None:
    bar = window.findChild(QToolBar, "readOnlyBar")
    assert bar is None or not bar.isVisible()
    assert window.findChild(type(window.action_quit), "actionNew").isEnabled()


# --- when the database cannot be opened ------------------------------------------------------------------


def test_recovery_offers_the_newest_good_backup_and_keeps_the_damaged_file(
    qtbot: QtBot, tmp_path: Path
) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    good = backup.list_backups(database)[0]
    database.write_bytes(b"garbage" * 1000)
    damaged = file_digest(database)
    texts: list[str] = []

    def restore_newest(dialog: QWidget) -> None:
        texts.append(dialog.findChild(QLabel, "recoveryText").text())
        texts.append(dialog.findChild(QPushButton, "restoreNewestButton").text())
        click(dialog, "restoreNewestButton")

    when_shown("RecoveryDialog", restore_newest)
    choice = recover(database, "taskforce.db is not a Taskforce database (it is not an SQLite file).")

    assert choice is Recovery.RESTORED
    assert "is not a Taskforce database" in texts[0] and "left exactly as it is" in texts[0]
    assert local_time(good) in texts[1]
    assert table_digests(database) == table_digests(good.path)
    [aside] = (tmp_path / "backups").glob("taskforce.db.set-aside-*")
    assert file_digest(aside) == damaged


def test_recovery_without_a_backup_offers_another_database(qtbot: QtBot, tmp_path: Path) -> None:
    database = tmp_path / "taskforce.db"
    database.write_bytes(b"garbage")
    buttons: list[bool] = []

    def open_other(dialog: QWidget) -> None:
        buttons.append(dialog.findChild(QPushButton, "restoreNewestButton").isEnabled())
        click(dialog, "openOtherButton")

    when_shown("RecoveryDialog", open_other)
    assert recover(database, "not a database") is Recovery.OPEN_OTHER
    assert buttons == [False]
    assert database.read_bytes() == b"garbage"
