"""File → Copy database to…: every row of the open database into another one, verified by checksums."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import db
from desktop.store import Store
from desktop.transfer.copying import CopyResult, copy_database
from desktop.ui.job_dialog import JobDialog
from desktop.ui.transfer_job import Report, action_button, button_row


class CopyDatabaseDialog(JobDialog):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("copyDatabaseDialog")
        self.setWindowTitle("Copy database to")
        self.store = store
        self.outcome: CopyResult | None = None
        self.target = QLineEdit(self)
        self.target.setObjectName("copyTarget")
        self.target.setPlaceholderText("postgresql+psycopg://user@host/db, mysql+pymysql://…, or a file")
        self.target.textChanged.connect(self.update_buttons)
        choose = QPushButton("File…", self)
        choose.setObjectName("chooseCopyFileButton")
        choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.target, 1)
        row.addWidget(choose)
        self.replace = QCheckBox("Replace the rows the target already holds", self)
        self.replace.setObjectName("replaceCheck")
        form = QFormLayout()
        form.addRow("From", QLabel(store.location, self))
        form.addRow("To", row)
        form.addRow("", self.replace)
        self.message = QLabel("", self)
        self.message.setObjectName("copyMessage")
        self.message.setWordWrap(True)
        self.copy_button = action_button(self, "&Copy", "copyButton", self.start_copy)
        self.close_button = action_button(self, "Close", "closeButton", self.reject)
        buttons = button_row(self.copy_button, self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        self.setMinimumWidth(600)
        self.update_buttons()

    @classmethod
    def choose_file(cls, parent: QWidget) -> str:
        path, _ = QFileDialog.getSaveFileName(parent, "Copy into the file", "", "Taskforce database (*.db)")
        return path

    def _choose(self) -> None:
        path = self.choose_file(self)
        if path:
            self.target.setText(path)

    def target_url(self) -> str:
        text = self.target.text().strip()
        return text if "://" in text else db.sqlite_url(Path(text).expanduser().resolve())

    def start_copy(self) -> None:
        source, target, replace = self.store.url, self.target_url(), self.replace.isChecked()

        def work(report: Report, should_stop: Any) -> CopyResult:
            return copy_database(
                source,
                target,
                replace=replace,
                progress=lambda done, total: report(done, total, 0.0),
                should_stop=should_stop,
            )

        self.run_job(work, self._done)

    def _done(self, result: CopyResult) -> None:
        self.outcome = result
        text = result.summary()
        self.message.setText(text[:1].upper() + text[1:] + ".")

    def show_failure(self, message: str) -> None:
        self.message.setText(message)

    def update_buttons(self) -> None:
        running = self.running
        self.copy_button.setEnabled(not running and bool(self.target.text().strip()))
        self.close_button.setEnabled(not running)
