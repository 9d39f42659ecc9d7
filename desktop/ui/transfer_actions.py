"""File → Import…, Export… and Copy database to…, added to the main window's File menu.

The actions are in the menu before the data layer is imported (desktop/ui/application.py); the
dialogs, which need it, are imported when they open.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Protocol

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu

if TYPE_CHECKING:
    from desktop.store import Store
    from desktop.ui.copy_dialog import CopyDatabaseDialog
    from desktop.ui.export_dialog import ExportDialog
    from desktop.ui.import_dialog import ImportDialog
    from desktop.ui.undo import StoreCommands
    from desktop.ui.views import EntityView


class MainWindow(Protocol):
    """What the dialogs need of the main window."""

    store: Store
    commands: StoreCommands

    @property
    def current_view(self) -> EntityView: ...


def add_transfer_actions(window: QMainWindow, menu: QMenu) -> list[QAction]:
    entries = (
        ("actionImport", "&Import…", "Read rows from a CSV, JSON or Excel file", open_import),
        ("actionExport", "&Export…", "Write the current view or a whole table to a file", open_export),
        ("actionCopyDatabase", "&Copy database to…", "Copy every row into another database", open_copy),
    )
    added = []
    for name, text, tip, slot in entries:
        action = QAction(text, window)
        action.setObjectName(name)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False, run=slot: run(window))
        menu.addAction(action)
        added.append(action)
    return added


def open_import(window: MainWindow) -> ImportDialog:
    from desktop.ui.import_dialog import ImportDialog

    dialog = ImportDialog(window.store, window.current_view.entity.name, window.commands, _widget(window))
    dialog.open()
    return dialog


def open_export(window: MainWindow) -> ExportDialog:
    from desktop.ui.export_dialog import ExportDialog

    view = window.current_view
    query = asdict(view.model.query)
    dialog = ExportDialog(window.store, view.entity, query, _widget(window))
    dialog.open()
    return dialog


def open_copy(window: MainWindow) -> CopyDatabaseDialog:
    from desktop.ui.copy_dialog import CopyDatabaseDialog

    dialog = CopyDatabaseDialog(window.store, _widget(window))
    dialog.open()
    return dialog


def _widget(window: MainWindow) -> QMainWindow:
    assert isinstance(window, QMainWindow)
    return window
