"""The main window as a person uses it: tabs, actions and shortcuts, status bar, dialogs opened."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QTableView
from pytestqt.qtbot import QtBot
from sqlmodel import SQLModel
from uihelpers import (
    build_every_tab,
    cell_center,
    click_row,
    column_texts,
    selected_texts,
    show,
    shown_window,
    wait_settled,
)

from desktop import __version__, backup, db
from desktop.models import Task, TaskRead
from desktop.store import Entity, Store
from desktop.ui import delete_flow
from desktop.ui.edit_dialog import EditDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.open_database import OpenDatabaseDialog


class DialogSpy:
    """Stands in for EditDialog.run: records each call and may submit values as the person would."""

    def __init__(self) -> None:
        self.calls: list[tuple[Entity, SQLModel | None]] = []
        self.submit_values: dict[str, Any] | None = None

    def run(
        self, parent: Any, store: Store, entity: Entity, row: SQLModel | None = None, submit: Any = None
    ) -> bool:
        self.calls.append((entity, row))
        if self.submit_values is None:
            return False
        submit(self.submit_values)
        return True


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> DialogSpy:
    spy = DialogSpy()
    monkeypatch.setattr(EditDialog, "run", classmethod(lambda cls, *args: spy.run(*args)))
    return spy


@pytest.fixture
def built(qtbot: QtBot, sample_store: Store, settings: QSettings) -> MainWindow:
    """A main window over the sample data, made but not shown yet."""
    window = MainWindow(sample_store, settings)
    qtbot.addWidget(window)
    return window


def table(window: MainWindow, entity: str) -> QTableView:
    return window.view(entity).table


def message_boxes(window: MainWindow) -> list[QMessageBox]:
    return [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def test_the_window_is_built_without_being_shown_with_only_the_tab_shown_built(
    qtbot: QtBot, sample_store: Store, settings: QSettings
) -> None:
    window = MainWindow(sample_store, settings)
    qtbot.addWidget(window)
    assert window.objectName() == "MainWindow"
    assert not window.isVisible()
    tabs = window.tabs
    assert tabs.objectName() == "entityTabs"
    texts = [tabs.tabText(i) for i in range(tabs.count())]
    assert texts == ["Overview", "Tasks", "Users", "Heroes", "Teams", "Items"]
    assert tabs.currentWidget() is window.views["task"]  # the remembered tab
    assert list(window.views) == ["task"]
    assert [tabs.widget(i).objectName() for i in range(tabs.count())] == [
        "pendingTab",
        "tasksView",
        *["pendingTab"] * 4,
    ]
    assert window.findChild(QTableView, "tasksTable") is not None
    assert window.findChild(QLineEdit, "tasksSearch") is not None
    assert window.findChild(QTableView, "usersTable") is None
    assert window.findChild(QLineEdit, "heroesSearch") is None
    window.close()


def test_a_hidden_tab_is_built_and_queried_when_it_is_first_shown(
    qtbot: QtBot, sample_store: Store, settings: QSettings
) -> None:
    queried: list[str] = []

    def note_query(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        queried.extend(name for name in ("hero", "item") if f"FROM {name}" in statement)

    sa.event.listen(sample_store.engine, "before_cursor_execute", note_query)
    try:
        window = MainWindow(sample_store, settings)
        qtbot.addWidget(window)
        show(qtbot, window)
        qtbot.waitUntil(lambda: window.count_label.text() == "6 of 6 tasks")
        assert list(window.views) == ["task"] and queried == []
        heroes_tab = texts_of(window).index("Heroes")

        window.tabs.setCurrentIndex(heroes_tab)

        heroes = window.views["hero"]
        assert window.tabs.widget(heroes_tab) is heroes and window.tabs.currentWidget() is heroes
        assert window.findChild(QTableView, "heroesTable") is heroes.table
        assert heroes.isVisible()
        qtbot.waitUntil(lambda: window.count_label.text() == "3 of 3 heroes")
        assert column_texts(heroes.table, "name")
        assert "item" not in queried and "item" not in window.views
        # Asked for by name (the Go menu does), a tab is built without being shown.
        items = window.view("item")
        assert window.tabs.widget(texts_of(window).index("Items")) is items
        assert window.tabs.currentWidget() is heroes
        qtbot.waitUntil(lambda: bool(column_texts(items.table, "name")))
    finally:
        sa.event.remove(sample_store.engine, "before_cursor_execute", note_query)


def texts_of(window: MainWindow) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


def test_the_filters_read_their_names_after_the_first_rows(
    qtbot: QtBot, built: MainWindow, sample_store: Store
) -> None:
    owners = built.view("task").filter_bar.references["owner_id"]
    teams = built.view("hero").filter_bar.references["team_id"]
    assert [owners.combo.count(), teams.combo.count()] == [1, 2]  # All; All and No team

    show(qtbot, built)
    qtbot.waitUntil(lambda: owners.filled and teams.filled)

    users, team_rows = len(sample_store.users.list()), len(sample_store.teams.list())
    assert [owners.combo.count(), teams.combo.count()] == [users + 1, team_rows + 2]


def test_a_filter_opened_before_its_names_were_read_reads_them(
    qtbot: QtBot, built: MainWindow, sample_store: Store
) -> None:
    owners = built.view("task").filter_bar.references["owner_id"]
    assert not owners.filled

    owners.combo.showPopup()

    qtbot.waitUntil(lambda: owners.combo.count() == len(sample_store.users.list()) + 1)
    owners.combo.hidePopup()


def test_no_query_runs_on_the_gui_thread_while_the_window_opens(
    qtbot: QtBot, sample_store: Store, settings: QSettings
) -> None:
    on_gui_thread: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            on_gui_thread.append(statement)

    sa.event.listen(sample_store.engine, "before_cursor_execute", note)
    try:
        window = MainWindow(sample_store, settings)
        qtbot.addWidget(window)
        show(qtbot, window)
        owners = window.view("task").filter_bar.references["owner_id"]
        teams = window.view("hero").filter_bar.references["team_id"]
        qtbot.waitUntil(lambda: owners.filled and teams.filled)
        wait_settled(qtbot, window)
    finally:
        sa.event.remove(sample_store.engine, "before_cursor_execute", note)

    assert on_gui_thread == []


def test_a_row_chosen_before_the_names_arrive_filters_at_once(
    qtbot: QtBot, built: MainWindow, sample_store: Store
) -> None:
    tasks = built.view("task")
    bob = next(user for user in sample_store.users.list() if user.username == "bob")

    tasks.filter_to("owner_id", bob.id)

    assert tasks.model.query.filter_values["owner_id"] == bob.id  # applied before the name is known
    owners = tasks.filter_bar.references["owner_id"]
    qtbot.waitUntil(lambda: owners.filled)
    assert owners.combo.currentText() == "bob"
    assert tasks.filter_bar.values()[1]["owner_id"] == bob.id


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("actionNew", ["Ctrl+N"]),
        ("actionEdit", ["Return", "Enter", "F2"]),
        ("actionDelete", ["Del"]),
        ("actionUndo", ["Ctrl+Z"]),
        ("actionRedo", ["Ctrl+Shift+Z", "Ctrl+Y"]),
        ("actionRefresh", ["F5"]),
        ("actionFind", ["Ctrl+F"]),
        ("actionQuit", ["Ctrl+Q"]),
        ("actionOpenDatabase", ["Ctrl+O"]),
        ("actionNewDatabase", []),
        ("actionLoadSample", []),
        ("actionAbout", []),
    ],
)
def test_every_action_has_its_shortcuts_and_an_icon(window: MainWindow, name: str, keys: list[str]) -> None:
    action = window.findChild(type(window.action_new), name)
    assert action is not None
    assert [key.toString() for key in action.shortcuts()] == [QKeySequence(k).toString() for k in keys]
    assert not action.icon().isNull()


def test_the_count_is_written_with_thousands_separators(
    qtbot: QtBot, sample_store: Store, settings: QSettings
) -> None:
    with sample_store.engine.begin() as connection:
        connection.execute(
            sa.insert(Task.__table__),  # type: ignore[attr-defined]
            [{"title": f"Bulk {n}", "status": "todo", "owner_id": 1} for n in range(1_228)],
        )
    with shown_window(qtbot, sample_store, settings) as window:
        qtbot.waitUntil(lambda: window.count_label.text() == "1,234 of 1,234 tasks")


def test_the_status_bar_counts_the_current_tab_and_shows_the_database(
    qtbot: QtBot, window: MainWindow, sample_store: Store
) -> None:
    assert window.count_label.text() == "6 of 6 tasks"
    assert str(sample_store.path) in window.location_label.text()
    window.tabs.setCurrentWidget(window.view("hero"))
    qtbot.waitUntil(lambda: window.count_label.text() == "3 of 3 heroes")
    window.tabs.setCurrentWidget(window.view("task"))
    combo = window.view("task").filter_bar.filters["status"].widget
    combo.setCurrentIndex(combo.findText("To do"))
    wait_settled(qtbot, window)
    assert window.count_label.text() == "2 of 6 tasks"


def test_a_server_password_is_never_shown(qtbot: QtBot, sample_store: Store, settings: QSettings) -> None:
    disguised = Store(sample_store.engine, "postgresql+psycopg://me:secret@db.example.org/taskforce")
    window = MainWindow(disguised, settings)
    qtbot.addWidget(window)
    window.about()
    texts = [window.location_label.text(), window.windowTitle(), *(b.text() for b in message_boxes(window))]
    assert all("secret" not in text for text in texts)
    assert "db.example.org" in window.location_label.text()
    window.close()


def test_about_says_the_version_and_where_the_data_is(window: MainWindow, sample_store: Store) -> None:
    window.action_about.trigger()
    [box] = message_boxes(window)
    assert __version__ in box.text() and str(sample_store.path) in box.text()
    box.close()


def test_ctrl_n_opens_the_dialog_for_a_new_row_and_selects_it(
    qtbot: QtBot, window: MainWindow, dialogs: DialogSpy
) -> None:
    dialogs.submit_values = {"title": "Water the plants", "owner_id": 2}
    qtbot.keyClick(table(window, "task"), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    [(entity, row)] = dialogs.calls
    assert entity.name == "task" and row is None
    wait_settled(qtbot, window)
    tasks = table(window, "task")
    assert "Water the plants" in column_texts(tasks, "title")
    assert selected_texts(tasks, "title") == ["Water the plants"]
    assert window.action_undo.text() == "Undo Create task"


def test_double_click_enter_and_f2_open_the_edit_dialog_for_that_row(
    qtbot: QtBot, window: MainWindow, dialogs: DialogSpy
) -> None:
    tasks = table(window, "task")
    qtbot.mouseClick(tasks.viewport(), Qt.MouseButton.LeftButton, pos=cell_center(tasks, 1, "title"))
    qtbot.mouseDClick(tasks.viewport(), Qt.MouseButton.LeftButton, pos=cell_center(tasks, 1, "title"))
    qtbot.waitUntil(lambda: len(dialogs.calls) == 1)  # the row is read as it is saved now, off the GUI thread
    tasks.setFocus()
    qtbot.keyClick(tasks, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(dialogs.calls) == 2)
    qtbot.keyClick(tasks, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: len(dialogs.calls) == 3)
    for entity, row in dialogs.calls:
        assert entity.name == "task" and isinstance(row, TaskRead) and row.title == "Set up the database"


def test_enter_in_the_search_box_searches_instead_of_editing(
    qtbot: QtBot, window: MainWindow, dialogs: DialogSpy
) -> None:
    click_row(qtbot, table(window, "task"), 0)
    search = window.view("task").filter_bar.search.box
    qtbot.keyClicks(search, "plan")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert dialogs.calls == []
    assert not window.view("task").filter_bar.pending  # applied at once
    wait_settled(qtbot, window)
    assert column_texts(table(window, "task"), "title") == ["Write the project plan"]


def test_an_edit_saved_in_the_dialog_shows_in_the_table(
    qtbot: QtBot, window: MainWindow, dialogs: DialogSpy
) -> None:
    dialogs.submit_values = {"title": "Write the plan"}
    tasks = table(window, "task")
    click_row(qtbot, tasks, 0)
    qtbot.keyClick(tasks, Qt.Key.Key_F2)
    wait_settled(qtbot, window)
    assert column_texts(tasks, "title")[0] == "Write the plan"
    assert window.action_undo.text() == "Undo Edit task"
    qtbot.keyClick(tasks, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_settled(qtbot, window)
    assert column_texts(tasks, "title")[0] == "Write the project plan"


def test_editing_a_row_deleted_meanwhile_says_so(
    qtbot: QtBot, window: MainWindow, dialogs: DialogSpy, sample_store: Store
) -> None:
    tasks = table(window, "task")
    click_row(qtbot, tasks, 0)
    with sample_store.engine.begin() as connection:  # another program deletes it, no notification
        connection.execute(sa.delete(Task.__table__).where(Task.__table__.c.id == 1))  # type: ignore[attr-defined]
    qtbot.keyClick(tasks, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: "not found" in window.error_label.text())
    assert dialogs.calls == []
    [box] = message_boxes(window)
    assert "not found" in box.text()
    box.close()


def test_delete_removes_the_selected_rows_and_undo_redo_bring_them_back(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(
        delete_flow, "confirm", lambda parent, title, text, details: asked.append(text) or True
    )
    tasks = table(window, "task")
    click_row(qtbot, tasks, 0)
    qtbot.mouseClick(
        tasks.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ShiftModifier,
        pos=cell_center(tasks, 2, "id"),
    )
    qtbot.keyClick(tasks, Qt.Key.Key_Delete)
    assert asked
    wait_settled(qtbot, window)
    assert window.count_label.text() == "3 of 3 tasks"
    assert window.action_undo.text() == "Undo Delete 3 tasks"
    qtbot.keyClick(tasks, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_settled(qtbot, window)
    assert window.count_label.text() == "6 of 6 tasks"
    assert window.action_redo.text() == "Redo Delete 3 tasks"
    qtbot.keyClick(tasks, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    wait_settled(qtbot, window)
    assert window.count_label.text() == "3 of 3 tasks"
    qtbot.keyClick(tasks, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(
        tasks, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    wait_settled(qtbot, window)
    assert window.count_label.text() == "3 of 3 tasks"


def test_f5_shows_changes_made_by_another_program(
    qtbot: QtBot, window: MainWindow, sample_store: Store
) -> None:
    with sample_store.engine.begin() as connection:
        connection.execute(sa.text("UPDATE task SET title = 'Changed elsewhere' WHERE id = 1"))
    tasks = table(window, "task")
    assert column_texts(tasks, "title")[0] == "Write the project plan"
    qtbot.keyClick(tasks, Qt.Key.Key_F5)
    wait_settled(qtbot, window)
    assert column_texts(tasks, "title")[0] == "Changed elsewhere"


def test_ctrl_f_goes_to_the_search_box_of_the_current_tab(qtbot: QtBot, window: MainWindow) -> None:
    window.tabs.setCurrentWidget(window.view("item"))
    table(window, "item").setFocus()
    qtbot.keyClick(table(window, "item"), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.view("item").filter_bar.search.box


def test_typing_in_the_table_searches_the_whole_table(qtbot: QtBot, window: MainWindow) -> None:
    tasks = table(window, "task")
    click_row(qtbot, tasks, 0)
    qtbot.keyClick(tasks, Qt.Key.Key_P)
    box = window.view("task").filter_bar.search.box
    assert QApplication.focusWidget() is box
    qtbot.keyClicks(box, "ack")  # the rest of the word lands where the focus went
    assert box.text() == "pack"
    wait_settled(qtbot, window)
    assert column_texts(tasks, "title") == ["Package the app"]


def test_ctrl_q_closes_the_window(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(table(window, "task"), Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()


def test_loading_the_sample_data_fills_every_tab(
    qtbot: QtBot, sqlite_store: Store, settings: QSettings
) -> None:
    window = MainWindow(sqlite_store, settings)
    qtbot.addWidget(window)
    show(qtbot, window)
    assert window.view("task").showing_empty_state
    build_every_tab(window)
    window.action_load_sample.trigger()
    wait_settled(qtbot, window)
    assert window.count_label.text() == "6 of 6 tasks"
    assert not any(view.showing_empty_state for view in window.views.values())
    assert column_texts(table(window, "team"), "name") == ["Avengers"]
    assert window.view("task").filter_bar.references["owner_id"].combo.count() == 3  # All, alice, bob
    window.close()


def test_sample_data_that_clashes_is_reported(qtbot: QtBot, window: MainWindow) -> None:
    window.action_load_sample.trigger()
    [box] = message_boxes(window)
    assert "already loaded" in box.text()
    assert "already loaded" in window.error_label.text()
    assert window.count_label.text() == "6 of 6 tasks"
    box.close()


def test_open_database_switches_every_tab(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = Store.open(db.sqlite_url(tmp_path / "other.db"))
    other.users.create({"username": "zoe", "email": "zoe@example.com"})
    other.close()
    monkeypatch.setattr(
        OpenDatabaseDialog, "ask", classmethod(lambda cls, parent: db.sqlite_url(tmp_path / "other.db"))
    )
    build_every_tab(window)
    wait_settled(qtbot, window)
    window.action_open_database.trigger()
    wait_settled(qtbot, window)
    assert "other.db" in window.location_label.text()
    assert window.view("task").showing_empty_state
    assert column_texts(table(window, "user"), "username") == ["zoe"]
    assert not window.action_undo.isEnabled()


def test_a_database_opened_gets_its_daily_backup_in_the_background(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "other.db"
    other = Store.open(db.sqlite_url(path))
    other.users.create({"username": "zoe", "email": "zoe@example.com"})
    other.close()
    for made in backup.list_backups(path):  # closing took one: make the next one due
        made.path.unlink()
    monkeypatch.setattr(OpenDatabaseDialog, "ask", classmethod(lambda cls, parent: db.sqlite_url(path)))

    window.action_open_database.trigger()

    qtbot.waitUntil(lambda: len(backup.list_backups(path)) == 1, timeout=10_000)
    assert backup.list_backups(path)[0].reason == backup.AUTOMATIC


def test_a_database_that_cannot_be_opened_leaves_the_window_as_it_was(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    junk = tmp_path / "notes.db"
    junk.write_text("shopping list")
    monkeypatch.setattr(OpenDatabaseDialog, "ask", classmethod(lambda cls, parent: db.sqlite_url(junk)))
    window.action_open_database.trigger()
    [box] = message_boxes(window)
    assert "not a Taskforce database" in box.text()
    box.close()
    assert "taskforce.db" in window.location_label.text()
    assert window.count_label.text() == "6 of 6 tasks"


def test_new_database_starts_empty(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        OpenDatabaseDialog, "ask_new_path", staticmethod(lambda parent: tmp_path / "fresh.db")
    )
    window.action_new_database.trigger()
    wait_settled(qtbot, window)
    assert "fresh.db" in window.location_label.text()
    assert all(view.showing_empty_state for view in window.views.values())
    assert (tmp_path / "fresh.db").exists()


def test_a_failed_undo_is_reported(qtbot: QtBot, window: MainWindow, sample_store: Store) -> None:
    tasks = table(window, "task")
    model = window.view("task").model
    assert model.setData(model.index(0, model.column_of("title")), "Renamed")
    with sample_store.engine.begin() as connection:
        connection.execute(sa.delete(Task.__table__).where(Task.__table__.c.id == 1))  # type: ignore[attr-defined]
    qtbot.keyClick(tasks, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Could not undo" in window.error_label.text())
    for box in message_boxes(window):
        box.close()


def test_new_database_refuses_to_overwrite_a_file(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    existing = tmp_path / "keep.db"
    existing.write_text("precious")
    monkeypatch.setattr(OpenDatabaseDialog, "ask_new_path", staticmethod(lambda parent: existing))
    window.action_new_database.trigger()
    [box] = message_boxes(window)
    assert "already exists" in box.text()
    box.close()
    assert existing.read_text() == "precious"
    assert "taskforce.db" in window.location_label.text()


def test_icons_follow_a_switch_to_a_dark_palette(window: MainWindow) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    light = QPalette(app.palette())
    dark = QPalette(light)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e0e0e0"))
    before = window.action_new.icon().cacheKey()
    undo_before = window.action_undo.icon().cacheKey()
    try:
        app.setPalette(dark)
        QApplication.processEvents()
        assert window.action_new.icon().cacheKey() != before
        assert window.action_undo.icon().cacheKey() != undo_before
    finally:
        app.setPalette(light)
        QApplication.processEvents()
    assert window.action_new.icon().cacheKey() == before


def test_a_read_only_database_says_so(qtbot: QtBot, sample_store: Store, settings: QSettings) -> None:
    window = MainWindow(Store(sample_store.engine, sample_store.url, read_only=True), settings)
    qtbot.addWidget(window)
    assert window.location_label.text() == f"Database: {sample_store.path} (read-only)"
    window.close()


def test_deleting_more_rows_than_the_limit_is_refused_before_reading_them(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.ui import main_window

    monkeypatch.setattr(main_window, "DELETE_LIMIT", 4)
    monkeypatch.setattr(delete_flow, "confirm", lambda *args: pytest.fail("nothing may be asked"))
    tasks = table(window, "task")
    click_row(qtbot, tasks, 0)
    qtbot.keyClick(tasks, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(tasks, Qt.Key.Key_Delete)
    [box] = message_boxes(window)
    assert "at most 4 tasks" in box.text()
    box.close()
    assert window.count_label.text() == "6 of 6 tasks"
