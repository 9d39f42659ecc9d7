"""Deleting from the GUI: the confirmation, reassigning a user's tasks, and undo afterwards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QComboBox, QInputDialog, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop.store import ENTITIES, Store
from desktop.ui import delete_flow
from desktop.ui.delete_flow import delete_rows
from desktop.ui.undo import StoreCommands


@pytest.fixture
def store(sample_store: Store) -> Store:
    return sample_store


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@dataclass
class Person:
    """Answers the questions delete_rows asks, and remembers them."""

    confirms: bool = True
    reassign_to: str | None = None
    questions: list[tuple[str, str, str]] = field(default_factory=list)
    reassignments: list[tuple[str, str, list[str]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def confirm(self, parent: QWidget | None, title: str, text: str, details: str) -> bool:
        self.questions.append((title, text, details))
        return self.confirms

    def choose_reassignment(
        self, parent: QWidget | None, title: str, text: str, choices: Sequence[tuple[int, str]]
    ) -> int | None:
        self.reassignments.append((title, text, [label for _id, label in choices]))
        return next((row_id for row_id, label in choices if label == self.reassign_to), None)

    def show_error(self, parent: QWidget | None, title: str, message: str) -> None:
        self.errors.append(message)


@pytest.fixture
def person(monkeypatch: pytest.MonkeyPatch) -> Person:
    answers = Person()
    monkeypatch.setattr(delete_flow, "confirm", answers.confirm)
    monkeypatch.setattr(delete_flow, "choose_reassignment", answers.choose_reassignment)
    monkeypatch.setattr(delete_flow, "show_error", answers.show_error)
    return answers


def titles(store: Store) -> list[str]:
    return [task.title for task in store.tasks.list(limit=100)]


def test_deleting_one_task_names_it(
    window: QWidget, store: Store, stack: QUndoStack, commands: StoreCommands, person: Person
) -> None:
    assert delete_rows(window, commands, store, ENTITIES["task"], [1]) is True

    title, text, details = person.questions[0]
    assert (title, text) == ("Delete task", "Delete task 'Write the project plan'?")
    assert details == "You can undo this."
    assert "Write the project plan" not in titles(store)
    assert stack.undoText() == "Delete task"


def test_deleting_several_lists_the_first_names(
    window: QWidget, store: Store, stack: QUndoStack, commands: StoreCommands, person: Person
) -> None:
    assert delete_rows(window, commands, store, ENTITIES["task"], [1, 2, 3, 4, 5, 6]) is True

    title, text, details = person.questions[0]
    assert (title, text) == ("Delete tasks", "Delete 6 tasks?")
    assert details.splitlines() == [
        "• Write the project plan",
        "• Set up the database",
        "• Review the migrations",
        "• Design the task list",
        "• Build the edit dialog",
        "…and 1 more",
        "",
        "You can undo this.",
    ]
    assert store.tasks.count() == 0
    assert (stack.count(), stack.undoText()) == (1, "Delete 6 tasks")
    stack.undo()
    assert store.tasks.count() == 6


def test_cancel_deletes_nothing(
    window: QWidget, store: Store, stack: QUndoStack, commands: StoreCommands, person: Person
) -> None:
    person.confirms = False
    assert delete_rows(window, commands, store, ENTITIES["task"], [1, 2, 3]) is False
    assert store.tasks.count() == 6
    assert stack.count() == 0


def test_deleting_a_team_says_its_heroes_lose_it(
    window: QWidget, store: Store, stack: QUndoStack, commands: StoreCommands, person: Person
) -> None:
    assert delete_rows(window, commands, store, ENTITIES["team"], [1]) is True

    _title, text, details = person.questions[0]
    assert text == "Delete team 'Avengers'?"
    assert "Heroes in this team will be left without a team." in details
    assert all(hero.team_id is None for hero in store.heroes.list())
    stack.undo()
    assert sorted(hero.name for hero in store.heroes.list(team_id=1)) == ["Iron Man", "Thor"]


def test_a_user_who_owns_tasks_can_hand_them_over(
    window: QWidget, store: Store, stack: QUndoStack, commands: StoreCommands, person: Person
) -> None:
    person.reassign_to = "bob"
    assert delete_rows(window, commands, store, ENTITIES["user"], [1]) is True

    assert person.questions[0][1] == "Delete user 'alice'?"
    title, text, choices = person.reassignments[0]
    assert title == "Reassign tasks"
    assert text == "User 'alice' owns 3 tasks. Who should take them over?"
    assert choices == ["bob"]
    assert [name for _id, name in store.users.names()] == ["bob"]
    assert store.tasks.count(owner_id=2) == 6
    assert (stack.count(), stack.undoText()) == (1, "Delete user")

    stack.undo()
    assert store.users.get(1).username == "alice"
    assert store.tasks.count(owner_id=1) == 3


def test_cancelling_the_reassignment_keeps_the_user(
    window: QWidget, store: Store, stack: QUndoStack, commands: StoreCommands, person: Person
) -> None:
    person.reassign_to = None
    assert delete_rows(window, commands, store, ENTITIES["user"], [1]) is False

    assert len(person.reassignments) == 1
    assert store.users.count() == 2
    assert store.tasks.count(owner_id=1) == 3
    assert stack.count() == 0


def test_the_last_users_cannot_hand_their_tasks_to_anyone(
    window: QWidget, store: Store, stack: QUndoStack, commands: StoreCommands, person: Person
) -> None:
    assert delete_rows(window, commands, store, ENTITIES["user"], [1, 2]) is False

    assert person.questions[0][1] == "Delete 2 users?"
    assert person.reassignments == []
    assert "There is no other user to take them." in person.errors[0]
    assert store.users.count() == 2


def test_a_user_without_tasks_is_deleted_without_reassigning(
    window: QWidget, store: Store, stack: QUndoStack, commands: StoreCommands, person: Person
) -> None:
    carol = store.users.create({"username": "carol", "email": "carol@example.com"})
    assert delete_rows(window, commands, store, ENTITIES["user"], [carol.id]) is True
    assert person.reassignments == []
    assert store.users.count() == 2


def test_rows_deleted_elsewhere_meanwhile_are_reported(
    window: QWidget,
    store: Store,
    stack: QUndoStack,
    commands: StoreCommands,
    person: Person,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def delete_elsewhere_then_confirm(parent: QWidget | None, title: str, text: str, details: str) -> bool:
        store.tasks.delete(2)
        return True

    monkeypatch.setattr(delete_flow, "confirm", delete_elsewhere_then_confirm)
    assert delete_rows(window, commands, store, ENTITIES["task"], [1, 2]) is False

    assert person.errors == ["Task not found"]
    assert store.tasks.get(1).title == "Write the project plan"
    assert stack.count() == 0


def test_no_rows_asks_nothing(window: QWidget, store: Store, commands: StoreCommands, person: Person) -> None:
    assert delete_rows(window, commands, store, ENTITIES["task"], []) is False
    assert person.questions == []


# --- the real dialogs, answered from a timer -----------------------------------------------


def answer_modal(qtbot: QtBot, answer: object) -> None:
    """Answer the next modal dialog once it is up; close it whatever happens, so no test hangs."""

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, run)
            return
        try:
            answer(dialog)  # type: ignore[operator]
        finally:
            if dialog.isVisible():
                dialog.close()

    QTimer.singleShot(0, run)


def test_confirm_shows_a_delete_button_that_enter_presses(qtbot: QtBot, window: QWidget) -> None:
    seen: list[QMessageBox] = []

    def press_enter(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box)
        assert (box.text(), box.informativeText()) == ("Delete task 'Plan'?", "You can undo this.")
        assert box.defaultButton().text() == "Delete"
        qtbot.keyClick(box, Qt.Key.Key_Return)

    answer_modal(qtbot, press_enter)
    assert delete_flow.confirm(window, "Delete task", "Delete task 'Plan'?", "You can undo this.") is True
    assert seen


def test_confirm_escape_cancels(qtbot: QtBot, window: QWidget) -> None:
    answer_modal(qtbot, lambda box: qtbot.keyClick(box, Qt.Key.Key_Escape))
    assert delete_flow.confirm(window, "Delete task", "Delete task 'Plan'?", "") is False


def test_choose_reassignment_returns_the_chosen_id(qtbot: QtBot, window: QWidget) -> None:
    def pick_second(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog)
        combo = dialog.findChild(QComboBox)
        assert combo is not None
        assert [combo.itemText(i) for i in range(combo.count())] == ["bob", "carol"]
        assert "Reassign and delete" in [button.text() for button in dialog.findChildren(QPushButton)]
        qtbot.keyClick(combo, Qt.Key.Key_Down)
        dialog.accept()

    answer_modal(qtbot, pick_second)
    assert delete_flow.choose_reassignment(window, "Reassign tasks", "Who?", [(2, "bob"), (7, "carol")]) == 7


def test_choose_reassignment_cancelled(qtbot: QtBot, window: QWidget) -> None:
    answer_modal(qtbot, lambda dialog: dialog.reject())
    assert delete_flow.choose_reassignment(window, "Reassign tasks", "Who?", [(2, "bob")]) is None
