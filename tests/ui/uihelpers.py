"""Helpers for GUI tests: waiting for models and views the way a person waits for the screen."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.qtbot import QtBot

from desktop.store import ENTITIES, Store
from desktop.ui.main_window import MainWindow
from desktop.ui.table_model import EntityTableModel
from desktop.ui.views import EntityView


def wait_loaded(qtbot: QtBot, model: EntityTableModel) -> None:
    """Until the model has counted and every query it started has arrived."""
    qtbot.waitUntil(lambda: model.is_idle() and model.counted, timeout=5_000)


def build_every_tab(window: MainWindow) -> None:
    """Build the tabs not shown yet (a tab is built when it is first shown)."""
    for name in ENTITIES:
        window.view(name)


def wait_tab_ready(qtbot: QtBot, view: EntityView) -> None:
    """Until a tab has its rows and count, and its filters the names they offer."""
    qtbot.waitUntil(
        lambda: (
            view.model.is_idle()
            and view.model.counted
            and all(control.filled for control in view.filter_bar.references.values())
        ),
        timeout=5_000,
    )


def settled(window: MainWindow) -> bool:
    return all(
        view.model.is_idle() and view.model.counted and not view.filter_bar.pending
        for view in window.views.values()
    )


def wait_settled(qtbot: QtBot, window: MainWindow) -> None:
    """Until no filter is waiting to apply and every tab built has what it asked for."""
    qtbot.waitUntil(lambda: settled(window), timeout=5_000)


def show(qtbot: QtBot, window: MainWindow) -> None:
    """Show the window and make it the active one, so its shortcuts work."""
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    wait_settled(qtbot, window)


@contextmanager
def shown_window(qtbot: QtBot, store: Store, settings: QSettings) -> Iterator[MainWindow]:
    """A main window over the store, shown, active and settled; closed afterwards."""
    window = MainWindow(store, settings)
    qtbot.addWidget(window)
    show(qtbot, window)
    yield window
    window.close()


def column_texts(table: QTableView, field: str) -> list[Any]:
    """What the table shows in that column, top to bottom (loaded rows)."""
    model = table.model()
    assert isinstance(model, EntityTableModel)
    column = model.column_of(field)
    return [model.index(row, column).data() for row in range(model.rowCount())]


def cell_center(table: QTableView, row: int, field: str) -> QPoint:
    model = table.model()
    assert isinstance(model, EntityTableModel)
    index: QModelIndex = model.index(row, model.column_of(field))
    return table.visualRect(index).center()


def click_row(qtbot: QtBot, table: QTableView, row: int, field: str = "id") -> None:
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell_center(table, row, field))


def selected_texts(table: QTableView, field: str) -> list[Any]:
    model = table.model()
    assert isinstance(model, EntityTableModel)
    column = model.column_of(field)
    rows = sorted(index.row() for index in table.selectionModel().selectedRows())
    return [model.index(row, column).data() for row in rows]
