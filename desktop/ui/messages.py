"""Messages and questions: the one way a message box is shown, and the questions tests answer."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

MESSAGE = "messageBox"  # the objectName of a message, unless the caller names it
SAFETY_MESSAGE = "safetyMessage"  # about backups, restores and checks of the database


def show_message(
    parent: QWidget | None,
    kind: QMessageBox.Icon,
    title: str,
    text: str,
    *,
    name: str = MESSAGE,
    details: str = "",
    wait: bool = False,
) -> QMessageBox:
    """A message with an OK button; its text can be selected and copied.

    It is window-modal and does not block the caller, so nothing waits on exec(); with wait (at
    start-up, when there is no window to go back to) it returns once it is closed.
    """
    box = QMessageBox(kind, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName(name)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if details:
        box.setInformativeText(details)
    if wait:
        box.exec()
    else:
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
    return box


class Prompts:
    """Questions that wait for an answer; tests replace these small methods."""

    @staticmethod
    def confirm(parent: QWidget | None, title: str, text: str, accept: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Cancel, parent)
        box.setObjectName("safetyQuestion")
        yes = box.addButton(accept, QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is yes
