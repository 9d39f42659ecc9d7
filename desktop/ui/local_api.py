"""Tools → Local API…: the HTTP API served from inside the window, over the window's own store.

Off by default; the choice (and the port) is remembered. The server runs under uvicorn on a
thread of its own and is started off the GUI thread (FastAPI takes a moment to import). Changes
made through it reach the open tables through the store's change notifications, as the window's
own edits do.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from desktop.api.server import ApiServer
    from desktop.store import Store

log = logging.getLogger(__name__)

ENABLED_KEY = "localApi/enabled"
PORT_KEY = "localApi/port"
DEFAULT_PORT = 8000
HOST = "127.0.0.1"


class LocalApi(QObject):
    """The window's API server: on, off, and what it is doing."""

    state_changed = Signal()  # started, stopped, or failed to start (see .error)
    _outcome = Signal(object, str, str)  # the server (or None), its token, the error message (or "")

    def __init__(self, window: QMainWindow, settings: QSettings, store: Callable[[], Store]) -> None:
        """store: the window's store at the time of each request (it changes with Open database)."""
        super().__init__(window)
        self._window = window
        self._settings = settings
        self._store = store
        self.server: ApiServer | None = None
        self.token = ""
        self.error = ""
        self.starting = False
        self._wanted = False  # off asked for while starting: the server is stopped once it is up
        self.action: QAction | None = None  # Tools → Local API…, once in the menu
        self._outcome.connect(self._on_outcome, Qt.ConnectionType.QueuedConnection)
        window.installEventFilter(self)  # the server stops before the window closes its store

    @property
    def running(self) -> bool:
        return self.server is not None

    @property
    def wanted(self) -> bool:
        """On as far as the person is concerned: running, or starting and not turned off since."""
        return self._wanted and (self.running or self.starting)

    @property
    def url(self) -> str:
        return self.server.url if self.server is not None else ""

    @property
    def port(self) -> int:
        value = str(self._settings.value(PORT_KEY, DEFAULT_PORT))
        return int(value) if value.isdigit() and 1024 <= int(value) <= 65535 else DEFAULT_PORT

    @property
    def enabled(self) -> bool:
        return bool(self._settings.value(ENABLED_KEY, False, type=bool))

    def restore(self) -> None:
        """Start the server if it was on when the app last closed."""
        if self.enabled:
            self.start(self.port)

    def start(self, port: int) -> None:
        """Start serving on port; state_changed tells when it is up or why it is not."""
        if self.running or self.starting:
            return
        self._settings.setValue(PORT_KEY, port)
        self._settings.setValue(ENABLED_KEY, True)
        self.starting, self.error, self._wanted = True, "", True
        self.state_changed.emit()
        threading.Thread(target=self._start, args=(port,), name="taskforce-api-start", daemon=True).start()

    def _start(self, port: int) -> None:
        try:
            from desktop.api.app import create_app
            from desktop.api.security import resolve_token
            from desktop.api.server import ApiServer, ServeError

            token = resolve_token()
            app = create_app(self._store, token=token)
            server = ApiServer(app, HOST, port, token=token)
            server.start()
        except (ServeError, OSError) as error:
            self._outcome.emit(None, "", str(error))
            return
        if not self._wanted:  # turned off, or the window closed, while it started
            server.stop()
            self._outcome.emit(None, "", "")
            return
        self._outcome.emit(server, token, "")

    def _on_outcome(self, server: ApiServer | None, token: str, error: str) -> None:
        self.starting = False
        if server is not None and not self._wanted:
            server.stop()
            server = None
        self.server, self.token, self.error = server, token, error
        if error:
            log.warning("Local API not started: %s", error)
        self.state_changed.emit()

    def stop(self, *, remember: bool = True) -> None:
        """Stop serving; remember=False keeps it on for the next start (the window is closing)."""
        if remember:
            self._settings.setValue(ENABLED_KEY, False)
        self._wanted = False
        if self.server is not None:
            self.server.stop()
            self.server = None
        self.error = ""
        self.state_changed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Close:
            self.stop(remember=False)
        return False


