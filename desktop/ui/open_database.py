"""Asking which database to open (a file or a server URL) and where to create a new one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import db

FILE_TYPES = "Taskforce databases (*.db *.sqlite *.sqlite3);;All files (*)"


class OpenDatabaseDialog(QDialog):
    """A database file (browse for it) or a server URL (type it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OpenDatabaseDialog")
        self.setWindowTitle("Open database")
        self.setMinimumWidth(560)
        explanation = QLabel(
            "Choose a Taskforce database file, or type the URL of a PostgreSQL or MariaDB database."
        )
        explanation.setWordWrap(True)
        self.location = QLineEdit()
        self.location.setObjectName("databaseLocation")
        self.location.setPlaceholderText(
            "/path/to/taskforce.db   or   postgresql+psycopg://me@server/taskforce"
        )
        self.location.setClearButtonEnabled(True)
        browse = QPushButton("&Browse…")
        browse.setObjectName("browseDatabase")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.location, 1)
        row.addWidget(browse)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.location.textChanged.connect(self._enable_open)
        self._enable_open()
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(row)
        layout.addWidget(self.buttons)

    def _enable_open(self) -> None:
        button = self.buttons.button(QDialogButtonBox.StandardButton.Open)
        button.setEnabled(bool(self.location.text().strip()))

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open database", str(db.data_dir()), FILE_TYPES)
        if path:
            self.location.setText(path)

    def url(self) -> str:
        """What was chosen, as a database URL: a path becomes a SQLite URL."""
        text = self.location.text().strip()
        return text if "://" in text else db.sqlite_url(Path(text).expanduser().resolve())

    @classmethod
    def ask(cls, parent: QWidget | None) -> str | None:
        """The URL of the database to open, or None when cancelled."""
        dialog = cls(parent)
        return dialog.url() if dialog.exec() == QDialog.DialogCode.Accepted else None

    @staticmethod
    def ask_new_path(parent: QWidget | None) -> Path | None:
        """Where to create a new database file, or None when cancelled."""
        path, _ = QFileDialog.getSaveFileName(
            parent, "New database", str(db.data_dir() / "taskforce.db"), FILE_TYPES
        )
        return Path(path) if path else None
