"""Deleting rows from the GUI: confirm, offer to reassign what the rows own, delete as one undoable step.

The message boxes are small module functions (confirm, choose_reassignment, show_error)
so that tests replace them instead of waiting on a modal exec().
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QDialog, QInputDialog, QMessageBox, QWidget

from desktop.errors import InUseError, NotFoundError, TaskforceError
from desktop.store import Entity, Store
from desktop.store.entities import OnDelete, references_to
from desktop.store.fields import distinct_names
from desktop.ui.loading import run_off_gui_thread
from desktop.ui.undo import StoreCommands

NAMES_LISTED = 5
READING = "Reading the rows…"


def confirm(parent: QWidget | None, title: str, text: str, details: str) -> bool:
    """Ask before deleting; True when the person chose Delete."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Cancel, parent)
    box.setInformativeText(details)
    delete_button = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
    # Deleting can be undone, so Enter may confirm; Esc cancels.
    box.setDefaultButton(delete_button)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is delete_button


def choose_reassignment(
    parent: QWidget | None, title: str, text: str, choices: Sequence[tuple[int, str]]
) -> int | None:
    """Pick who takes over; the chosen id, or None when cancelled."""
    labels = [label for _row_id, label in choices]
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(text)
    dialog.setComboBoxItems(labels)
    dialog.setComboBoxEditable(False)
    dialog.setOkButtonText("Reassign and delete")
    try:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted.value
        label = dialog.textValue()
    finally:
        dialog.deleteLater()
    if not accepted or label not in labels:
        return None
    return choices[labels.index(label)][0]


def show_error(parent: QWidget | None, title: str, message: str) -> None:
    QMessageBox.warning(parent, title, message)


def row_names(store: Store, entity: Entity, ids: Sequence[int]) -> list[str]:
    """The names of the first few rows, as the confirmation lists them (reads: call it off the GUI thread)."""
    repository = store.repository(entity.name)
    names = []
    for row_id in ids[:NAMES_LISTED]:
        try:
            names.append(str(getattr(repository.get(row_id), entity.label_column)))
        except NotFoundError:
            continue
    return names


def _children(entity: Entity, on_delete: OnDelete) -> list[Entity]:
    """Entities whose rows point at this one and, when it goes, are cleared or must move."""
    return [child for child, reference in references_to(entity.name) if reference.on_delete is on_delete]


def confirmation(entity: Entity, ids: Sequence[int], names: Sequence[str]) -> tuple[str, str]:
    """The question and its details: which rows, and what happens to rows that point at them."""
    count = len(ids)
    noun = entity.label.lower()
    if count == 1:
        text = f"Delete {noun} '{names[0]}'?" if names else f"Delete {noun} #{ids[0]}?"
    else:
        text = f"Delete {entity.count_label(count)}?"
    lines = []
    if count > 1 and names:
        lines += [f"• {name}" for name in names]
        if count > len(names):
            lines.append(f"…and {count - len(names)} more")
        lines.append("")
    these = f"this {noun}" if count == 1 else f"these {entity.plural}"
    for child in _children(entity, OnDelete.SET_NULL):
        lines.append(f"{child.plural.capitalize()} in {these} will be left without a {noun}.")
    lines.append("You can undo this.")
    return text, "\n".join(lines)


def reassignment_question(entity: Entity, ids: Sequence[int], names: Sequence[str], error: InUseError) -> str:
    owned = _children(entity, OnDelete.REFUSE)
    if not owned:
        return error.message
    owner = f"{entity.label} '{names[0]}'" if len(ids) == 1 and names else f"These {entity.plural}"
    verb = "owns" if len(ids) == 1 else "own"
    them = "it" if error.count == 1 else "them"
    return f"{owner} {verb} {owned[0].count_label(error.count)}. Who should take {them} over?"


def delete_rows(
    parent: QWidget, commands: StoreCommands, store: Store, entity: Entity, ids: list[int]
) -> bool:
    """Confirm and delete the rows as one undoable step; True when they were deleted."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return False
    names = run_off_gui_thread(lambda: row_names(store, entity, ids), parent=parent, busy=READING)
    text, details = confirmation(entity, ids, names)
    title = f"Delete {entity.label.lower() if len(ids) == 1 else entity.plural}"
    if not confirm(parent, title, text, details):
        return False
    try:
        commands.delete(entity.name, ids)
    except InUseError as error:
        return _reassign_and_delete(parent, commands, store, entity, ids, names, error, title)
    except TaskforceError as error:
        show_error(parent, title, error.message)
        return False
    return True


def _reassign_and_delete(
    parent: QWidget,
    commands: StoreCommands,
    store: Store,
    entity: Entity,
    ids: list[int],
    names: list[str],
    in_use: InUseError,
    title: str,
) -> bool:
    repository = store.repository(entity.name)
    everyone = run_off_gui_thread(repository.names, parent=parent, busy=READING)
    others = [(row_id, name) for row_id, name in everyone if row_id not in ids]
    if not others:
        show_error(parent, title, f"{in_use.message} There is no other {entity.label.lower()} to take them.")
        return False
    owned = _children(entity, OnDelete.REFUSE)
    heading = f"Reassign {owned[0].plural}" if owned else title
    question = reassignment_question(entity, ids, names, in_use)
    new_owner = choose_reassignment(parent, heading, question, distinct_names(others))
    if new_owner is None:
        return False
    try:
        commands.delete(entity.name, ids, reassign_to=new_owner)
    except TaskforceError as error:
        show_error(parent, title, error.message)
        return False
    return True
