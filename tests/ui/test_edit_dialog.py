"""The edit dialog, driven as a person would: typing, choosing, Enter and Esc."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop.demo import load_sample_data
from desktop.errors import DuplicateError, RelatedRowError, StorageError
from desktop.models import TaskCreate, TaskStatus
from desktop.store import ENTITIES, Store
from desktop.ui.edit_dialog import EditDialog


@pytest.fixture
def store(sqlite_store: Store) -> Store:
    load_sample_data(sqlite_store)
    return sqlite_store


def open_dialog(qtbot: QtBot, store: Store, entity: str, row: Any = None, submit: Any = None) -> EditDialog:
    dialog = EditDialog(store, ENTITIES[entity], row, submit)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    qtbot.waitUntil(lambda: not dialog.loading)  # the names a reference may take, read off the GUI thread
    return dialog


def ok_button(dialog: QDialog) -> QPushButton:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    return box.button(QDialogButtonBox.StandardButton.Ok)


def field(dialog: QDialog, name: str) -> Any:
    widget = dialog.findChild(QWidget, name)
    assert widget is not None, name
    return widget


def shown_error(dialog: QDialog, name: str) -> str:
    """What the person reads under a field (or at the form): nothing while the label is hidden."""
    label = dialog.findChild(QLabel, f"{name}Error" if name != "form" else "formError")
    assert label is not None, name
    return label.text() if label.isVisible() else ""


def replace_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Pick an entry of a combo box with the keyboard, as a person would."""
    index = combo.findText(text)
    assert index >= 0, f"{text!r} not among {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setFocus()
    if combo.currentIndex() < 0:
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    key = Qt.Key.Key_Down if index > combo.currentIndex() else Qt.Key.Key_Up
    while combo.currentIndex() != index:
        qtbot.keyClick(combo, key)


# --- built from the schema ----------------------------------------------------------

WIDGETS = {
    "task": {"title": QLineEdit, "description": QPlainTextEdit, "status": QComboBox, "owner_id": QComboBox},
    "user": {"username": QLineEdit, "email": QLineEdit},
    "hero": {"name": QLineEdit, "power": QLineEdit, "level": QSpinBox, "team_id": QComboBox},
    "team": {"name": QLineEdit},
    "item": {
        "name": QLineEdit,
        "description": QPlainTextEdit,
        "price": QDoubleSpinBox,
        "in_stock": QCheckBox,
    },
}
LABELS = {
    "task": ["Title", "Description", "Status", "Owner"],
    "user": ["Username", "Email"],
    "hero": ["Name", "Power", "Level", "Team"],
    "team": ["Name"],
    "item": ["Name", "Description", "Price", "In stock"],
}


