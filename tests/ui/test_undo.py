"""Undo and redo of store writes, and what happens when the data changed under the history."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from PySide6.QtGui import QUndoStack
from pytestqt.qtbot import QtBot

from desktop import db
from desktop.demo import load_sample_data
from desktop.errors import ConflictError, DuplicateError, InUseError, StorageError, StorageKind
from desktop.models import TaskStatus
from desktop.store import NotFoundError, Store
from desktop.ui.undo import StoreCommands, may_pass


@pytest.fixture
def store(sample_store: Store) -> Store:
    return sample_store


def undo_label(stack: QUndoStack) -> str:
    return stack.createUndoAction(stack).text()


def redo_label(stack: QUndoStack) -> str:
    return stack.createRedoAction(stack).text()


def task_ids(store: Store) -> list[int]:
    return [task.id for task in store.tasks.list(limit=100)]


# --- create --------------------------------------------------------------------------


def test_create_then_undo_and_redo(store: Store, stack: QUndoStack, commands: StoreCommands) -> None:
    team = commands.create("team", {"name": "X-Men"})

    assert store.teams.get(team.id) == team
    assert stack.count() == 1
    assert undo_label(stack) == "Undo Create team"

    stack.undo()
    with pytest.raises(NotFoundError):
        store.teams.get(team.id)
    assert redo_label(stack) == "Redo Create team"

    stack.redo()
    assert store.teams.get(team.id) == team  # back with the same id


def test_a_refused_create_pushes_nothing(store: Store, stack: QUndoStack, commands: StoreCommands) -> None:
    with pytest.raises(ValidationError):
        commands.create("team", {"name": "  "})
    assert stack.count() == 0


def test_redo_of_a_created_team_brings_back_heroes_who_joined_it(
    store: Store, stack: QUndoStack, commands: StoreCommands
) -> None:
    team = commands.create("team", {"name": "X-Men"})
    store.heroes.update(1, {"team_id": team.id})  # not through the history

    stack.undo()
    assert store.heroes.get(1).team_id is None
    stack.redo()
    assert store.heroes.get(1).team_id == team.id


# --- edit ----------------------------------------------------------------------------


def test_edit_undo_writes_back_only_the_changed_fields(
    store: Store, stack: QUndoStack, commands: StoreCommands
) -> None:
    original = store.tasks.get(1)
    commands.update("task", 1, {"title": "Plan v2"})
    assert undo_label(stack) == "Undo Edit task"
    store.tasks.update(1, {"status": TaskStatus.todo})  # someone else, meanwhile

    stack.undo()
    after_undo = store.tasks.get(1)
    assert (after_undo.title, after_undo.status) == (original.title, TaskStatus.todo)

    stack.redo()
    after_redo = store.tasks.get(1)
    assert (after_redo.title, after_redo.status) == ("Plan v2", TaskStatus.todo)


def test_edit_undo_restores_a_cleared_value(store: Store, stack: QUndoStack, commands: StoreCommands) -> None:
    commands.update("hero", 2, {"team_id": None, "level": 10})
    assert (store.heroes.get(2).team_id, store.heroes.get(2).level) == (None, 10)

    stack.undo()
    assert (store.heroes.get(2).team_id, store.heroes.get(2).level) == (1, 8)


def test_an_edit_racing_another_writer_is_refused_and_not_recorded(
    store: Store, stack: QUndoStack, commands: StoreCommands, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = store.tasks.get
    raced: list[int] = []

    def read_then_someone_writes(row_id: int) -> object:
        row = read(row_id)
        if not raced:
            raced.append(row_id)
            store.tasks.update(row_id, {"title": "Theirs"})
        return row

    monkeypatch.setattr(store.tasks, "get", read_then_someone_writes)
    with pytest.raises(ConflictError):
        commands.update("task", 1, {"status": TaskStatus.todo})

    assert stack.count() == 0
    assert (read(1).title, read(1).status) == ("Theirs", TaskStatus.done)


def test_an_edit_that_changes_nothing_is_not_a_step(
    store: Store, stack: QUndoStack, commands: StoreCommands
) -> None:
    commands.update("team", 1, {"name": "Avengers"})
    assert stack.count() == 0


def test_a_refused_edit_pushes_nothing(store: Store, stack: QUndoStack, commands: StoreCommands) -> None:
    with pytest.raises(NotFoundError):
        commands.update("task", 999, {"title": "Nope"})
    assert stack.count() == 0


# --- delete --------------------------------------------------------------------------


def test_deleting_three_tasks_is_one_step(store: Store, stack: QUndoStack, commands: StoreCommands) -> None:
    before = [store.tasks.get(i) for i in (2, 4, 5)]
    commands.delete("task", [2, 4, 5])

    assert stack.count() == 1
    assert undo_label(stack) == "Undo Delete 3 tasks"
    assert task_ids(store) == [1, 3, 6]

    stack.undo()
    assert [store.tasks.get(i) for i in (2, 4, 5)] == before  # same ids, same values, same created_at
    assert redo_label(stack) == "Redo Delete 3 tasks"

    stack.redo()
    assert task_ids(store) == [1, 3, 6]


def test_deleting_one_row_is_named_singular(store: Store, stack: QUndoStack, commands: StoreCommands) -> None:
    commands.delete("item", [1])
    assert undo_label(stack) == "Undo Delete item"


def test_team_heroes_get_their_team_back(store: Store, stack: QUndoStack, commands: StoreCommands) -> None:
    members = [hero.id for hero in store.heroes.list() if hero.team_id == 1]
    assert members
    commands.delete("team", [1])
    assert all(store.heroes.get(i).team_id is None for i in members)

    stack.undo()
    assert store.teams.get(1).name == "Avengers"
    assert all(store.heroes.get(i).team_id == 1 for i in members)

    stack.redo()
    assert all(store.heroes.get(i).team_id is None for i in members)


def test_user_with_reassigned_tasks_gets_them_back(
    store: Store, stack: QUndoStack, commands: StoreCommands
) -> None:
    alice_tasks = [task.id for task in store.tasks.list(owner_id=1)]
    commands.delete("user", [1], reassign_to=2)
    assert all(store.tasks.get(i).owner_id == 2 for i in alice_tasks)

    stack.undo()
    assert store.users.get(1).username == "alice"
    assert [task.id for task in store.tasks.list(owner_id=1)] == alice_tasks

    stack.redo()
    assert store.users.count() == 1
    assert all(store.tasks.get(i).owner_id == 2 for i in alice_tasks)


def test_a_refused_delete_pushes_nothing(store: Store, stack: QUndoStack, commands: StoreCommands) -> None:
    with pytest.raises(InUseError):
        commands.delete("user", [1])
    assert stack.count() == 0
    assert store.users.count() == 2


def test_a_long_history_walks_back_and_forth(
    store: Store, stack: QUndoStack, commands: StoreCommands
) -> None:
    user = commands.create("user", {"username": "carol", "email": "carol@example.com"})
    task = commands.create("task", {"title": "Onboard Carol", "owner_id": user.id})
    commands.update("task", task.id, {"status": TaskStatus.done})
    commands.delete("user", [user.id], reassign_to=1)
    assert store.tasks.get(task.id).owner_id == 1

    stack.setIndex(0)
    assert store.users.count() == 2
    assert store.tasks.count() == 6

    stack.setIndex(4)
    assert store.tasks.get(task.id).status == TaskStatus.done
    assert store.tasks.get(task.id).owner_id == 1
    stack.setIndex(3)
    assert store.tasks.get(task.id).owner_id == user.id


# --- failures inside undo and redo -----------------------------------------------------


def test_undo_of_an_edit_to_a_row_deleted_elsewhere_reports_and_drops_the_step(
    qtbot: QtBot, store: Store, stack: QUndoStack, commands: StoreCommands
) -> None:
    item = commands.create("item", {"name": "Crate", "price": 3})
    commands.update("task", 1, {"title": "Plan v2"})
    store.tasks.delete(1, reassign_to=None)  # someone else

    with qtbot.waitSignal(commands.error) as report:
        stack.undo()  # must not raise

    assert report.args == [
        "Could not undo “Edit task”: Task not found. It was removed from the undo history."
    ]
    assert stack.count() == 1
    assert (stack.index(), undo_label(stack)) == (1, "Undo Create item")
    stack.undo()  # the rest of the history still works
    with pytest.raises(NotFoundError):
        store.items.get(item.id)


def test_undo_does_not_overwrite_the_same_field_changed_elsewhere(
    qtbot: QtBot, store: Store, stack: QUndoStack, commands: StoreCommands
) -> None:
    commands.update("task", 1, {"title": "Plan v2", "owner_id": 2})
    store.tasks.update(1, {"title": "Plan v3"})  # someone else, the same field

    with qtbot.waitSignal(commands.error) as report:
        stack.undo()

    assert report.args == [
        "Could not undo “Edit task”: The title of this task was changed elsewhere since. "
        "It was removed from the undo history."
    ]
    assert (store.tasks.get(1).title, store.tasks.get(1).owner_id) == ("Plan v3", 2)
    assert stack.count() == 0


def test_redo_that_conflicts_with_new_data_reports_and_drops_the_step(
    qtbot: QtBot, store: Store, stack: QUndoStack, commands: StoreCommands
) -> None:
    commands.create("user", {"username": "carol", "email": "carol@example.com"})
    stack.undo()
    store.users.create({"username": "carol", "email": "carol@example.org"})  # someone else

    with qtbot.waitSignal(commands.error) as report:
        stack.redo()

    assert report.args[0].startswith("Could not redo “Create user”: ")
    assert report.args[0].endswith("It was removed from the undo history.")
    assert (stack.count(), stack.canRedo()) == (0, False)
    assert [name for _id, name in store.users.names()] == ["alice", "bob", "carol"]


def test_undo_of_a_create_that_is_now_in_use_is_dropped(
    qtbot: QtBot, store: Store, stack: QUndoStack, commands: StoreCommands
) -> None:
    user = commands.create("user", {"username": "carol", "email": "carol@example.com"})
    store.tasks.create({"title": "Carol's", "owner_id": user.id})  # someone else

    with qtbot.waitSignal(commands.error) as report:
        stack.undo()

    assert "This user owns 1 task." in report.args[0]
    assert stack.count() == 0
    assert store.users.get(user.id).username == "carol"


@pytest.fixture
def impatient_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A store that gives up on a locked database after a moment instead of seconds."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    opened = Store.open(f"sqlite:///{tmp_path / 'shared.db'}")
    load_sample_data(opened)
    try:
        yield opened
    finally:
        opened.close()


class WriteLock:
    """Another program holding the write lock of the database file."""

    def __init__(self, store: Store) -> None:
        assert store.path is not None
        self.connection = sqlite3.connect(store.path, isolation_level=None)

    def __enter__(self) -> WriteLock:
        self.connection.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *_exc: object) -> None:
        self.connection.execute("ROLLBACK")
        self.connection.close()


def test_undo_on_a_locked_database_keeps_the_step_to_try_again(qtbot: QtBot, impatient_store: Store) -> None:
    store = impatient_store
    stack = QUndoStack()
    commands = StoreCommands(store, stack)
    commands.delete("task", [1, 2, 3])

    with WriteLock(store), qtbot.waitSignal(commands.error) as report:
        stack.undo()

    assert report.args[0].startswith("Could not undo “Delete 3 tasks”: The database is busy")
    assert "removed" not in report.args[0]
    assert (stack.count(), stack.index(), undo_label(stack)) == (1, 1, "Undo Delete 3 tasks")
    assert task_ids(store) == [4, 5, 6]

    stack.undo()  # the lock is gone: trying again works
    assert task_ids(store) == [1, 2, 3, 4, 5, 6]
    assert (stack.index(), redo_label(stack)) == (0, "Redo Delete 3 tasks")


def test_redo_on_a_locked_database_keeps_the_step_to_try_again(qtbot: QtBot, impatient_store: Store) -> None:
    store = impatient_store
    stack = QUndoStack()
    commands = StoreCommands(store, stack)
    commands.update("team", 1, {"name": "The Avengers"})
    stack.undo()

    with WriteLock(store), qtbot.waitSignal(commands.error) as report:
        stack.redo()

    assert report.args[0].startswith("Could not redo “Edit team”: The database is busy")
    assert (stack.count(), stack.index(), redo_label(stack)) == (1, 0, "Redo Edit team")
    assert store.teams.get(1).name == "Avengers"

    stack.redo()
    assert store.teams.get(1).name == "The Avengers"
    assert stack.index() == 1


@pytest.mark.parametrize(
    ("error", "passes"),
    [
        (StorageError("lost", kind=StorageKind.CONNECTION, retryable=True), True),
        (StorageError("busy", kind=StorageKind.BUSY, retryable=True), True),
        (StorageError("full", kind=StorageKind.DISK_FULL), True),
        (StorageError("too large", kind=StorageKind.OUT_OF_RANGE), False),
        (StorageError("refused"), False),
        (DuplicateError("taken", entity="user", field="username", value="bob"), False),
    ],
    ids=lambda value: getattr(value, "message", str(value)),
)
def test_only_a_passing_state_of_the_database_keeps_a_failed_step(error: Exception, passes: bool) -> None:
    """Read from the error's kind and retryability, not from what caused it underneath."""
    assert may_pass(error) is passes
