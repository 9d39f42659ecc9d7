"""File → Import…, Export… and Copy database to…, added to the main window's File menu.

The actions are in the menu before the data layer is imported (desktop/ui/application.py); the
dialogs, which need it, are imported when they open.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Protocol

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox

from desktop.ui.messages import show_message

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
    def current_view(self) -> EntityView | None: ...


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


def open_import(window: MainWindow) -> ImportDialog | None:
    from desktop.ui.import_dialog import ImportDialog

    view = _table_shown(window, "Import", "Import reads rows into the table shown")
    if view is None:
        return None
    dialog = ImportDialog(window.store, view.entity.name, window.commands, _widget(window))
    dialog.open()
    return dialog


def open_export(window: MainWindow) -> ExportDialog | None:
    from desktop.ui.export_dialog import ExportDialog

    view = _table_shown(window, "Export", "Export writes the rows of the table shown")
    if view is None:
        return None
    query = asdict(view.model.query)
    dialog = ExportDialog(window.store, view.entity, query, _widget(window))
    dialog.open()
    return dialog


def open_copy(window: MainWindow) -> CopyDatabaseDialog:
    from desktop.ui.copy_dialog import CopyDatabaseDialog

    dialog = CopyDatabaseDialog(window.store, _widget(window))
    dialog.open()
    return dialog


def _table_shown(window: MainWindow, title: str, what: str) -> EntityView | None:
    """The table the dialog works on; on the Overview, which has none, a message says to choose one."""
    view = window.current_view
    if view is None:
        text = f"{what}: choose the table's tab first."
        show_message(_widget(window), QMessageBox.Icon.Information, title, text, name="chooseTableBox")
    return view


def _widget(window: MainWindow) -> QMainWindow:
    assert isinstance(window, QMainWindow)
    return window
