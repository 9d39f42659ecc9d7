"""A tab whose widgets are not built yet: an empty table that says "Opening…".

The main window shows these while its database opens; a tab's real widgets replace its
PendingTab when the tab is first shown.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

OPENING_TEXT = "Opening…"


class PendingTab(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pendingTab")
        self.verticalHeader().setVisible(False)
        self.label = QLabel(OPENING_TEXT)
        self.label.setObjectName("openingLabel")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout = QVBoxLayout(self.viewport())
        layout.addWidget(self.label)
