"""The one way a message is shown, and the read-only state of a window's editing actions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QToolBar, QWidget
from pytestqt.qtbot import QtBot

from desktop.ui.messages import MESSAGE, show_message
from desktop.ui.read_only import READ_ONLY_TEXT, ReadOnlyState


def test_a_message_shows_over_its_window_without_blocking_and_its_text_can_be_copied(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()

    box = show_message(
        window, QMessageBox.Icon.Warning, "Back up", "The backup failed.", name="safetyMessage"
    )

    assert box.isVisible()  # and this line ran: nothing waited for an answer
    assert box.parent() is window
    assert box.windowModality() == Qt.WindowModality.WindowModal
    assert (box.objectName(), box.windowTitle(), box.text()) == (
        "safetyMessage",
        "Back up",
        "The backup failed.",
    )
    assert box.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert box.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.close()


def test_a_message_before_any_window_waits_until_it_is_closed(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str, str]] = []

    def answer(box: QMessageBox) -> int:
        shown.append((box.objectName(), box.text(), box.informativeText()))
        return 0

    monkeypatch.setattr(QMessageBox, "exec", answer)

    box = show_message(
        None, QMessageBox.Icon.Critical, "Taskforce", "Cannot open.", details="It is damaged.", wait=True
    )

    assert shown == [(MESSAGE, "Cannot open.", "It is damaged.")]
    assert not box.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)


def test_read_only_disables_the_editing_actions_and_gives_back_only_those_it_disabled(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    edit, undo, other = QAction("Edit", window), QAction("Undo", window), QAction("Find", window)
    undo.setEnabled(False)  # nothing to undo: not the read-only state's to enable later
    state = ReadOnlyState(window, [edit, undo])
    window.show()

    state.show(False)
    assert window.findChild(QToolBar, "readOnlyBar") is None  # made only when it is needed

    state.show(True)
    banner = window.findChild(QLabel, "ReadOnlyBanner")
    assert banner is not None and banner.isVisible() and banner.text() == READ_ONLY_TEXT
    assert [edit.isEnabled(), undo.isEnabled(), other.isEnabled()] == [False, False, True]

    state.show(False)
    assert not banner.isVisible()
    assert [edit.isEnabled(), undo.isEnabled(), other.isEnabled()] == [True, False, True]
