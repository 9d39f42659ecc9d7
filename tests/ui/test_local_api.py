"""Tools → Local API…: the window serves its own store over HTTP, on and off, and remembers the choice."""

from __future__ import annotations

import socket

import httpx
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot
from uihelpers import column_texts, shown_window, wait_loaded

from desktop.store import Store
from desktop.ui.local_api import ENABLED_KEY, LocalApiDialog
from desktop.ui.main_window import MainWindow

START_TIMEOUT_MS = 30_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _open_dialog(qtbot: QtBot, window: MainWindow) -> LocalApiDialog:
    action = window.findChild(QAction, "actionLocalApi")
    assert isinstance(action, QAction)
    menus = [a.menu() for a in window.menuBar().actions() if isinstance(a.menu(), QMenu)]
    tools = next(menu for menu in menus if isinstance(menu, QMenu) and menu.title() == "&Tools")
    assert action in tools.actions()
    action.trigger()
    dialog = window.findChild(LocalApiDialog, "localApiDialog")
    assert isinstance(dialog, LocalApiDialog)
    qtbot.waitExposed(dialog)
    return dialog


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_the_local_api_is_off_by_default(qtbot: QtBot, window: MainWindow) -> None:
    assert not window.local_api.enabled
    assert not (window.local_api.running or window.local_api.starting)
    dialog = _open_dialog(qtbot, window)
    assert not dialog.enabled.isChecked()
    assert dialog.address.text() == "Off" and dialog.token.text() == ""


def test_the_dialog_starts_and_stops_the_server_and_api_rows_appear_in_the_table(
    qtbot: QtBot, window: MainWindow, settings: QSettings
) -> None:
    dialog = _open_dialog(qtbot, window)
    assert dialog.address.text() == "Off"
    port = _free_port()
    dialog.port.setValue(port)
    dialog.enabled.setChecked(True)
    qtbot.waitUntil(lambda: window.local_api.running, timeout=START_TIMEOUT_MS)
    url = f"http://127.0.0.1:{port}"
    assert dialog.address.text().startswith(url)
    token = dialog.token.text()
    assert token
    assert not dialog.port.isEnabled()

    view = window.view("team")
    window.tabs.setCurrentWidget(view)
    wait_loaded(qtbot, view.model)
    assert "Made by a script" not in column_texts(view.table, "name")
    response = httpx.post(
        f"{url}/teams/",
        json={"name": "Made by a script"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 201
    qtbot.waitUntil(lambda: "Made by a script" in column_texts(view.table, "name"), timeout=5_000)

    dialog.enabled.setChecked(False)
    assert not window.local_api.running
    assert not _listening(port)
    assert dialog.address.text() == "Off"
    assert dialog.enabled.isEnabled() and not dialog.enabled.isChecked()
    assert settings.value(ENABLED_KEY, type=bool) is False


def test_the_choice_is_remembered_and_the_server_stops_with_the_window(
    qtbot: QtBot, sample_store: Store, settings: QSettings
) -> None:
    port = _free_port()
    with shown_window(qtbot, sample_store, settings) as window:
        dialog = _open_dialog(qtbot, window)
        dialog.port.setValue(port)
        dialog.enabled.setChecked(True)
        qtbot.waitUntil(lambda: window.local_api.running, timeout=START_TIMEOUT_MS)
        dialog.close()
    assert not _listening(port)  # closing the window stopped it ...
    assert settings.value(ENABLED_KEY, type=bool) is True  # ... and it stays on for next time

    with shown_window(qtbot, sample_store, settings) as window:
        qtbot.waitUntil(lambda: window.local_api.running, timeout=START_TIMEOUT_MS)
        assert window.local_api.port == port
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).json() == {"status": "ok"}
        window.local_api.stop()
    assert not _listening(port)


def test_a_port_in_use_is_said_in_the_dialog(qtbot: QtBot, window: MainWindow) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        dialog = _open_dialog(qtbot, window)
        dialog.port.setValue(taken.getsockname()[1])
        dialog.enabled.setChecked(True)
        qtbot.waitUntil(lambda: not window.local_api.starting, timeout=START_TIMEOUT_MS)
    assert not window.local_api.running
    assert "already in use" in dialog.status.text()
    assert not dialog.enabled.isChecked()


def test_turned_off_while_starting_it_does_not_stay_on(qtbot: QtBot, window: MainWindow) -> None:
    port = _free_port()
    dialog = _open_dialog(qtbot, window)
    dialog.port.setValue(port)
    dialog.enabled.setChecked(True)
    assert window.local_api.starting
    dialog.enabled.setChecked(False)
    assert not dialog.enabled.isChecked()
    qtbot.waitUntil(lambda: not window.local_api.starting, timeout=START_TIMEOUT_MS)
    assert not window.local_api.running
    assert not _listening(port)
    assert dialog.address.text() == "Off"
    assert dialog.enabled.isEnabled() and not dialog.enabled.isChecked()
