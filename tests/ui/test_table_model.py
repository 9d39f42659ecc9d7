"""The generic table model: roles, columns, sorting and filtering in SQL, inline edits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from uihelpers import wait_loaded

from desktop.models import TaskRead, TaskStatus
from desktop.store import ENTITIES, Store
from desktop.ui.table_model import PLACEHOLDER, EntityTableModel

DISPLAY = Qt.ItemDataRole.DisplayRole
EDIT = Qt.ItemDataRole.EditRole
CHECK = Qt.ItemDataRole.CheckStateRole


@pytest.fixture
def models(sample_store: Store) -> Iterator[dict[str, EntityTableModel]]:
    built = {
        name: EntityTableModel(sample_store, entity, synchronous=True) for name, entity in ENTITIES.items()
    }
    yield built
    for model in built.values():
        model.shutdown()


def cell(model: EntityTableModel, row: int, field: str, role: int = DISPLAY) -> object:
    return model.data(model.index(row, model.column_of(field)), role)


def column_texts(model: EntityTableModel, field: str) -> list[object]:
    return [cell(model, row, field) for row in range(model.rowCount())]


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_every_model_passes_the_model_tester(
    qtmodeltester: ModelTester, sample_store: Store, entity: str
) -> None:
    model = EntityTableModel(sample_store, ENTITIES[entity], synchronous=True)
    assert model.rowCount() > 0
    qtmodeltester.check(model, force_py=True)
    model.shutdown()


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_every_model_passes_the_model_tester_when_loaded_in_the_background(
    qtbot: QtBot, qtmodeltester: ModelTester, sample_store: Store, entity: str
) -> None:
    model = EntityTableModel(sample_store, ENTITIES[entity])
    wait_loaded(qtbot, model)
    assert model.rowCount() > 0
    qtmodeltester.check(model, force_py=True)
    model.shutdown()


def test_headers_are_readable_and_id_comes_first(models: dict[str, EntityTableModel]) -> None:
    def headers(model: EntityTableModel) -> list[str]:
        return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]

    task_headers = ["ID", "Title", "Status", "Created", "Completed", "Owner", "Description"]
    assert headers(models["task"]) == task_headers
    assert headers(models["user"]) == ["ID", "Username", "E-mail"]
    assert headers(models["hero"]) == ["ID", "Name", "Power", "Level", "Team"]
    assert headers(models["team"]) == ["ID", "Name"]
    assert headers(models["item"]) == ["ID", "Name", "Price", "In stock", "Description"]


def test_cells_read_as_a_person_expects(models: dict[str, EntityTableModel], sample_store: Store) -> None:
    tasks = models["task"]
    first = sample_store.tasks.get(1)
    assert cell(tasks, 0, "created_at") == first.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
    assert column_texts(tasks, "status")[:3] == ["Done", "In progress", "To do"]
    assert cell(tasks, 0, "status", EDIT) == TaskStatus.done
    assert column_texts(tasks, "owner_id") == ["alice"] * 3 + ["bob"] * 3
    assert cell(tasks, 0, "owner_id", EDIT) == first.owner_id
    assert isinstance(cell(tasks, 0, "id", Qt.ItemDataRole.UserRole), TaskRead)
    assert cell(tasks, 0, "description", Qt.ItemDataRole.ToolTipRole) == "Scope, milestones and owners"

    items = models["item"]  # ordered by name: Gadget, Widget
    assert column_texts(items, "price") == ["24.99", "9.99"]
    assert cell(items, 0, "price", EDIT) == 24.99
    assert cell(items, 0, "in_stock") is None
    assert cell(items, 0, "in_stock", CHECK) == Qt.CheckState.Checked
    assert items.flags(items.index(0, items.column_of("in_stock"))) & Qt.ItemFlag.ItemIsUserCheckable
    right = cell(items, 0, "price", Qt.ItemDataRole.TextAlignmentRole)
    left = cell(items, 0, "name", Qt.ItemDataRole.TextAlignmentRole)
    assert right & Qt.AlignmentFlag.AlignRight and left & Qt.AlignmentFlag.AlignLeft  # type: ignore[operator]

    assert column_texts(models["hero"], "team_id") == ["", "Avengers", "Avengers"]


def test_long_text_shows_on_one_line_and_whole_in_the_tooltip(sample_store: Store) -> None:
    text = "First line\nsecond line " + "word " * 100
    sample_store.items.create({"name": "Aardvark", "price": 1, "description": text})
    model = EntityTableModel(sample_store, ENTITIES["item"], synchronous=True)
    shown = cell(model, 0, "description")
    assert isinstance(shown, str) and "\n" not in shown and shown.endswith("…")
    assert cell(model, 0, "description", Qt.ItemDataRole.ToolTipRole) == text.strip()
    model.shutdown()


def test_id_and_created_are_read_only(models: dict[str, EntityTableModel]) -> None:
    tasks = models["task"]
    for field in ("id", "created_at"):
        index = tasks.index(0, tasks.column_of(field))
        assert not tasks.flags(index) & Qt.ItemFlag.ItemIsEditable
        assert not tasks.setData(index, 99)
    assert tasks.flags(tasks.index(0, tasks.column_of("title"))) & Qt.ItemFlag.ItemIsEditable


def test_sorting_is_done_by_the_store(models: dict[str, EntityTableModel]) -> None:
    tasks = models["task"]
    tasks.sort(tasks.column_of("title"), Qt.SortOrder.DescendingOrder)
    titles = column_texts(tasks, "title")
    assert titles == sorted(titles, reverse=True)
    tasks.sort(tasks.column_of("owner_id"), Qt.SortOrder.DescendingOrder)
    assert column_texts(tasks, "owner_id") == ["bob"] * 3 + ["alice"] * 3
    assert tasks.query.order_by == "owner" and tasks.query.descending


def test_filters_are_where_clauses(models: dict[str, EntityTableModel]) -> None:
    tasks = models["task"]
    tasks.set_filters(search="MIGR", status=TaskStatus.todo)
    assert column_texts(tasks, "title") == ["Review the migrations"]
    assert (tasks.rowCount(), tasks.total_count) == (1, 6)
    items = models["item"]
    items.set_filters(min_price=10)
    assert column_texts(items, "name") == ["Gadget"]
    heroes = models["hero"]
    heroes.set_filters(has_team=False)
    assert column_texts(heroes, "name") == ["Spider-Man"]


def test_an_inline_edit_writes_only_that_field(
    models: dict[str, EntityTableModel], sample_store: Store
) -> None:
    tasks = models["task"]
    before = sample_store.tasks.get(1)
    assert tasks.setData(tasks.index(0, tasks.column_of("title")), "Plan the project")
    after = sample_store.tasks.get(1)
    assert after.title == "Plan the project"
    assert (after.description, after.status, after.owner_id) == (
        before.description,
        before.status,
        before.owner_id,
    )
    assert cell(tasks, 0, "title") == "Plan the project"


def test_an_invalid_edit_leaves_the_cell_and_says_why(
    qtbot: QtBot, models: dict[str, EntityTableModel]
) -> None:
    heroes = models["hero"]
    index = heroes.index(0, heroes.column_of("level"))
    with qtbot.waitSignal(heroes.error) as blocker:
        assert not heroes.setData(index, 500)
    assert "Level" in blocker.args[0] and "100" in blocker.args[0]
    assert heroes.data(index) == "5"
    assert heroes.data(index, Qt.ItemDataRole.ToolTipRole) == blocker.args[0]
    assert heroes.setData(index, 6)
    assert heroes.data(index, Qt.ItemDataRole.ToolTipRole) is None


def test_a_taken_username_is_refused_with_the_store_message(models: dict[str, EntityTableModel]) -> None:
    users = models["user"]
    index = users.index(1, users.column_of("username"))
    messages: list[str] = []
    users.error.connect(messages.append)
    assert not users.setData(index, "alice")
    assert messages and "already taken" in messages[0]
    assert users.data(index) == "bob"


def test_the_check_box_and_the_references_are_edited_in_place(
    models: dict[str, EntityTableModel], sample_store: Store
) -> None:
    items = models["item"]
    stock = items.index(1, items.column_of("in_stock"))
    assert items.setData(stock, Qt.CheckState.Unchecked.value, CHECK)
    assert items.data(stock, CHECK) == Qt.CheckState.Unchecked
    assert sample_store.items.get(1).in_stock is False

    tasks = models["task"]
    owner = tasks.index(0, tasks.column_of("owner_id"))
    bob = next(user_id for user_id, name in sample_store.users.names() if name == "bob")
    assert tasks.setData(owner, bob)
    assert tasks.data(owner) == "bob"

    heroes = models["hero"]
    team = heroes.index(1, heroes.column_of("team_id"))
    assert heroes.setData(team, None)
    assert heroes.data(team) == ""
    assert sample_store.heroes.get(2).team_id is None


def test_choices_for_the_combo_box_editors(qtbot: QtBot, sample_store: Store) -> None:
    tasks = EntityTableModel(sample_store, ENTITIES["task"])
    heroes = EntityTableModel(sample_store, ENTITIES["hero"])
    answers: dict[str, list[tuple[object, str]]] = {}

    def choices(model: EntityTableModel, field: str) -> list[tuple[object, str]]:
        column = model.columns[model.column_of(field)]
        assert model.has_choices(column)
        model.choices(column, lambda found: answers.__setitem__(field, found))
        qtbot.waitUntil(lambda: field in answers)  # names are read on the query pool
        return answers[field]

    assert [label for _, label in choices(tasks, "status")] == ["To do", "In progress", "Done"]
    assert [label for _, label in choices(tasks, "owner_id")] == ["alice", "bob"]
    assert choices(heroes, "team_id")[0] == (None, "(no team)")  # the edit dialog's words too
    assert not tasks.has_choices(tasks.columns[tasks.column_of("title")])
    for model in (tasks, heroes):
        wait_loaded(qtbot, model)
        model.shutdown()


def test_changes_anywhere_show_in_every_model(
    models: dict[str, EntityTableModel], sample_store: Store
) -> None:
    tasks, users = models["task"], models["user"]
    sample_store.users.update(1, {"username": "alicia"})
    assert column_texts(tasks, "owner_id")[0] == "alicia"
    assert column_texts(users, "username")[0] == "alicia"
    sample_store.tasks.create({"title": "One more", "owner_id": 2})
    assert tasks.rowCount() == 7 and tasks.total_count == 7
    sample_store.tasks.delete_many([1, 2])
    assert tasks.rowCount() == 5
    assert column_texts(tasks, "title")[0] == "Review the migrations"


def test_rows_not_loaded_yet_show_a_placeholder(qtbot: QtBot, sample_store: Store) -> None:
    model = EntityTableModel(sample_store, ENTITIES["task"])
    wait_loaded(qtbot, model)
    model.refresh()
    wait_loaded(qtbot, model)
    # A model whose windows were dropped shows placeholders until the page arrives.
    model._core._windows.clear()
    assert model.data(model.index(0, 0)) == PLACEHOLDER
    assert model.data(model.index(0, 1)) is None
    assert model.data(model.index(0, 0), Qt.ItemDataRole.UserRole) is None
    with qtbot.waitSignal(model.dataChanged):
        pass
    assert model.data(model.index(0, 1)) == "Write the project plan"
    model.shutdown()


def test_a_valid_parent_has_no_rows(models: dict[str, EntityTableModel]) -> None:
    tasks = models["task"]
    assert tasks.rowCount(tasks.index(0, 0)) == 0
    assert tasks.columnCount(tasks.index(0, 0)) == 0
    assert tasks.rowCount(QModelIndex()) == 6


def test_timestamps_show_in_local_time() -> None:
    from desktop.ui.columns import local_time

    moment = datetime(2026, 11, 25, 14, 3, tzinfo=UTC)
    assert local_time(moment) == moment.astimezone().strftime("%Y-%m-%d %H:%M")


def test_a_model_deleted_without_shutdown_does_not_break_writes(sample_store: Store) -> None:
    import shiboken6

    model = EntityTableModel(sample_store, ENTITIES["task"], synchronous=True)
    shiboken6.delete(model)
    sample_store.tasks.create({"title": "Still saved", "owner_id": 1})
    assert sample_store.tasks.count() == 7
    sample_store.tasks.create({"title": "And again", "owner_id": 1})
    assert sample_store.tasks.count() == 8


def test_locate_finds_a_row_under_the_current_order_and_filter(
    qtbot: QtBot, models: dict[str, EntityTableModel]
) -> None:
    tasks = models["task"]
    tasks.sort(tasks.column_of("title"), Qt.SortOrder.AscendingOrder)
    with qtbot.waitSignal(tasks.row_located) as found:
        tasks.locate(6)  # "Package the app": third by title
    assert found.args == [6, 2]
    tasks.set_filters(status=TaskStatus.done)
    with qtbot.waitSignal(tasks.row_located) as missing:
        tasks.locate(6)
    assert missing.args == [6, None]
