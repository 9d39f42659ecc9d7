"""A database that cannot be written: a banner says so, and the actions that change data are disabled."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow, QSizePolicy, QToolBar

READ_ONLY_TEXT = (
    "This database is read-only: you can look at everything, but changes cannot be saved. "
    "Copy the file to a folder you may write to, or ask for write permission."
)
# Set on an action this disabled, so that only those are enabled again once the database is writable.
DISABLED_AS_READ_ONLY = "disabledAsReadOnly"


class ReadOnlyState:
    """Shows a window's database as read-only or writable: the banner, and its editing actions."""

    def __init__(self, window: QMainWindow, editing_actions: Sequence[QAction]) -> None:
        self.window = window
        self.editing_actions = tuple(editing_actions)
        self.bar: QToolBar | None = None  # made the first time the database is read-only

    def show(self, read_only: bool) -> None:
        if self.bar is None and read_only:
            self.bar = self._banner()
        if self.bar is not None:
            self.bar.setVisible(read_only)
            self.bar.toggleViewAction().setVisible(False)
        for action in self.editing_actions:
            if read_only:
                if action.isEnabled():
                    action.setProperty(DISABLED_AS_READ_ONLY, True)
                action.setEnabled(False)
            elif action.property(DISABLED_AS_READ_ONLY) is True:
                action.setProperty(DISABLED_AS_READ_ONLY, False)
                action.setEnabled(True)

    def _banner(self) -> QToolBar:
        bar = QToolBar("Read-only", self.window)
        bar.setObjectName("readOnlyBar")
        bar.setMovable(False)
        bar.setFloatable(False)
        banner = QLabel(READ_ONLY_TEXT, bar)
        banner.setObjectName("ReadOnlyBanner")
        banner.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        banner.setStyleSheet("QLabel { background: #fff3cd; color: #664d03; padding: 6px; }")
        bar.addWidget(banner)
        self.window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        self.window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        return bar