@pytest.mark.parametrize("entity", list(WIDGETS))
def test_each_entity_gets_its_widgets_with_labels_and_hidden_error_lines(
    qtbot: QtBot, store: Store, entity: str
) -> None:
    dialog = open_dialog(qtbot, store, entity)

    assert dialog.objectName() == "EditDialog"
    assert dialog.windowTitle() == f"New {entity}"
    for name, widget_type in WIDGETS[entity].items():
        assert isinstance(field(dialog, name), widget_type), name
        assert shown_error(dialog, name) == ""
    labels = [label for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    assert [label.text().replace("&", "") for label in labels] == LABELS[entity]
    assert [label.buddy().objectName() for label in labels] == list(WIDGETS[entity])
    assert shown_error(dialog, "form") == ""


@pytest.mark.parametrize("entity", list(WIDGETS))
def test_editing_fills_every_field_from_the_row(qtbot: QtBot, store: Store, entity: str) -> None:
    row = store.repository(entity).list(limit=1)[0]
    dialog = open_dialog(qtbot, store, entity, row)

    assert dialog.windowTitle() == f"Edit {entity}"
    assert dialog.values() == {}
    assert not ok_button(dialog).isEnabled()
    first = next(iter(WIDGETS[entity]))
    assert field(dialog, first).text() == getattr(row, first)


def test_the_names_to_choose_from_are_read_off_the_gui_thread(qtbot: QtBot, store: Store) -> None:
    on_gui_thread: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            on_gui_thread.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", record)
    try:
        dialog = open_dialog(qtbot, store, "hero")
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", record)
    assert on_gui_thread == []
    team = field(dialog, "team_id")
    assert [team.itemText(i) for i in range(team.count())] == ["(no team)", "Avengers"]


def test_a_reference_whose_names_cannot_be_read_keeps_its_value(
    qtbot: QtBot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(_self: Any) -> list[tuple[int, str]]:
        raise StorageError("The connection to the database was lost.")

    monkeypatch.setattr(type(store.teams), "names", refuse)
    hero = store.heroes.list(search="Iron Man")[0]
    dialog = open_dialog(qtbot, store, "hero", hero)
    team = field(dialog, "team_id")
    assert team.placeholderText() == "The teams could not be read"
    replace_text(qtbot, field(dialog, "power"), "repulsors")
    assert dialog.values() == {"power": "repulsors"}  # the team is not cleared


def test_limits_come_from_the_schema(qtbot: QtBot, store: Store) -> None:
    task = open_dialog(qtbot, store, "task")
    assert field(task, "title").maxLength() == 200
    user = open_dialog(qtbot, store, "user")
    assert field(user, "username").maxLength() == 50
    assert field(user, "email").maxLength() == 254
    hero = open_dialog(qtbot, store, "hero")
    level = field(hero, "level")
    assert (level.minimum(), level.maximum(), level.value()) == (1, 100, 1)
    item = open_dialog(qtbot, store, "item")
    price = field(item, "price")
    assert (price.minimum(), price.maximum(), price.decimals()) == (0.0, 1_000_000_000.0, 2)
    assert field(item, "in_stock").isChecked()


def test_typing_past_the_limit_is_refused_by_the_field(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, "user")
    qtbot.keyClicks(field(dialog, "username"), "u" * 60)
    assert field(dialog, "username").text() == "u" * 50


def test_a_level_above_the_range_cannot_be_typed(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, "hero")
    replace_text(qtbot, field(dialog, "level"), "250")
    assert field(dialog, "level").value() <= 100


def test_status_offers_readable_labels(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, "task")
    status = field(dialog, "status")
    assert [status.itemText(i) for i in range(status.count())] == ["To do", "In progress", "Done"]
    assert status.currentText() == "To do"


def test_owner_lists_users_and_must_be_chosen(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, "task")
    owner = field(dialog, "owner_id")
    assert [owner.itemText(i) for i in range(owner.count())] == ["alice", "bob"]
    assert owner.currentIndex() == -1
    assert owner.placeholderText() == "Choose a user"


def test_team_offers_no_team(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, "hero")
    team = field(dialog, "team_id")
    assert [team.itemText(i) for i in range(team.count())] == ["(no team)", "Avengers"]
    assert team.currentText() == "(no team)"


# --- live validation --------------------------------------------------------------


def test_a_fresh_form_shows_no_errors_but_cannot_be_saved(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, "task")

    assert all(shown_error(dialog, name) == "" for name in WIDGETS["task"])
    assert not ok_button(dialog).isEnabled()
    assert "Title" in ok_button(dialog).toolTip()
    assert "Owner is required" in ok_button(dialog).toolTip()


def test_blank_title_shows_the_schema_message_while_typing(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, "task")
    choose(qtbot, field(dialog, "owner_id"), "bob")

    qtbot.keyClicks(field(dialog, "title"), "   ")
    assert shown_error(dialog, "title") == "Title must not be blank"
    assert not ok_button(dialog).isEnabled()

    qtbot.keyClicks(field(dialog, "title"), "Plan the sprint")
    assert shown_error(dialog, "title") == ""
    assert ok_button(dialog).isEnabled()


def test_too_long_description_says_by_how_much(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, "item")
    qtbot.keyClicks(field(dialog, "name"), "Crate")
    box = field(dialog, "description")
    box.setPlainText("d" * 19_999)
    qtbot.keyClicks(box, "dd")

    assert (
        shown_error(dialog, "description") == "Description must be at most 20,000 characters (it has 20,001)"
    )
    assert not ok_button(dialog).isEnabled()
    qtbot.keyClick(box, Qt.Key.Key_Backspace)
    assert shown_error(dialog, "description") == ""
    assert ok_button(dialog).isEnabled()


def test_invalid_email_is_explained(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, "user")
    qtbot.keyClicks(field(dialog, "username"), "carol")
    qtbot.keyClicks(field(dialog, "email"), "carol.example.com")

    assert shown_error(dialog, "email").startswith("Email is not a valid e-mail address (")
    assert "Value error" not in shown_error(dialog, "email")
    assert not ok_button(dialog).isEnabled()


def test_clearing_a_required_field_while_editing_is_refused(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, "team", store.teams.get(1))
    replace_text(qtbot, field(dialog, "name"), "")
    assert shown_error(dialog, "name") == "Name must not be blank"
    assert not ok_button(dialog).isEnabled()


# --- saving -------------------------------------------------------------------------


def test_enter_saves_a_new_row_through_the_store(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, "task")
    qtbot.keyClicks(field(dialog, "title"), "  Write the release notes ")
    qtbot.keyClicks(field(dialog, "description"), "What changed")
    choose(qtbot, field(dialog, "status"), "In progress")
    choose(qtbot, field(dialog, "owner_id"), "bob")

    qtbot.keyClick(field(dialog, "title"), Qt.Key.Key_Return)

    assert dialog.result() == QDialog.DialogCode.Accepted.value
    saved = store.tasks.list(search="release notes")
    assert len(saved) == 1
    assert saved[0].title == "Write the release notes"
    assert (saved[0].status, saved[0].owner_id) == (TaskStatus.in_progress, store.users.names()[1][0])
    assert dialog.saved == saved[0]


def test_enter_does_nothing_while_invalid(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, "team")
    qtbot.keyClicks(field(dialog, "name"), "  ")
    qtbot.keyClick(field(dialog, "name"), Qt.Key.Key_Return)

    assert dialog.isVisible()
    assert store.teams.count() == 1


def test_escape_cancels_without_saving(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, "team")
    qtbot.keyClicks(field(dialog, "name"), "X-Men")
    qtbot.keyClick(field(dialog, "name"), Qt.Key.Key_Escape)

    assert dialog.result() == QDialog.DialogCode.Rejected.value
    assert not dialog.isVisible()
    assert store.teams.count() == 1


def test_new_item_sends_every_field_to_submit(qtbot: QtBot, store: Store) -> None:
    received: list[dict[str, Any]] = []
    dialog = open_dialog(qtbot, store, "item", submit=lambda values: received.append(values) or "saved")
    qtbot.keyClicks(field(dialog, "name"), "Crate")
    replace_text(qtbot, field(dialog, "price"), "12.5")
    qtbot.mouseClick(field(dialog, "in_stock"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    assert received == [{"name": "Crate", "description": None, "price": 12.5, "in_stock": False}]
    assert dialog.saved == "saved"
    assert dialog.result() == QDialog.DialogCode.Accepted.value


def test_first_field_has_focus_and_tab_follows_the_form(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, "task")
    dialog.activateWindow()
    assert QTest.qWaitForWindowActive(dialog)

    order = [QApplication.focusWidget().objectName()]
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget().objectName())
    assert order == ["title", "description", "status", "owner_id"]


# --- editing ------------------------------------------------------------------------


def test_edit_sends_only_the_changed_field(qtbot: QtBot, store: Store) -> None:
    received: list[dict[str, Any]] = []
    task = store.tasks.get(1)
    dialog = open_dialog(qtbot, store, "task", task, submit=received.append)
    assert field(dialog, "title").text() == task.title
    assert field(dialog, "status").currentText() == "Done"
    assert field(dialog, "owner_id").currentText() == "alice"
    assert field(dialog, "description").toPlainText() == task.description

    replace_text(qtbot, field(dialog, "title"), "Write the plan, again")
    assert ok_button(dialog).isEnabled()
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    assert received == [{"title": "Write the plan, again"}]


def test_edit_does_not_overwrite_a_field_changed_meanwhile(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, "task", store.tasks.get(1))
    store.tasks.update(1, {"status": TaskStatus.todo, "owner_id": 2})  # someone else, meanwhile

    replace_text(qtbot, field(dialog, "title"), "Plan v2")
    qtbot.keyClick(field(dialog, "title"), Qt.Key.Key_Return)

    saved = store.tasks.get(1)
    assert (saved.title, saved.status, saved.owner_id) == ("Plan v2", TaskStatus.todo, 2)


def test_changing_a_value_back_means_nothing_to_save(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, "hero", store.heroes.get(2))
    team = field(dialog, "team_id")
    choose(qtbot, team, "(no team)")
    assert dialog.values() == {"team_id": None}
    assert ok_button(dialog).isEnabled()

    choose(qtbot, team, "Avengers")
    assert dialog.values() == {}
    assert not ok_button(dialog).isEnabled()
    assert ok_button(dialog).toolTip() == "Nothing has been changed yet."


def test_clearing_an_optional_description_sends_none(qtbot: QtBot, store: Store) -> None:
    received: list[dict[str, Any]] = []
    item = next(row for row in store.items.list() if row.description)
    dialog = open_dialog(qtbot, store, "item", item, submit=received.append)
    replace_text(qtbot, field(dialog, "description"), "")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert received == [{"description": None}]


# --- refusals from the store ---------------------------------------------------------


def test_duplicate_username_keeps_the_dialog_open_with_input(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, "user")
    qtbot.keyClicks(field(dialog, "username"), "bob")
    qtbot.keyClicks(field(dialog, "email"), "bob2@example.com")
    qtbot.keyClick(field(dialog, "email"), Qt.Key.Key_Return)

    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted.value
    assert (field(dialog, "username").text(), field(dialog, "email").text()) == ("bob", "bob2@example.com")
    assert "Username 'bob' is already taken" in shown_error(dialog, "form")
    assert "Username 'bob' is already taken" in shown_error(dialog, "username")
    assert shown_error(dialog, "email") == ""
    assert store.users.count() == 2

    qtbot.keyClicks(field(dialog, "username"), "bobby")  # the refused name is selected: typing replaces it
    assert shown_error(dialog, "username") == ""
    assert shown_error(dialog, "form") == ""
    qtbot.keyClick(field(dialog, "username"), Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted.value
    assert store.users.names()[-1][1] == "bobby"


def test_a_refusal_not_about_a_field_shows_at_the_form_only(qtbot: QtBot, store: Store) -> None:
    def refuse(values: dict[str, Any]) -> object:
        raise StorageError("The database is busy in another program: the change was not saved.")

    dialog = open_dialog(qtbot, store, "team", submit=refuse)
    qtbot.keyClicks(field(dialog, "name"), "X-Men")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert shown_error(dialog, "form") == (
        "Could not save: The database is busy in another program: the change was not saved."
    )
    assert shown_error(dialog, "name") == ""
    assert field(dialog, "name").text() == "X-Men"
    assert ok_button(dialog).isEnabled()  # trying again is allowed


def test_a_validation_error_from_submit_shows_at_its_field(qtbot: QtBot, store: Store) -> None:
    def refuse(values: dict[str, Any]) -> object:
        return TaskCreate.model_validate({**values, "title": ""})

    dialog = open_dialog(qtbot, store, "task", submit=refuse)
    qtbot.keyClicks(field(dialog, "title"), "Fine here")
    choose(qtbot, field(dialog, "owner_id"), "alice")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert shown_error(dialog, "title") == "Title must not be blank"
    assert shown_error(dialog, "form") == "Could not save: Title must not be blank"


def test_duplicate_error_from_a_custom_submit(qtbot: QtBot, store: Store) -> None:
    def refuse(values: dict[str, Any]) -> object:
        raise DuplicateError(
            "That address is already taken by another user.",
            entity="user",
            field="email",
            value="alice@example.com",
        )

    dialog = open_dialog(qtbot, store, "user", store.users.get(2), submit=refuse)
    replace_text(qtbot, field(dialog, "email"), "alice@example.com")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert "already taken" in shown_error(dialog, "email")
    assert shown_error(dialog, "username") == ""


def test_a_reference_refusal_shows_at_the_field_the_error_names(qtbot: QtBot, store: Store) -> None:
    """The field comes from the error, not from its words: this message names no field."""

    def refuse(values: dict[str, Any]) -> object:
        raise RelatedRowError(
            "It was deleted meanwhile.",
            entity="task",
            field="owner_id",
            target="user",
            value=values["owner_id"],
        )

    dialog = open_dialog(qtbot, store, "task", submit=refuse)
    qtbot.keyClicks(field(dialog, "title"), "Plan the week")
    choose(qtbot, field(dialog, "owner_id"), "alice")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert shown_error(dialog, "owner_id") == "It was deleted meanwhile."
    assert shown_error(dialog, "title") == ""
    assert shown_error(dialog, "form") == "Could not save: It was deleted meanwhile."


# --- run() ---------------------------------------------------------------------------


def test_run_returns_true_when_saved(qtbot: QtBot, store: Store) -> None:
    def fill_and_save() -> None:
        dialog = QApplication.activeModalWidget()
        try:
            assert isinstance(dialog, EditDialog)
            qtbot.keyClicks(field(dialog, "name"), "X-Men")
            qtbot.keyClick(field(dialog, "name"), Qt.Key.Key_Return)
        finally:
            if dialog is not None and dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, fill_and_save)
    assert EditDialog.run(None, store, ENTITIES["team"]) is True
    assert [name for _id, name in store.teams.names()] == ["Avengers", "X-Men"]


def test_run_returns_false_when_cancelled(qtbot: QtBot, store: Store) -> None:
    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None
        dialog.reject()

    QTimer.singleShot(0, cancel)
    assert EditDialog.run(None, store, ENTITIES["team"], store.teams.get(1)) is False


# --- looks ---------------------------------------------------------------------------


def contrast(one: QColor, other: QColor) -> float:
    def luminance(color: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(color.redF())
            + 0.7152 * channel(color.greenF())
            + 0.0722 * channel(color.blueF())
        )

    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("window", ["#f0f0f0", "#ffffff", "#2b2b2b", "#1e1e1e"])
def test_error_text_is_red_and_readable_on_light_and_dark_windows(
    qtbot: QtBot, store: Store, window: str
) -> None:
    dialog = open_dialog(qtbot, store, "team")
    palette = QPalette(dialog.palette())
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    dialog.setPalette(palette)
    qtbot.keyClicks(field(dialog, "name"), " ")

    label = dialog.findChild(QLabel, "nameError")
    text = label.palette().color(QPalette.ColorRole.WindowText)
    background = label.palette().color(QPalette.ColorRole.Window)
    assert background == QColor(window)  # the label paints no background of its own
    assert text.red() > max(text.green(), text.blue())
    assert contrast(text, background) >= 4.5
