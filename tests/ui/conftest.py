"""GUI fixtures: a store with the sample data, an undo history over it, settings in a temporary ini file,
the main window shown, waiting for models, and the probe for statements run on the GUI thread."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QSettings
from PySide6.QtGui import QUndoStack
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine
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


GUI_MODULES = ("desktop.ui", "desktop.app", "desktop.selftest")
TESTS = f"{Path(__file__).resolve().parents[1]}{os.sep}"  # the test code's own frames


def _gui_caller() -> tuple[str, int] | None:
    """The innermost frame of the window's own code on the stack ("module.function", line), if any.

    None when test code is nearer than the window's: a test that plays another program from
    inside a patched dialog runs its statements on its own account.
    """
    frame: Any = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(TESTS) and filename != __file__:
            return None
        module = str(frame.f_globals.get("__name__", ""))
        if module.startswith(GUI_MODULES):
            return f"{module}.{frame.f_code.co_name}", frame.f_lineno
        frame = frame.f_back
    return None


@pytest.fixture(autouse=True)
def no_gui_thread_statements(qapp: Any) -> Iterator[list[str]]:
    """Fail every GUI test in which the window's code runs an SQL statement on the GUI thread.

    Every engine is watched (before_cursor_execute). A statement counts when it runs on the
    thread of the QApplication with code of desktop.ui (or desktop.app, desktop.selftest) on
    the stack and no test code nearer: what the test itself does to set up or check the data,
    or to play another program, is not the window's doing.
    """
    gui_thread = threading.get_ident()
    found: list[str] = []

    def probe(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.get_ident() != gui_thread:
            return
        caller = _gui_caller()
        if caller is not None:
            found.append(f"{caller[0]}:{caller[1]}: {' '.join(statement.split())[:100]}")

    sa.event.listen(Engine, "before_cursor_execute", probe)
    try:
        yield found
    finally:
        sa.event.remove(Engine, "before_cursor_execute", probe)
    if found:
        pytest.fail(f"{len(found)} statement(s) ran on the GUI thread:\n" + "\n".join(dict.fromkeys(found)))
