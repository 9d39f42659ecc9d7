"""GUI fixtures: a store with the sample data, an undo history over it, settings in a temporary ini file,
the main window shown, waiting for models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QUndoStack
from pytestqt.qtbot import QtBot
from uihelpers import shown_window

from desktop.demo import load_sample_data
from desktop.store import Store
from desktop.ui.loading import wait_for_queries
from desktop.ui.main_window import MainWindow
from desktop.ui.undo import StoreCommands


@pytest.fixture
def sample_store(sqlite_store: Store) -> Store:
    load_sample_data(sqlite_store)
    return sqlite_store


@pytest.fixture
def stack(qtbot: QtBot) -> QUndoStack:
    return QUndoStack()


@pytest.fixture
def commands(sample_store: Store, stack: QUndoStack) -> StoreCommands:
    return StoreCommands(sample_store, stack)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """Settings of someone who last had the Tasks tab open: the tests of the tables start there.

    A window without a remembered tab opens on the Overview (see test_overview_tab.py).
    """
    remembered = QSettings(str(tmp_path / "taskforce.ini"), QSettings.Format.IniFormat)
    remembered.setValue("window/tab", "task")
    return remembered


@pytest.fixture
def window(qtbot: QtBot, sample_store: Store, settings: QSettings) -> Iterator[MainWindow]:
    with shown_window(qtbot, sample_store, settings) as shown:
        yield shown


@pytest.fixture(autouse=True)
def _queries_finish() -> Iterator[None]:
    """No query may still be running on a store that the next fixture closes."""
    yield
    wait_for_queries()
