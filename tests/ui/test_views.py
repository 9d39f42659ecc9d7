"""The tabs as a person uses them: filters, in-place edits, navigation, empty state, remembered layout."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QStyle,
    QStyleOptionViewItem,
    QTableView,
)
from pytestqt.qtbot import QtBot
from uihelpers import cell_center, click_row, column_texts, selected_texts, show, wait_settled, wait_tab_ready

from desktop.store import Store
from desktop.store.search_index import sqlite_folding
from desktop.ui.edit_dialog import EditDialog
from desktop.ui.filters import DEBOUNCE_MS, INDEXED_DEBOUNCE_MS
from desktop.ui.main_window import MainWindow
from desktop.ui.views import EntityView


def open_tab(qtbot: QtBot, window: MainWindow, entity: str) -> EntityView:
    """Show a tab and wait, as a person would, for its rows and the names its filters offer."""
    view = window.view(entity)
    window.tabs.setCurrentWidget(view)
    wait_tab_ready(qtbot, view)
    return view


def choose(combo: QComboBox, text: str) -> None:
    """Pick an entry as a person would: open the list, go to the entry, press Enter."""
    index = combo.findText(text)
    assert index >= 0, f"{text!r} is not offered: {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def combo_texts(combo: QComboBox) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


# --- filters ------------------------------------------------------------------------------


def test_search_waits_for_a_pause_in_typing_then_filters_in_sql(qtbot: QtBot, window: MainWindow) -> None:
    view = open_tab(qtbot, window, "task")
    search = window.findChild(QLineEdit, "tasksSearch")
    assert search is not None and search.isClearButtonEnabled()
    qtbot.keyClicks(search, "DATA")
    assert view.filter_bar.pending and view.model.query.search is None  # debounced, not yet applied
    assert DEBOUNCE_MS == 200
    wait_settled(qtbot, window)
    assert column_texts(view.table, "title") == ["Set up the database"]
    assert window.count_label.text() == "1 of 6 tasks"
    qtbot.keyClick(search, Qt.Key.Key_Escape)
    assert search.text() == ""
    wait_settled(qtbot, window)
    assert len(column_texts(view.table, "title")) == 6


def test_a_search_the_index_serves_waits_a_shorter_pause_than_a_scan(
    qtbot: QtBot, window: MainWindow, sample_store: Store
) -> None:
    view = open_tab(qtbot, window, "task")
    bar = view.filter_bar
    search = window.findChild(QLineEdit, "tasksSearch")
    assert search is not None
    sqlite_folding.cache_clear()  # as in a new process: the index's folding is not known yet
    qtbot.keyClicks(search, "dat")
    assert bar.pending and bar.pause == DEBOUNCE_MS  # not known yet: it is worked out meanwhile
    qtbot.waitUntil(lambda: sample_store.tasks.search_served("data") is not None, timeout=10_000)
    qtbot.keyClicks(search, "a")
    assert bar.pending and bar.pause == INDEXED_DEBOUNCE_MS < DEBOUNCE_MS
    wait_settled(qtbot, window)
    assert column_texts(view.table, "title") == ["Set up the database"]
    qtbot.keyClick(search, Qt.Key.Key_Backspace)
    qtbot.keyClick(search, Qt.Key.Key_Backspace)
    assert search.text() == "da" and bar.pause == DEBOUNCE_MS  # two characters: scanned for
    search.setText("x%_")
    assert bar.pause == INDEXED_DEBOUNCE_MS
    choose(window.findChild(QComboBox, "tasksStatusFilter"), "Done")  # type: ignore[arg-type]
    assert bar.pending and bar.pause == DEBOUNCE_MS  # a filter waits as before
    wait_settled(qtbot, window)


def test_tasks_filter_by_status_and_owner(qtbot: QtBot, window: MainWindow) -> None:
    view = open_tab(qtbot, window, "task")
    status = window.findChild(QComboBox, "tasksStatusFilter")
    owner = window.findChild(QComboBox, "tasksOwnerFilter")
    assert status is not None and owner is not None
    assert combo_texts(status) == ["All", "To do", "In progress", "Done"]
    assert combo_texts(owner) == ["All", "alice", "bob"]
    choose(status, "In progress")
    choose(owner, "bob")
    wait_settled(qtbot, window)
    assert column_texts(view.table, "title") == ["Build the edit dialog"]
    choose(status, "All")
    wait_settled(qtbot, window)
    assert set(column_texts(view.table, "owner_id")) == {"bob"}


def test_the_owner_filter_follows_changes_to_users(
    qtbot: QtBot, window: MainWindow, sample_store: Store
) -> None:
    owner = window.findChild(QComboBox, "tasksOwnerFilter")
    assert owner is not None
    choose(owner, "bob")
    sample_store.users.create({"username": "carol", "email": "carol@example.com"})
    sample_store.users.update(1, {"username": "alicia"})
    wait_settled(qtbot, window)
    assert combo_texts(owner) == ["All", "alicia", "bob", "carol"]
    assert owner.currentText() == "bob"


def test_heroes_filter_by_team_or_no_team(qtbot: QtBot, window: MainWindow) -> None:
    view = open_tab(qtbot, window, "hero")
    team = window.findChild(QComboBox, "heroesTeamFilter")
    assert team is not None
    assert combo_texts(team) == ["All", "No team", "Avengers"]
    choose(team, "No team")
    wait_settled(qtbot, window)
    assert column_texts(view.table, "name") == ["Spider-Man"]
    choose(team, "Avengers")
    wait_settled(qtbot, window)
    assert column_texts(view.table, "name") == ["Iron Man", "Thor"]
    search = window.findChild(QLineEdit, "heroesSearch")
    assert search is not None
    qtbot.keyClicks(search, "thunder")
    wait_settled(qtbot, window)
    assert column_texts(view.table, "name") == ["Thor"]


def test_items_filter_by_price_and_stock(qtbot: QtBot, window: MainWindow, sample_store: Store) -> None:
    sample_store.items.update(2, {"in_stock": False})  # Gadget
    view = open_tab(qtbot, window, "item")
    price = window.findChild(QDoubleSpinBox, "itemsMinPrice")
    stock = window.findChild(QCheckBox, "itemsInStockFilter")
    assert price is not None and stock is not None
    assert price.decimals() == 2 and stock.text() == "In stock only"
    price.selectAll()
    qtbot.keyClicks(price, "10")
    wait_settled(qtbot, window)
    assert column_texts(view.table, "name") == ["Gadget"]
    price.setValue(0)
    stock.click()
    wait_settled(qtbot, window)
    assert column_texts(view.table, "name") == ["Widget"]
    assert window.count_label.text() == "1 of 2 items"


@pytest.mark.parametrize(
    ("entity", "text", "field", "expected"),
    [("user", "BOB", "username", ["bob"]), ("team", "aven", "name", ["Avengers"])],
)
def test_users_and_teams_are_searched(
    qtbot: QtBot, window: MainWindow, entity: str, text: str, field: str, expected: list[str]
) -> None:
    view = open_tab(qtbot, window, entity)
    qtbot.keyClicks(view.filter_bar.search.box, text)
    wait_settled(qtbot, window)
    assert column_texts(view.table, field) == expected
    qtbot.keyClicks(view.filter_bar.search.box, "zzz")
    wait_settled(qtbot, window)
    assert column_texts(view.table, field) == []
    assert not view.showing_empty_state  # nothing matches, but the table is not empty


# --- sorting and columns ----------------------------------------------------------------------


def test_clicking_a_header_sorts_by_that_column(qtbot: QtBot, window: MainWindow) -> None:
    view = open_tab(qtbot, window, "task")
    header = view.table.horizontalHeader()
    owner = view.model.column_of("owner_id")
    x = header.sectionViewportPosition(owner) + header.sectionSize(owner) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    wait_settled(qtbot, window)
    first = column_texts(view.table, "owner_id")
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    wait_settled(qtbot, window)
    assert column_texts(view.table, "owner_id") == list(reversed(first))
    assert view.model.query.order_by == "owner"


def test_columns_can_be_hidden_from_the_header_menu(qtbot: QtBot, window: MainWindow) -> None:
    view = open_tab(qtbot, window, "task")
    menu = view.header_menu()
    labels = [action.text() for action in menu.actions()]
    assert labels == ["ID", "Title", "Status", "Created", "Completed", "Owner", "Description"]
    menu.actions()[labels.index("Created")].trigger()
    assert view.table.isColumnHidden(view.model.column_of("created_at"))


def test_columns_are_wide_enough_for_their_titles(window: MainWindow) -> None:
    for view in window.views.values():
        header = view.table.horizontalHeader()
        metrics = header.fontMetrics()
        for section, column in enumerate(view.model.columns[:-1]):
            assert header.sectionSize(section) > metrics.horizontalAdvance(column.header) + 20


# --- editing in place ---------------------------------------------------------------------------


def test_a_title_is_edited_in_place_and_enter_commits_it(
    qtbot: QtBot, window: MainWindow, sample_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Any] = []
    monkeypatch.setattr(EditDialog, "run", classmethod(lambda cls, *args: opened.append(args) or False))
    view = open_tab(qtbot, window, "task")
    click_row(qtbot, view.table, 0, "title")
    qtbot.mouseClick(
        view.table.viewport(), Qt.MouseButton.LeftButton, pos=cell_center(view.table, 0, "title")
    )
    qtbot.waitUntil(
        lambda: view.table.state() == QAbstractItemView.State.EditingState
    )  # after the double-click time
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.maxLength() == 200
    editor.selectAll()
    qtbot.keyClicks(editor, "Plan it all")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.table.state() == QAbstractItemView.State.NoState)
    assert opened == []  # Enter committed the cell, it did not open the dialog
    assert sample_store.tasks.get(1).title == "Plan it all"
    wait_settled(qtbot, window)
    assert column_texts(view.table, "title")[0] == "Plan it all"
    assert window.action_undo.text() == "Undo Edit task"


def test_an_invalid_value_is_refused_and_the_status_bar_says_why(
    qtbot: QtBot, window: MainWindow, sample_store: Store
) -> None:
    view = open_tab(qtbot, window, "user")
    index = view.model.index(1, view.model.column_of("email"))
    view.table.setCurrentIndex(index)
    view.table.edit(index)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.setText("not an address")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.table.state() == QAbstractItemView.State.NoState)
    assert "E-mail: is not a valid e-mail address" in window.error_label.text()
    assert view.model.data(index) == "bob@example.com"
    assert "valid" in str(view.model.data(index, Qt.ItemDataRole.ToolTipRole))
    assert sample_store.users.get(2).email == "bob@example.com"


def test_status_and_owner_are_chosen_from_combo_boxes(
    qtbot: QtBot, window: MainWindow, sample_store: Store
) -> None:
    view = open_tab(qtbot, window, "task")
    for field, choice in (("status", "To do"), ("owner_id", "bob")):
        index = view.model.index(0, view.model.column_of(field))
        view.table.setCurrentIndex(index)
        view.table.edit(index)
        editor = view.table.indexWidget(index) or QApplication.focusWidget()
        assert isinstance(editor, QComboBox)
        qtbot.waitUntil(lambda combo=editor: combo.count() > 0)  # names are read off the GUI thread
        assert editor.currentData() == index.data(Qt.ItemDataRole.EditRole)
        choose(editor, choice)
    wait_settled(qtbot, window)
    task = sample_store.tasks.get(1)
    assert (task.status.value, task.owner_id) == ("todo", 2)
    assert column_texts(view.table, "status")[0] == "To do"
    assert column_texts(view.table, "owner_id")[0] == "bob"


def test_the_team_cell_editor_tells_apart_teams_of_the_same_name(
    qtbot: QtBot, window: MainWindow, sample_store: Store
) -> None:
    first = sample_store.teams.names()[0][0]
    second = sample_store.teams.create({"name": "Avengers"}).id
    view = open_tab(qtbot, window, "hero")
    wait_settled(qtbot, window)
    row = column_texts(view.table, "name").index("Iron Man")
    index = view.model.index(row, view.model.column_of("team_id"))
    view.table.setCurrentIndex(index)
    view.table.edit(index)
    editor = view.table.indexWidget(index) or QApplication.focusWidget()
    assert isinstance(editor, QComboBox)
    qtbot.waitUntil(lambda: editor.count() > 2)
    assert combo_texts(editor) == ["(no team)", f"Avengers (#{first})", f"Avengers (#{second})"]
    assert editor.currentText() == f"Avengers (#{first})"
    choose(editor, f"Avengers (#{second})")
    qtbot.waitUntil(lambda: sample_store.heroes.get(2).team_id == second)


def test_a_level_editor_offers_only_allowed_levels(qtbot: QtBot, window: MainWindow) -> None:
    view = open_tab(qtbot, window, "hero")
    index = view.model.index(0, view.model.column_of("level"))
    view.table.edit(index)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QSpinBox) and (editor.minimum(), editor.maximum()) == (1, 100)


def test_the_stock_check_box_is_toggled_with_a_click(
    qtbot: QtBot, window: MainWindow, sample_store: Store
) -> None:
    view = open_tab(qtbot, window, "item")
    row = column_texts(view.table, "name").index("Widget")
    index = view.model.index(row, view.model.column_of("in_stock"))
    option = QStyleOptionViewItem()
    view.table.initViewItemOption(option)
    option.rect = view.table.visualRect(index)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    check = view.table.style().subElementRect(
        QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, view.table
    )
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=check.center())
    assert sample_store.items.get(1).in_stock is False
    assert view.model.data(index, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked


def test_renaming_a_user_updates_the_owner_column_of_tasks(
    qtbot: QtBot, window: MainWindow, sample_store: Store
) -> None:
    users = open_tab(qtbot, window, "user")
    assert users.model.setData(users.model.index(0, users.model.column_of("username")), "alicia")
    wait_settled(qtbot, window)
    tasks = window.view("task")
    assert column_texts(tasks.table, "owner_id") == ["alicia"] * 3 + ["bob"] * 3
    assert "alicia" in combo_texts(tasks.filter_bar.references["owner_id"].combo)


def test_the_selected_row_stays_selected_when_a_change_elsewhere_moves_it(
    qtbot: QtBot, window: MainWindow, sample_store: Store
) -> None:
    view = open_tab(qtbot, window, "task")
    view.table.sortByColumn(view.model.column_of("title"), Qt.SortOrder.AscendingOrder)
    wait_settled(qtbot, window)
    row = column_texts(view.table, "title").index("Package the app")
    click_row(qtbot, view.table, row)
    sample_store.tasks.create({"title": "Aardvark care", "owner_id": 1})  # sorts first
    wait_settled(qtbot, window)
    assert column_texts(view.table, "title")[0] == "Aardvark care"
    assert selected_texts(view.table, "title") == ["Package the app"]
    sample_store.tasks.delete_many([1, 2])
    wait_settled(qtbot, window)
    assert selected_texts(view.table, "title") == ["Package the app"]


def test_rows_added_elsewhere_appear_without_refreshing(
    qtbot: QtBot, window: MainWindow, sample_store: Store
) -> None:
    teams, heroes = open_tab(qtbot, window, "team"), open_tab(qtbot, window, "hero")
    sample_store.teams.create({"name": "X-Men"})
    wait_settled(qtbot, window)
    assert column_texts(teams.table, "name") == ["Avengers", "X-Men"]
    assert "X-Men" in combo_texts(heroes.filter_bar.references["team_id"].combo)


# --- navigation -------------------------------------------------------------------------------


def test_show_tasks_of_a_user(qtbot: QtBot, window: MainWindow) -> None:
    users = open_tab(qtbot, window, "user")
    click_row(qtbot, users.table, 1)
    menu = window.context_menu(users)
    show_tasks = next(a for a in menu.actions() if a.text() == "Show tasks")
    assert show_tasks.objectName() == "actionShowTasks" and show_tasks.isEnabled()
    show_tasks.trigger()
    wait_settled(qtbot, window)
    tasks = window.view("task")
    assert window.tabs.currentWidget() is tasks
    assert tasks.filter_bar.references["owner_id"].combo.currentText() == "bob"
    assert set(column_texts(tasks.table, "owner_id")) == {"bob"}
    assert window.count_label.text() == "3 of 6 tasks"


def test_show_heroes_of_a_team(qtbot: QtBot, window: MainWindow) -> None:
    teams = open_tab(qtbot, window, "team")
    click_row(qtbot, teams.table, 0)
    window.findChild(type(window.action_new), "actionShowHeroes").trigger()
    wait_settled(qtbot, window)
    heroes = window.view("hero")
    assert window.tabs.currentWidget() is heroes
    assert column_texts(heroes.table, "name") == ["Iron Man", "Thor"]


def test_go_to_the_owner_of_a_task_even_when_the_users_are_filtered(qtbot: QtBot, window: MainWindow) -> None:
    users = open_tab(qtbot, window, "user")
    qtbot.keyClicks(users.filter_bar.search.box, "alice")
    wait_settled(qtbot, window)
    tasks = open_tab(qtbot, window, "task")
    click_row(qtbot, tasks.table, 4)  # a task of bob's
    menu = window.context_menu(tasks)
    go_to = next(a for a in menu.actions() if a.text() == "Go to owner")
    assert go_to.objectName() == "actionGoToOwner"
    go_to.trigger()
    wait_settled(qtbot, window)
    assert window.tabs.currentWidget() is users
    assert users.filter_bar.search.box.text() == ""
    assert selected_texts(users.table, "username") == ["bob"]


def test_the_go_menu_offers_what_the_current_tab_relates_to(qtbot: QtBot, window: MainWindow) -> None:
    def offered() -> list[str]:
        return [a.text() for a in window.go_menu.actions() if a.isVisible()]

    assert offered() == ["Go to owner"]
    open_tab(qtbot, window, "user")
    assert offered() == ["Show tasks"]
    open_tab(qtbot, window, "team")
    assert offered() == ["Show heroes"]
    open_tab(qtbot, window, "item")
    assert offered() == [] and not window.go_menu.isEnabled()


def test_go_to_team_is_offered_only_for_heroes_in_a_team(qtbot: QtBot, window: MainWindow) -> None:
    heroes = open_tab(qtbot, window, "hero")
    go_to = window.findChild(type(window.action_new), "actionGoToTeam")
    click_row(qtbot, heroes.table, 0)  # Spider-Man, no team
    assert not go_to.isEnabled()
    click_row(qtbot, heroes.table, 2)  # Thor
    assert go_to.isEnabled()
    go_to.trigger()
    wait_settled(qtbot, window)
    teams = window.view("team")
    assert window.tabs.currentWidget() is teams
    assert selected_texts(teams.table, "name") == ["Avengers"]


# --- empty state --------------------------------------------------------------------------------


def test_an_empty_table_shows_a_friendly_message_with_what_to_do(
    qtbot: QtBot, sqlite_store: Store, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Any] = []
    monkeypatch.setattr(EditDialog, "run", classmethod(lambda cls, *args: opened.append(args) or False))
    window = MainWindow(sqlite_store, settings)
    qtbot.addWidget(window)
    show(qtbot, window)
    view = window.view("task")
    assert view.showing_empty_state
    assert not view.table.isVisible()
    new_button = window.findChild(QPushButton, "tasksEmptyNew")
    assert new_button is not None and new_button.isVisible() and new_button.text() == "New task…"
    qtbot.mouseClick(new_button, Qt.MouseButton.LeftButton)
    assert opened and opened[0][2].name == "task" and opened[0][3] is None
    sample = window.findChild(QPushButton, "tasksEmptyLoadSample")
    assert sample is not None
    qtbot.mouseClick(sample, Qt.MouseButton.LeftButton)
    wait_settled(qtbot, window)
    assert not view.showing_empty_state and view.table.isVisible()
    assert window.count_label.text() == "6 of 6 tasks"
    window.close()


def test_deleting_the_last_row_brings_the_empty_state(
    qtbot: QtBot, window: MainWindow, sample_store: Store
) -> None:
    items = open_tab(qtbot, window, "item")
    sample_store.items.delete_many([1, 2])
    wait_settled(qtbot, window)
    assert items.showing_empty_state
    assert window.findChild(QPushButton, "itemsEmptyNew") is not None


# --- a long table --------------------------------------------------------------------------------


def test_ctrl_end_goes_to_the_last_row_at_once(qtbot: QtBot, window: MainWindow, sample_store: Store) -> None:
    import sqlalchemy as sa

    from desktop.models import Task

    with sample_store.engine.begin() as connection:
        connection.execute(
            sa.insert(Task.__table__),  # type: ignore[attr-defined]
            [{"title": f"Bulk {n:04d}", "owner_id": 1, "status": "todo"} for n in range(3_000)],
        )
    qtbot.keyClick(window.view("task").table, Qt.Key.Key_F5)
    wait_settled(qtbot, window)
    table: QTableView = window.view("task").table
    click_row(qtbot, table, 0)
    qtbot.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert table.currentIndex().row() == 3_005
    qtbot.waitUntil(lambda: table.currentIndex().siblingAtColumn(1).data() == "Bulk 2999")
    assert window.view("task").model.record_at(1_000) is None  # the middle was never read


# --- remembered ----------------------------------------------------------------------------------


def test_the_window_remembers_tab_columns_sorting_and_filters(
    qtbot: QtBot, sample_store: Store, settings: QSettings
) -> None:
    first = MainWindow(sample_store, settings)
    qtbot.addWidget(first)
    show(qtbot, first)
    heroes = open_tab(qtbot, first, "hero")
    heroes.table.sortByColumn(heroes.model.column_of("name"), Qt.SortOrder.DescendingOrder)
    heroes.table.setColumnHidden(heroes.model.column_of("power"), True)
    heroes.table.horizontalHeader().resizeSection(heroes.model.column_of("name"), 333)
    choose(heroes.filter_bar.references["team_id"].combo, "Avengers")
    tasks = first.view("task")
    choose(tasks.filter_bar.filters["status"].widget, "Done")  # type: ignore[arg-type]
    qtbot.keyClicks(tasks.filter_bar.search.box, "design")
    first.resize(700, 500)
    wait_settled(qtbot, first)
    first.close()

    again = MainWindow(sample_store, QSettings(settings.fileName(), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    show(qtbot, again)
    heroes = again.view("hero")
    assert again.tabs.currentWidget() is heroes
    assert (again.width(), again.height()) == (700, 500)
    header = heroes.table.horizontalHeader()
    assert header.sortIndicatorSection() == heroes.model.column_of("name")
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert heroes.table.isColumnHidden(heroes.model.column_of("power"))
    assert header.sectionSize(heroes.model.column_of("name")) == 333
    assert heroes.filter_bar.references["team_id"].combo.currentText() == "Avengers"
    assert column_texts(heroes.table, "name") == ["Thor", "Iron Man"]
    assert "task" not in again.views  # built when first shown, with what it remembers
    tasks = again.view("task")
    assert tasks.filter_bar.search.box.text() == "design"
    wait_tab_ready(qtbot, tasks)
    assert column_texts(tasks.table, "title") == ["Design the task list"]
    again.close()


def test_a_row_that_no_longer_exists_is_reported(qtbot: QtBot, window: MainWindow) -> None:
    users = open_tab(qtbot, window, "user")
    qtbot.keyClicks(users.filter_bar.search.box, "bob")
    wait_settled(qtbot, window)
    with qtbot.waitSignal(users.row_missing):
        users.select_row_id(999)
    assert users.filter_bar.search.box.text() == ""  # looked for it without the filter too
    assert "That user no longer exists." in window.error_label.text()
    for box in window.findChildren(QMessageBox):
        box.close()


def test_a_team_editor_closed_before_its_names_arrive_changes_nothing(
    qtbot: QtBot, window: MainWindow, sample_store: Store
) -> None:
    view = open_tab(qtbot, window, "hero")
    index = view.model.index(1, view.model.column_of("team_id"))
    before = sample_store.heroes.get(2).team_id
    view.table.setCurrentIndex(index)
    view.table.edit(index)
    editor = view.table.indexWidget(index) or QApplication.focusWidget()
    assert isinstance(editor, QComboBox) and editor.count() == 0  # the names are being read
    view.table.commitData(editor)  # what Return or leaving the cell does
    wait_settled(qtbot, window)
    assert before is not None and sample_store.heroes.get(2).team_id == before
    assert column_texts(view.table, "team_id")[1] == "Avengers"
