"""Choosing a backup to restore: its date, why it was made, its size and what it holds."""

from __future__ import annotations

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import backup
from desktop.errors import TaskforceError


def human_size(size: int) -> str:
    return QLocale().formattedDataSize(size)


def local_time(info: backup.BackupInfo) -> str:
    return info.created.astimezone().strftime("%Y-%m-%d %H:%M")


class RestoreDialog(QDialog):
    """The backups of a database, newest first, with their date, size and row counts."""

    def __init__(self, backups: list[backup.BackupInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RestoreDialog")
        self.setWindowTitle("Restore from backup")
        self.setMinimumSize(720, 360)
        self.backups = backups
        explanation = QLabel(
            "Choose the backup to go back to. Your current data is kept as a backup first, "
            "so a restore can itself be undone by restoring that one."
        )
        explanation.setWordWrap(True)
        self.table = QTableWidget(len(backups), 4, self)
        self.table.setObjectName("backupTable")
        self.table.setHorizontalHeaderLabels(["Date", "Made", "Size", "Contents"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for row, info in enumerate(backups):
            try:
                contents = backup.describe_counts(backup.row_counts(info.path))
            except TaskforceError:
                contents = "cannot be read"
            cells = [local_time(info), info.reason_label, human_size(info.size), contents]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(info.path))
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = self.buttons.addButton("&Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.table.itemSelectionChanged.connect(self._enable_restore)
        self.table.cellDoubleClicked.connect(lambda _row, _column: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(self.table)
        layout.addWidget(self.buttons)
        if backups:
            self.table.selectRow(0)

    def _enable_restore(self) -> None:
        self.restore_button.setEnabled(self.chosen() is not None)

    def chosen(self) -> backup.BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    @classmethod
    def choose(cls, parent: QWidget | None, backups: list[backup.BackupInfo]) -> backup.BackupInfo | None:
        dialog = cls(backups, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.chosen() if accepted else None
