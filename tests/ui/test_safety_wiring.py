"""Data safety in the running application, as a person meets it.

The menus, a backup with its progress, a restore the tabs show at once, the check, a read-only
file, one Taskforce per file, two people editing one row, a database locked by another program,
and a damaged file at start. Another Taskforce on the same file is played by a second Store (or
a second process): it changes the file without telling this window, as another program would.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QStyle,
    QStyleOptionViewItem,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot
from uihelpers import cell_center, click_row, column_texts, show, shown_window, wait_settled, wait_tab_ready

from desktop import backup, db
from desktop.demo import load_sample_data
from desktop.lock import single_instance_lock, window_lock_path
from desktop.store import ENTITIES, Store
from desktop.ui import application
from desktop.ui.conflict_dialog import ConflictDialog
from desktop.ui.edit_dialog import EditDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.messages import Prompts
from desktop.ui.open_database import OpenDatabaseDialog
from desktop.ui.read_only import READ_ONLY_TEXT
from desktop.ui.recovery import Recovery, RecoveryDialog
from desktop.ui.restore_dialog import human_size, local_time

CHECKOUT = Path(__file__).resolve().parents[2]
SAMPLE_TITLES = [
    "Write the project plan",
    "Set up the database",
    "Review the migrations",
    "Design the task list",
    "Build the edit dialog",
    "Package the app",
]
FIRST_TITLE = SAMPLE_TITLES[0]


# --- acting on dialogs as they appear --------------------------------------------------------------------


def when_shown(
    object_name: str,
    act: Callable[[Any], None],
    matching: Callable[[Any], bool] = lambda _widget: True,
    looking: Callable[[], bool] = lambda: True,
) -> None:
    """Act on a window as soon as it is on screen (a modal one blocks the caller in exec meanwhile).

    The search stops once looking() is False, so that it cannot act on a later test's window.
    """

    def poll() -> None:
        for widget in QApplication.topLevelWidgets():
            if widget.objectName() == object_name and widget.isVisible() and matching(widget):
                act(widget)
                return
        if looking():
            QTimer.singleShot(5, poll)

    QTimer.singleShot(0, poll)


def click(widget: QWidget, name: str) -> None:
    button = widget.findChild(QPushButton, name)
    assert button is not None and button.isEnabled(), name
    button.click()


def visible_named(object_name: str) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.objectName() == object_name and w.isVisible()]


def messages() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def last_message(qtbot: QtBot) -> str:
    """The text of the message the window shows now; the message is closed, as by OK."""
    qtbot.waitUntil(lambda: bool(messages()), timeout=10_000)
    box = messages()[-1]
    text = box.text()
    box.close()
    return text


def action(window: MainWindow, name: str) -> QAction:
    found = window.findChild(QAction, name)
    assert found is not None, name
    return found


def menu_entries(window: MainWindow, title: str) -> list[str]:
    [menu] = [a.menu() for a in window.menuBar().actions() if a.text() == title]
    assert isinstance(menu, QMenu)
    return [a.objectName() or ("-" if a.isSeparator() else a.text()) for a in menu.actions()]


def arguments(url: str | None) -> argparse.Namespace:
    return argparse.Namespace(database_url=url, data_dir=None, verbose=False)


# --- the edit dialog ------------------------------------------------------------------------------------


def save_button(dialog: QWidget) -> QPushButton:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    return box.button(QDialogButtonBox.StandardButton.Ok)


def title_field(dialog: QWidget) -> QLineEdit:
    field = dialog.findChild(QLineEdit, "title")
    assert isinstance(field, QLineEdit)
    return field


def form_error(dialog: QWidget) -> str:
    label = dialog.findChild(QLabel, "formError")
    assert label is not None
    return label.text()


def edit_first_task(qtbot: QtBot, window: MainWindow, act: Callable[[EditDialog], None]) -> None:
    """Select the first task, press F2, and act on the edit dialog; it is closed afterwards if still open."""
    acted: list[bool] = []

    def act_then_close(dialog: EditDialog) -> None:
        try:
            act(dialog)
        finally:
            if dialog.isVisible():
                dialog.reject()
            acted.append(True)

    when_shown("EditDialog", act_then_close)
    tasks = window.view("task").table
    click_row(qtbot, tasks, 0, "title")
    qtbot.keyClick(tasks, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: bool(acted), timeout=10_000)  # the dialog opens once the row is read


def type_title(qtbot: QtBot, dialog: QWidget, text: str) -> None:
    field = title_field(dialog)
    field.selectAll()
    qtbot.keyClicks(field, text)


def conflict_rows(dialog: QWidget) -> list[list[str]]:
    table = dialog.findChild(QTableWidget, "conflictTable")
    assert table is not None
    return [[table.item(row, column).text() for column in range(3)] for row in range(table.rowCount())]


# --- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """The sample data in a file of its own folder (the settings stay outside it)."""
    path = tmp_path / "shared" / "taskforce.db"
    with Store.open(db.sqlite_url(path)) as store:
        load_sample_data(store)
    return path


@pytest.fixture
def file_store(database: Path) -> Iterator[Store]:
    opened = Store.open(db.sqlite_url(database))
    yield opened
    opened.close()


@pytest.fixture
def elsewhere(database: Path) -> Iterator[Store]:
    """Another Taskforce on the same file: its changes reach the file, not this window."""
    other = Store.open(db.sqlite_url(database))
    yield other
    other.close()


@pytest.fixture
def window(qtbot: QtBot, file_store: Store, settings: QSettings) -> Iterator[MainWindow]:
    with shown_window(qtbot, file_store, settings) as shown:
        yield shown


# --- the actions ----------------------------------------------------------------------------------------


def test_the_file_and_help_menus_offer_back_up_restore_and_check(window: MainWindow) -> None:
    assert menu_entries(window, "&File") == [
        "actionNewDatabase",
        "actionOpenDatabase",
        "-",
        "actionLoadSample",
        "-",
        "actionBackupNow",
        "actionRestoreBackup",
        "-",
        "actionImport",
        "actionExport",
        "actionCopyDatabase",
        "-",
        "actionQuit",
    ]
    assert menu_entries(window, "&Help") == ["actionCheckDatabase", "-", "actionAbout"]
    assert action(window, "actionBackupNow").text() == "&Back up now…"
    assert action(window, "actionRestoreBackup").text() == "&Restore from backup…"


def test_back_up_now_shows_its_progress_then_where_the_verified_backup_is(
    qtbot: QtBot, window: MainWindow, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = backup._copy_database
    seen = threading.Event()

    def copy_then_wait(source: Path, destination: Path, progress: backup.Progress | None = None) -> None:
        copy(source, destination, progress)
        assert seen.wait(10)  # the copy is done; the backup goes on once the test saw its progress

    monkeypatch.setattr(backup, "_copy_database", copy_then_wait)
    observed: list[tuple[str, str, bool]] = []

    def look(dialog: QProgressDialog) -> None:
        observed.append(
            (dialog.windowTitle(), dialog.labelText(), QApplication.activeModalWidget() is dialog)
        )
        qtbot.waitUntil(lambda: dialog.maximum() == dialog.value() == 100)  # the copy, page by page
        seen.set()

    when_shown("progressDialog", look)
    action(window, "actionBackupNow").trigger()

    text = last_message(qtbot)
    assert observed == [("Back up", "Backing up taskforce.db…", True)]
    assert visible_named("progressDialog") == []
    [made] = [info for info in backup.list_backups(database) if info.reason == "manual"]
    assert made.path.parent == database.parent / "backups"
    assert backup.verify(made.path) == {"task": 6, "user": 2, "hero": 3, "team": 1, "item": 2}
    assert text.startswith("Backed up and verified: 6 tasks, 2 users, 3 heroes, 1 team, 2 items")
    assert str(made.path) in text


def test_back_up_now_where_no_backup_can_be_written_says_so(
    qtbot: QtBot, window: MainWindow, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_folder(self: Path, *args: Any, **kwargs: Any) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    shutil.rmtree(database.parent / "backups", ignore_errors=True)
    monkeypatch.setattr(Path, "mkdir", no_folder)  # a folder this person may not write to
    action(window, "actionBackupNow").trigger()

    assert last_message(qtbot) == (
        f"The backup failed: the folder for backups, {database.parent / 'backups'}, cannot be made "
        "(Permission denied)."
    )


def test_restore_lists_the_backups_and_every_tab_shows_the_restored_rows(
    qtbot: QtBot, window: MainWindow, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = backup.create_backup(database, backup.MANUAL)
    window.store.tasks.delete_many([1, 2])
    window.store.items.create({"name": "Bought later", "price": 3})
    wait_settled(qtbot, window)
    tasks, items = window.view("task").table, window.view("item").table
    assert column_texts(tasks, "title") == SAMPLE_TITLES[2:]
    questions: list[str] = []
    monkeypatch.setattr(Prompts, "confirm", lambda _p, _t, text, _a: questions.append(text) or True)
    listed: list[list[str]] = []

    def choose_the_manual_backup(dialog: QWidget) -> None:
        table = dialog.findChild(QTableWidget, "backupTable")
        listed.extend([table.item(row, c).text() for c in range(4)] for row in range(table.rowCount()))
        table.selectRow(next(row for row, cells in enumerate(listed) if cells[1] == "made by hand"))
        click(dialog, "restoreButton")

    restore = backup.restore
    seen = threading.Event()
    progress_labels: list[str] = []

    def restore_then_wait(database: Path, chosen: Path, **options: Any) -> Path | None:
        previous = restore(database, chosen, **options)
        assert seen.wait(10)
        return previous

    def look(dialog: QProgressDialog) -> None:
        progress_labels.append(dialog.labelText())
        seen.set()

    monkeypatch.setattr(backup, "restore", restore_then_wait)
    when_shown("RestoreDialog", choose_the_manual_backup)
    when_shown("progressDialog", look, matching=lambda d: d.labelText().startswith("Restoring"))
    action(window, "actionRestoreBackup").trigger()

    assert last_message(qtbot) == f"Restored the backup from {local_time(saved)}."
    assert ["automatic"] == [cells[1] for cells in listed if cells[1] != "made by hand"]
    assert [local_time(saved), "made by hand", human_size(saved.size)] in [c[:3] for c in listed]
    assert "Your current data is kept as a backup first" in questions[0]
    assert progress_labels == [f"Restoring the backup from {local_time(saved)}…"]
    wait_settled(qtbot, window)
    assert column_texts(tasks, "title") == SAMPLE_TITLES
    assert column_texts(items, "name") == ["Gadget", "Widget"]
    assert window.count_label.text() == "6 of 6 tasks"
    assert any(info.reason == "before-restore" for info in backup.list_backups(database))


def test_check_database_says_in_plain_words_that_all_is_well(qtbot: QtBot, window: MainWindow) -> None:
    action(window, "actionCheckDatabase").trigger()
    text = last_message(qtbot)
    assert text.startswith(
        "taskforce.db is in good order: nothing is damaged and every reference points at an existing row."
    )
    assert "It holds 6 tasks, 2 users, 3 heroes, 1 team, 2 items." in text


# --- a read-only file -------------------------------------------------------------------------------------


def check_box_point(window: MainWindow, row: int) -> Any:
    table = window.view("item").table
    model = window.view("item").model
    option = QStyleOptionViewItem()
    table.initViewItemOption(option)
    option.rect = table.visualRect(model.index(row, model.column_of("in_stock")))
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    return (
        table.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, table).center()
    )


def test_a_read_only_file_shows_the_banner_and_nothing_can_change_it(
    qtbot: QtBot, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = database.parent
    database.chmod(0o444)
    folder.chmod(0o555)
    # Taskforce decides "read-only" with os.access (db.can_write). Tests may run as root, for whom
    # os.access says yes whatever the mode: here it answers for this folder as for anyone else.
    real_access = os.access

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        if mode & os.W_OK and Path(path).resolve().is_relative_to(folder.resolve()):
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(EditDialog, "run", classmethod(lambda cls, *args: pytest.fail("no dialog may open")))
    before = database.read_bytes()
    seen: dict[str, Any] = {}

    def look_and_try(app: QApplication) -> int:
        [window] = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        show(qtbot, window)
        banner = window.findChild(QLabel, "ReadOnlyBanner")
        seen["banner"] = banner is not None and banner.isVisible() and banner.text()
        seen["location"] = window.location_label.text()
        tasks = window.view("task").table
        click_row(qtbot, tasks, 0, "title")
        qtbot.keyClick(tasks, Qt.Key.Key_F2)
        qtbot.mouseDClick(tasks.viewport(), Qt.MouseButton.LeftButton, pos=cell_center(tasks, 0, "title"))
        qtbot.keyClick(tasks, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        seen["enabled"] = [
            name
            for name in (
                "actionNew",
                "actionEdit",
                "actionDelete",
                "actionUndo",
                "actionRedo",
                "actionLoadSample",
            )
            if action(window, name).isEnabled()
        ]
        # A click on the selected title cell would edit it in place; F2 would too.
        qtbot.mouseClick(tasks.viewport(), Qt.MouseButton.LeftButton, pos=cell_center(tasks, 0, "title"))
        index = tasks.model().index(0, window.view("task").model.column_of("title"))
        seen["cell editable"] = bool(tasks.model().flags(index) & Qt.ItemFlag.ItemIsEditable)
        seen["editor opens"] = tasks.edit(index, QAbstractItemView.EditTrigger.AllEditTriggers, None)
        seen["state"] = tasks.state()
        window.tabs.setCurrentWidget(window.view("item"))
        wait_tab_ready(qtbot, window.view("item"))
        qtbot.mouseClick(
            window.view("item").table.viewport(), Qt.MouseButton.LeftButton, pos=check_box_point(window, 0)
        )
        items = window.view("item").model
        seen["ticked"] = items.index(0, items.column_of("in_stock")).data(Qt.ItemDataRole.CheckStateRole)
        seen["error"] = window.error_label.text()
        window.close()
        return 0

    monkeypatch.setattr(application, "event_loop", look_and_try)
    try:
        assert application.run_gui(arguments(db.sqlite_url(database))) == 0
    finally:
        folder.chmod(0o700)
        database.chmod(0o600)

    assert seen == {
        "banner": READ_ONLY_TEXT,
        "location": f"Database: {database} (read-only)",
        "enabled": [],
        "cell editable": False,
        "editor opens": False,
        "state": QAbstractItemView.State.NoState,
        "ticked": Qt.CheckState.Checked,
        "error": "",
    }
    assert database.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["backups", "taskforce.db"]


def test_a_writable_database_opened_after_a_read_only_one_can_be_edited_again(
    qtbot: QtBot, database: Path, tmp_path: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_only = Store(Store.open(db.sqlite_url(database)).engine, db.sqlite_url(database), read_only=True)
    window = MainWindow(read_only, settings)
    qtbot.addWidget(window)
    show(qtbot, window)
    assert window.findChild(QLabel, "ReadOnlyBanner").isVisible()
    other = tmp_path / "other.db"
    monkeypatch.setattr(OpenDatabaseDialog, "ask", classmethod(lambda cls, parent: db.sqlite_url(other)))

    action(window, "actionOpenDatabase").trigger()
    wait_settled(qtbot, window)

    assert not window.findChild(QLabel, "ReadOnlyBanner").isVisible()
    assert action(window, "actionNew").isEnabled() and action(window, "actionLoadSample").isEnabled()
    empty = window.view("task").empty_state
    assert empty.new_button.isEnabled() and empty.sample_button.isEnabled()
    qtbot.mouseClick(empty.sample_button, Qt.MouseButton.LeftButton)
    wait_settled(qtbot, window)
    model = window.view("task").model
    assert model.flags(model.index(0, model.column_of("title"))) & Qt.ItemFlag.ItemIsEditable
    window.close()
    read_only.close()


# --- one Taskforce per file -------------------------------------------------------------------------------

SECOND_LAUNCH = """
import sys
from PySide6.QtWidgets import QMessageBox
# The refusal is a modal message box; here it says what it shows and is answered at once.
QMessageBox.exec = lambda self: print("DIALOG", self.text(), self.informativeText(), flush=True) or 0
from desktop.app import main
sys.exit(main(sys.argv[1:]))
"""


def log_time(line: str) -> datetime:
    return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")


def test_a_second_launch_on_the_same_file_says_so_and_exits(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(CHECKOUT)}
    command = [sys.executable, "-m", "desktop", "--data-dir", str(data)]
    with subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as first:
        try:
            deadline = time.monotonic() + 60
            while not window_lock_path(data / "taskforce.db").exists() and first.poll() is None:
                assert time.monotonic() < deadline, "the first Taskforce did not start"
                time.sleep(0.05)
            assert first.poll() is None

            second = subprocess.run(
                [sys.executable, "-c", SECOND_LAUNCH, "--data-dir", str(data)],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        finally:
            first.kill()
            first.wait()

    assert second.returncode == 1
    assert second.stdout.strip() == (
        f"DIALOG Taskforce cannot open its database. Taskforce already has taskforce.db open "
        f"(process {first.pid}). Switch to that window, or close it and try again."
    )
    assert "Traceback" not in second.stderr
    log = (data / "logs" / "taskforce.log").read_text().splitlines()
    [refused] = [number for number, line in enumerate(log) if "Cannot open the database" in line]
    started = max(number for number, line in enumerate(log[:refused]) if line.endswith("starting"))
    # From the second Taskforce's start to its refusal: the lock is waited for only briefly.
    assert (log_time(log[refused]) - log_time(log[started])).total_seconds() < 2


def test_a_second_launch_in_process_is_refused_before_the_file_is_touched(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = single_instance_lock(database)
    assert held is not None
    shown: list[str] = []
    monkeypatch.setattr(application, "show_open_error", shown.append)
    monkeypatch.setattr(application, "event_loop", lambda app: pytest.fail("the window must not open"))
    monkeypatch.setattr(
        Store, "open", staticmethod(lambda *_a, **_k: pytest.fail("the file must not be opened"))
    )
    try:
        assert application.run_gui(arguments(db.sqlite_url(database))) == 1
    finally:
        held.release()
    assert shown == [
        f"Taskforce already has taskforce.db open (process {os.getpid()}). "
        "Switch to that window, or close it and try again."
    ]


def test_the_window_holds_the_lock_of_the_file_it_shows_and_lets_go_when_closed(
    qtbot: QtBot, database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other, busy = tmp_path / "other.db", tmp_path / "busy.db"
    Store.open(db.sqlite_url(busy)).close()
    held_elsewhere = single_instance_lock(busy)
    seen: dict[str, Any] = {}

    def switch_files(app: QApplication) -> int:
        [window] = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen["at start"] = (window_lock_path(database).exists(), window_lock_path(other).exists())
        monkeypatch.setattr(OpenDatabaseDialog, "ask", classmethod(lambda cls, parent: db.sqlite_url(other)))
        action(window, "actionOpenDatabase").trigger()
        seen["after opening other.db"] = (
            window_lock_path(database).exists(),
            window_lock_path(other).exists(),
        )
        monkeypatch.setattr(OpenDatabaseDialog, "ask", classmethod(lambda cls, parent: db.sqlite_url(busy)))
        action(window, "actionOpenDatabase").trigger()
        seen["refused"] = last_message(qtbot)
        seen["still showing"] = window.store.path
        seen["other still locked"] = window_lock_path(other).exists()
        window.close()
        return 0

    monkeypatch.setattr(application, "event_loop", switch_files)
    try:
        assert application.run_gui(arguments(db.sqlite_url(database))) == 0
    finally:
        assert held_elsewhere is not None
        held_elsewhere.release()

    assert seen["at start"] == (True, False)
    assert seen["after opening other.db"] == (False, True)
    assert seen["refused"].startswith("Taskforce already has busy.db open")
    assert seen["still showing"] == other
    assert seen["other still locked"]
    assert not window_lock_path(database).exists() and not window_lock_path(other).exists()


# --- two people, one row ------------------------------------------------------------------------------------


def conflict_on_save(
    qtbot: QtBot, elsewhere: Store, choose: str, record: dict[str, Any]
) -> Callable[[Any], None]:
    """In the edit dialog: another Taskforce renames the task, then this person saves their own title."""

    def act(dialog: EditDialog) -> None:
        elsewhere.tasks.update(1, {"title": "Their title"})
        type_title(qtbot, dialog, "My title")

        def answer(conflict: QWidget) -> None:
            record["title"] = conflict.windowTitle()
            record["rows"] = conflict_rows(conflict)
            click(conflict, choose)

        when_shown("ConflictDialog", answer)
        qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
        record["dialog open"] = dialog.isVisible()
        record["typed"] = title_field(dialog).text()
        record["form error"] = form_error(dialog)

    return act


def test_a_conflict_shows_theirs_and_mine_and_overwrite_saves_mine_as_one_undoable_step(
    qtbot: QtBot, window: MainWindow, elsewhere: Store
) -> None:
    record: dict[str, Any] = {}
    edit_first_task(qtbot, window, conflict_on_save(qtbot, elsewhere, "overwriteButton", record))

    assert record["title"] == "Task changed elsewhere"
    assert record["rows"] == [["Title", "Their title", "My title"]]
    assert record["dialog open"] is False
    assert elsewhere.tasks.get(1).title == "My title"
    wait_settled(qtbot, window)
    tasks = window.view("task").table
    assert column_texts(tasks, "title")[0] == "My title"
    window.action_undo.trigger()  # undo goes back to their value, the one that was replaced
    assert elsewhere.tasks.get(1).title == "Their title"


def test_reload_shows_their_value_and_writes_nothing(
    qtbot: QtBot, window: MainWindow, elsewhere: Store
) -> None:
    record: dict[str, Any] = {}
    edit_first_task(qtbot, window, conflict_on_save(qtbot, elsewhere, "reloadButton", record))

    assert record["rows"] == [["Title", "Their title", "My title"]]
    assert record["dialog open"] is False
    task = elsewhere.tasks.get(1)
    assert (task.title, task.version) == ("Their title", 2)  # their one change, nothing written after it
    wait_settled(qtbot, window)
    assert column_texts(window.view("task").table, "title")[0] == "Their title"
    assert not window.action_undo.isEnabled()


def test_cancel_goes_back_to_the_edit_with_the_input_kept(
    qtbot: QtBot, window: MainWindow, elsewhere: Store
) -> None:
    record: dict[str, Any] = {}
    edit_first_task(qtbot, window, conflict_on_save(qtbot, elsewhere, "cancelButton", record))

    assert record["dialog open"] is True
    assert record["typed"] == "My title"
    assert record["form error"] == (
        "Could not save: This task was changed elsewhere after you opened it: you both changed Title."
    )
    assert elsewhere.tasks.get(1).title == "Their title"
    assert not window.action_undo.isEnabled()


def save_after_another_edit(
    qtbot: QtBot, elsewhere: Store, theirs: dict[str, Any], title: str, record: dict[str, Any]
) -> Callable[[Any], None]:
    """In the edit dialog: another Taskforce saves `theirs`, then this person saves their own title."""

    def act(dialog: EditDialog) -> None:
        elsewhere.tasks.update(1, theirs)
        type_title(qtbot, dialog, title)

        def answer(conflict: QWidget) -> None:
            record["asked"] = conflict_rows(conflict)
            click(conflict, "cancelButton")

        # A conflict dialog would show during the click (it is modal): look no longer than that.
        when_shown("ConflictDialog", answer, looking=lambda: "dialog open" not in record)
        qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
        record["dialog open"] = dialog.isVisible()
        if record["dialog open"]:
            dialog.reject()

    return act


def test_another_field_changed_elsewhere_is_merged_without_asking(
    qtbot: QtBot, window: MainWindow, elsewhere: Store
) -> None:
    record: dict[str, Any] = {}
    edit_first_task(
        qtbot, window, save_after_another_edit(qtbot, elsewhere, {"description": "Theirs"}, "Mine", record)
    )

    assert "asked" not in record and record["dialog open"] is False
    task = elsewhere.tasks.get(1)
    assert (task.title, task.description) == ("Mine", "Theirs")
    window.action_undo.trigger()  # undo takes back this person's change only
    task = elsewhere.tasks.get(1)
    assert task.description == "Theirs" and task.title != "Mine"


def test_the_same_change_made_elsewhere_is_no_conflict(
    qtbot: QtBot, window: MainWindow, elsewhere: Store
) -> None:
    record: dict[str, Any] = {}
    edit_first_task(
        qtbot, window, save_after_another_edit(qtbot, elsewhere, {"title": "Same"}, "Same", record)
    )

    assert "asked" not in record and record["dialog open"] is False
    assert elsewhere.tasks.get(1).title == "Same"


def test_the_conflict_dialog_lists_only_the_fields_both_changed(
    qtbot: QtBot, window: MainWindow, elsewhere: Store
) -> None:
    record: dict[str, Any] = {}
    theirs = {"title": "Their title", "description": "Theirs"}
    edit_first_task(qtbot, window, save_after_another_edit(qtbot, elsewhere, theirs, "My title", record))

    assert record["asked"] == [["Title", "Their title", "My title"]]


def test_saving_a_row_deleted_elsewhere_says_it_no_longer_exists_and_the_view_drops_it(
    qtbot: QtBot, window: MainWindow, elsewhere: Store
) -> None:
    record: dict[str, Any] = {}
    tasks = window.view("task").table

    def act(dialog: EditDialog) -> None:
        elsewhere.tasks.delete_many([1])
        wait_settled(qtbot, window)
        record["shown before saving"] = column_texts(tasks, "title")[0]  # nobody told this window yet
        type_title(qtbot, dialog, "My title")
        qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
        record["dialog open"] = dialog.isVisible()
        record["form error"] = form_error(dialog)

    edit_first_task(qtbot, window, act)

    assert record == {
        "shown before saving": FIRST_TITLE,
        "dialog open": True,
        "form error": "Could not save: This task no longer exists: it was deleted elsewhere.",
    }
    wait_settled(qtbot, window)
    assert column_texts(tasks, "title") == SAMPLE_TITLES[1:]
    assert window.count_label.text() == "5 of 5 tasks"


def test_an_inline_edit_of_a_row_changed_elsewhere_is_refused_and_the_row_shows_theirs(
    qtbot: QtBot, window: MainWindow, elsewhere: Store
) -> None:
    view = window.view("task")
    elsewhere.tasks.update(1, {"title": "Their title"})
    index = view.model.index(0, view.model.column_of("title"))
    assert index.data() == FIRST_TITLE  # as loaded: nobody told this window

    def edit_cell(text: str) -> None:
        view.table.setCurrentIndex(index)
        view.table.edit(index)
        editor = QApplication.focusWidget()
        assert isinstance(editor, QLineEdit)
        editor.setText(text)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: view.table.state() == QAbstractItemView.State.NoState)

    edit_cell("My title")

    assert window.error_label.text() == (
        "⚠ This task was changed elsewhere since it was shown, so your change was not saved. "
        "The row now shows what is saved; edit it again to change it."
    )
    assert elsewhere.tasks.get(1).title == "Their title"
    wait_settled(qtbot, window)
    assert index.data() == "Their title"
    assert not window.action_undo.isEnabled()

    edit_cell("My title")  # over the version now shown
    assert elsewhere.tasks.get(1).title == "My title"
    assert window.action_undo.text() == "Undo Edit task"


def test_the_conflict_dialog_shows_every_field_on_one_line_even_a_long_one(
    qtbot: QtBot, file_store: Store
) -> None:
    theirs = file_store.tasks.update(1, {"description": "theirs " * 2000, "status": "todo"})
    mine = {"description": "mine " * 2000, "status": "done", "title": "Mine"}
    dialog = ConflictDialog(ENTITIES["task"], theirs, mine)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.findChild(QTableWidget, "conflictTable")
    rows = [table.rowHeight(row) for row in range(table.rowCount())]
    assert len(rows) == 3 and not table.wordWrap()  # a value on one line, cut short when long
    assert 0 <= table.viewport().height() - sum(rows) < min(rows)  # every field in sight, no empty space
    assert table.item(0, 1).toolTip() == theirs.description  # all of it, where it is asked for
    assert dialog.width() >= 640
    assert dialog.height() < 400


# --- a database locked by another program -------------------------------------------------------------------


def test_a_save_while_another_program_holds_the_lock_keeps_the_edit_in_its_dialog(
    qtbot: QtBot, database: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 100)  # not five seconds of waiting in a test
    record: dict[str, Any] = {}
    with Store.open(db.sqlite_url(database)) as store:
        window = MainWindow(store, settings)
        qtbot.addWidget(window)
        show(qtbot, window)
        other_program = sqlite3.connect(database, isolation_level=None)

        def act(dialog: EditDialog) -> None:
            type_title(qtbot, dialog, "My title")
            other_program.execute("BEGIN IMMEDIATE")
            qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
            record["dialog open"] = dialog.isVisible()
            record["typed"] = title_field(dialog).text()
            record["form error"] = form_error(dialog)
            other_program.execute("ROLLBACK")
            qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)  # and once more, later
            record["saved at last"] = not dialog.isVisible()

        try:
            edit_first_task(qtbot, window, act)
        finally:
            other_program.close()
        assert store.tasks.get(1).title == "My title"
        window.close()

    assert record == {
        "dialog open": True,
        "typed": "My title",
        "form error": "Could not save: The database is busy in another program: the change was not saved. "
        "Try again in a moment.",
        "saved at last": True,
    }


# --- a damaged file at start --------------------------------------------------------------------------------


def test_a_damaged_file_at_start_is_offered_for_recovery_and_restored_from_its_newest_good_backup(
    qtbot: QtBot, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = backup.newest_good_backup(database)
    assert good is not None
    database.write_bytes(b"garbage" * 1000)
    asked: list[tuple[str, str]] = []

    def restore_chosen(
        cls: type, path: Path, problem: str, offered: backup.BackupInfo | None, parent: Any
    ) -> Recovery:
        asked.append((problem, offered.path.name if offered else ""))
        return Recovery.RESTORED

    monkeypatch.setattr(RecoveryDialog, "ask", classmethod(restore_chosen))
    monkeypatch.setattr(application, "show_open_error", lambda message: pytest.fail(message))
    seen: dict[str, Any] = {}

    def look(app: QApplication) -> int:
        [window] = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        wait_tab_ready(qtbot, window.view("task"))
        seen["titles"] = column_texts(window.view("task").table, "title")
        seen["locked"] = window_lock_path(database).exists()
        window.close()
        return 0

    monkeypatch.setattr(application, "event_loop", look)
    assert application.run_gui(arguments(db.sqlite_url(database))) == 0

    assert asked == [("taskforce.db is not a Taskforce database (it is not an SQLite file).", good.path.name)]
    assert seen == {"titles": SAMPLE_TITLES, "locked": True}
    [aside] = (database.parent / "backups").glob("taskforce.db.set-aside-*")
    assert aside.read_bytes() == b"garbage" * 1000
    assert not window_lock_path(database).exists()


def test_a_damaged_file_at_start_can_be_left_for_another_database(
    qtbot: QtBot, database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database.write_bytes(b"garbage")
    other = tmp_path / "other.db"
    monkeypatch.setattr(RecoveryDialog, "ask", classmethod(lambda cls, *_args: Recovery.OPEN_OTHER))
    monkeypatch.setattr(application, "show_open_error", lambda message: pytest.fail(message))
    monkeypatch.setattr(OpenDatabaseDialog, "ask", classmethod(lambda cls, parent: db.sqlite_url(other)))
    seen: dict[str, Any] = {}

    def look(app: QApplication) -> int:
        [window] = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen["showing"] = window.store.path
        seen["locks"] = (window_lock_path(database).exists(), window_lock_path(other).exists())
        window.close()
        return 0

    monkeypatch.setattr(application, "event_loop", look)
    assert application.run_gui(arguments(db.sqlite_url(database))) == 0
    assert seen == {"showing": other, "locks": (False, True)}
    assert database.read_bytes() == b"garbage"


def test_quitting_the_recovery_starts_nothing(database: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database.write_bytes(b"garbage")
    monkeypatch.setattr(RecoveryDialog, "ask", classmethod(lambda cls, *_args: Recovery.QUIT))
    monkeypatch.setattr(application, "show_open_error", lambda message: pytest.fail(message))
    monkeypatch.setattr(application, "event_loop", lambda app: pytest.fail("the window must not open"))
    assert application.run_gui(arguments(db.sqlite_url(database))) == 1
    assert database.read_bytes() == b"garbage"
    assert not window_lock_path(database).exists()


def test_the_log_says_why_the_database_could_not_be_opened(
    database: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    application.show_open_error("taskforce.db is damaged.")
    assert re.search(r"Cannot open the database: taskforce\.db is damaged\.", caplog.text)