class LocalApiDialog(QDialog):
    """Turns the server on and off; shows where it listens and the token clients send."""

    def __init__(self, api: LocalApi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.setObjectName("localApiDialog")
        self.setWindowTitle("Local API")
        intro = QLabel(
            "Scripts and other programs on this computer can read and change this database over "
            "HTTP, with the routes of the SQLModel tutorial. Each request must send the token."
        )
        intro.setWordWrap(True)
        self.enabled = QCheckBox("Serve the local API")
        self.enabled.setObjectName("apiEnabled")
        self.port = QSpinBox()
        self.port.setObjectName("apiPort")
        self.port.setRange(1024, 65535)
        self.port.setValue(api.port)
        self.address = QLabel()
        self.address.setObjectName("apiAddress")
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.token = QLineEdit()
        self.token.setObjectName("apiToken")
        self.token.setReadOnly(True)
        copy = QPushButton("Copy")
        copy.setObjectName("apiCopyToken")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.token.text()))
        token_row = QHBoxLayout()
        token_row.addWidget(self.token, 1)
        token_row.addWidget(copy)
        self.status = QLabel()
        self.status.setObjectName("apiStatus")
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Port:", self.port)
        form.addRow("Address:", self.address)
        form.addRow("Token:", token_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.enabled)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.enabled.toggled.connect(self._toggle)
        api.state_changed.connect(self._show_state)
        self._show_state()

    def _toggle(self, on: bool) -> None:
        if on and not (self.api.running or self.api.starting):
            self.api.start(self.port.value())
        elif not on and self.api.wanted:
            self.api.stop()

    def _show_state(self) -> None:
        api = self.api
        self.enabled.blockSignals(True)
        self.enabled.setChecked(api.wanted)
        self.enabled.blockSignals(False)
        # Until a start turned off meanwhile has finished, it cannot be turned on again.
        self.enabled.setEnabled(api.wanted or not api.starting)
        self.port.setEnabled(not (api.running or api.starting))
        self.address.setText(f"{api.url}   (documentation: {api.url}/docs)" if api.running else "Off")
        self.token.setText(api.token if api.running else "")
        if api.starting:
            self.status.setText("Starting…" if api.wanted else "Stopping…")
        elif api.error:
            self.status.setText(f"⚠ {api.error}")
        elif api.running:
            self.status.setText("Listening on this computer only. Changes made through it show here at once.")
        else:
            self.status.setText("")

    @classmethod
    def show_for(cls, api: LocalApi, parent: QWidget) -> LocalApiDialog:
        """Open the dialog without blocking (so that nothing waits on exec())."""
        dialog = cls(api, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


def install_local_api(window: QMainWindow, settings: QSettings, store: Callable[[], Store]) -> LocalApi:
    """Tools → Local API… in the window's menu bar. Once the window's database is open, the window
    calls `restore()`: the server starts if it was on last time."""
    api = LocalApi(window, settings, store)
    action = QAction("Local &API…", window)
    action.setObjectName("actionLocalApi")
    action.setStatusTip("Serve this database over HTTP to scripts on this computer")
    action.triggered.connect(lambda _checked=False: LocalApiDialog.show_for(api, window))
    tools = _menu(window, "&Tools")
    tools.addAction(action)
    api.action = action
    return api


def _menu(window: QMainWindow, title: str) -> QMenu:
    """The menu bar's menu with this title, made (before Help) when there is none yet."""
    bar = window.menuBar()
    for action in bar.actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text() == title:
            return menu
    menu = QMenu(title, bar)
    menu.setObjectName("toolsMenu")
    help_action: Any = next((a for a in bar.actions() if a.text() == "&Help"), None)
    if help_action is not None:
        bar.insertMenu(help_action, menu)
    else:
        bar.addMenu(menu)
    return menu
