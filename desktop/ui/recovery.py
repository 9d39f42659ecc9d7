"""When the database file cannot be opened: restore its newest good backup, or open another one."""

from __future__ import annotations

import html
from enum import Enum
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QVBoxLayout, QWidget

from desktop import backup
from desktop.errors import TaskforceError
from desktop.ui.messages import SAFETY_MESSAGE, show_message
from desktop.ui.restore_dialog import local_time


class Recovery(Enum):
    RESTORED = "restored"
    OPEN_OTHER = "open_other"
    QUIT = "quit"


class RecoveryDialog(QDialog):
    """The file cannot be opened: say why, and offer the newest good backup or another database."""

    def __init__(
        self, database: Path, problem: str, good: backup.BackupInfo | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("RecoveryDialog")
        self.setWindowTitle("Taskforce cannot open its database")
        self.choice = Recovery.QUIT
        where = html.escape(str(database))
        text = QLabel(f"<p>{html.escape(problem)}</p><p>The file was left exactly as it is: {where}</p>")
        text.setObjectName("recoveryText")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(self)
        self.restore_button = buttons.addButton(
            f"&Restore the backup from {local_time(good)}" if good else "&Restore a backup",
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.restore_button.setObjectName("restoreNewestButton")
        self.restore_button.setEnabled(good is not None)
        self.other_button = buttons.addButton(
            "&Open another database…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.other_button.setObjectName("openOtherButton")
        quit_button = buttons.addButton("&Quit", QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setObjectName("quitButton")
        self.restore_button.clicked.connect(lambda: self._choose(Recovery.RESTORED))
        self.other_button.clicked.connect(lambda: self._choose(Recovery.OPEN_OTHER))
        quit_button.clicked.connect(lambda: self._choose(Recovery.QUIT))
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        if good is None:
            layout.addWidget(QLabel("There is no good backup of this file."))
        layout.addWidget(buttons)

    def _choose(self, choice: Recovery) -> None:
        self.choice = choice
        self.done(0)

    @classmethod
    def ask(
        cls, database: Path, problem: str, good: backup.BackupInfo | None, parent: QWidget | None
    ) -> Recovery:
        dialog = cls(database, problem, good, parent)
        dialog.exec()
        return dialog.choice


def recover(database: Path, problem: str, parent: QWidget | None = None) -> Recovery:
    """After a DatabaseOpenError on a file: offer to restore the newest good backup (the damaged
    file is kept aside, unchanged) or to open another database. RESTORED means: open it again."""
    good = backup.newest_good_backup(database)
    choice = RecoveryDialog.ask(database, problem, good, parent)
    if choice is Recovery.RESTORED and good is not None:
        try:
            backup.restore(database, good.path)
        except TaskforceError as error:
            show_message(parent, QMessageBox.Icon.Critical, "Restore", error.message, name=SAFETY_MESSAGE)
            return Recovery.QUIT
    return choice
