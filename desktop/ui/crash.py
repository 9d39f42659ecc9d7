"""Unexpected errors: written to the log, then explained in a plain dialog; the program keeps running.

Python exceptions that nothing caught (main thread, Qt slots, other threads) reach the hooks
installed here. Qt's own messages go to the log only: Qt reports many harmless internals as
warnings or criticals, and a fatal message aborts the process as soon as the handler returns.
"""

from __future__ import annotations

import logging
import os
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QThread, QtMsgType, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import __version__
from desktop.logs import mask_passwords

if TYPE_CHECKING:
    from PySide6.QtCore import QMessageLogContext

    from desktop.errors import TaskforceError

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]
ThreadingHook = Callable[[threading.ExceptHookArgs], Any]
QtMessageHandler = Callable[[QtMsgType, "QMessageLogContext", str], None]

UNEXPECTED = "Something went wrong inside Taskforce, and what you were doing may not have finished."
CANNOT_START = "Taskforce could not start"

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")

QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def log_qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """A Qt message handler that writes to the "qt" logger."""
    category = context.category if context.category and context.category != "default" else None
    prefix = f"[{category}] " if category else ""
    qt_log.log(QT_LEVELS.get(mode, logging.WARNING), "%s%s", prefix, message)


def plain_message(error: BaseException) -> str:
    """What a person is told: our own errors explain themselves; anything else gets one plain sentence."""
    own = _taskforce_error(error)
    return UNEXPECTED if own is None else own.message


def _taskforce_error(error: BaseException) -> TaskforceError | None:
    """The error if it is one of ours. desktop.errors (pydantic under it) is imported only when one is
    asked about: the window shows before the data layer is imported."""
    from desktop.errors import TaskforceError

    return error if isinstance(error, TaskforceError) else None


def error_details(exc_type: type[BaseException], error: BaseException, tb: TracebackType | None) -> str:
    """The text "Copy details" puts on the clipboard: versions and the traceback, without passwords."""
    from PySide6 import __version__ as pyside_version

    lines = [
        f"Taskforce {__version__}, Python {platform.python_version()}, PySide6 {pyside_version}, "
        f"{platform.platform()}",
        "",
        *traceback.format_exception(exc_type, error, tb),
    ]
    return mask_passwords("\n".join(line.rstrip("\n") for line in lines))


class ErrorDialog(QDialog):
    """A plain sentence, where the log is, and a button that copies the technical details."""

    def __init__(
        self, message: str, details: str, log_path: Path | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ErrorDialog")
        self.setWindowTitle("Taskforce: a problem")
        self.details = details

        icon = QLabel()
        # Imported here: QStyle's enums take 10-15 ms to set up, before the window could show.
        from PySide6.QtWidgets import QStyle

        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(48, 48))
        self.message_label = QLabel(mask_passwords(message))
        self.message_label.setObjectName("errorMessage")
        self.message_label.setWordWrap(True)
        where = f" together with the log file:\n{log_path}" if log_path is not None else "."
        self.hint_label = QLabel(
            f"You can keep working. If this happens again, copy the details and send them{where}"
        )
        self.hint_label.setObjectName("errorLogLocation")
        self.hint_label.setWordWrap(True)
        self.hint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setObjectName("copyDetails")
        self.buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        self.buttons.rejected.connect(self.reject)

        text = QVBoxLayout()
        text.addWidget(self.message_label)
        text.addWidget(self.hint_label)
        row = QHBoxLayout()
        row.addWidget(icon, 0)
        row.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)

    def copy_details(self) -> None:
        QApplication.clipboard().setText(self.details)
        self.copy_button.setText("Copied")

    @classmethod
    def present(cls, dialog: ErrorDialog) -> None:
        """Show the dialog and wait for the person to close it (tests replace this)."""
        dialog.exec()


class _MainThreadRelay(QObject):
    """Carries a report from another thread to the GUI thread, where dialogs may be shown."""

    reported = Signal(str, str)


class CrashHandler:
    """Installs and removes the hooks; shows at most one error dialog at a time."""

    def __init__(self, log_path: Path | None) -> None:
        self.log_path = log_path
        self.installed = False
        self._showing = False
        self._previous_excepthook: ExceptHook | None = None
        self._previous_threading_hook: ThreadingHook | None = None
        self._previous_qt_handler: QtMessageHandler | None = None
        self._relay: _MainThreadRelay | None = None

    def install(self) -> None:
        from PySide6.QtCore import qInstallMessageHandler

        if self.installed:
            return
        self._relay = _MainThreadRelay()
        self._relay.reported.connect(self.show_dialog)
        self._previous_excepthook = sys.excepthook
        self._previous_threading_hook = threading.excepthook
        sys.excepthook = self.excepthook
        threading.excepthook = self.threading_hook
        self._previous_qt_handler = qInstallMessageHandler(self.qt_message)
        self.installed = True

    def uninstall(self) -> None:
        from PySide6.QtCore import qInstallMessageHandler

        if not self.installed:
            return
        if sys.excepthook == self.excepthook and self._previous_excepthook is not None:
            sys.excepthook = self._previous_excepthook
        if threading.excepthook == self.threading_hook and self._previous_threading_hook is not None:
            threading.excepthook = self._previous_threading_hook
        qInstallMessageHandler(self._previous_qt_handler)
        self._relay = None
        self.installed = False

    # --- hooks -----------------------------------------------------------------

    def excepthook(
        self, exc_type: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if not issubclass(exc_type, KeyboardInterrupt):
            self.report(exc_type, error, tb)
        if self._previous_excepthook is not None:
            self._previous_excepthook(exc_type, error, tb)

    def threading_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None and not issubclass(args.exc_type, SystemExit):
            self.report(args.exc_type, args.exc_value, args.exc_traceback, thread=args.thread)
        if self._previous_threading_hook is not None:
            self._previous_threading_hook(args)

    def qt_message(self, mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        log_qt_message(mode, context, message)
        if mode == QtMsgType.QtFatalMsg:  # Qt aborts the process when this returns
            for handler in logging.getLogger().handlers:
                handler.flush()

    # --- reporting -----------------------------------------------------------

    def report(
        self,
        exc_type: type[BaseException],
        error: BaseException,
        tb: TracebackType | None,
        *,
        thread: threading.Thread | None = None,
    ) -> None:
        """Log the error and show the dialog (from any thread); never raises."""
        try:
            where = f" in thread {thread.name}" if thread is not None else ""
            log.error("Unexpected error%s", where, exc_info=(exc_type, error, tb))
            details = error_details(exc_type, error, tb)
            app = QApplication.instance()
            if app is None:
                return
            if QThread.currentThread() is app.thread():
                self.show_dialog(plain_message(error), details)
            elif self._relay is not None:
                self._relay.reported.emit(plain_message(error), details)
        except Exception:  # a failing report must not replace the error it reports
            log.exception("Could not report an unexpected error")

    def show_dialog(self, message: str, details: str) -> None:
        if self._showing:  # one dialog at a time; the rest are in the log
            return
        self._showing = True
        try:
            dialog = ErrorDialog(message, details, self.log_path, QApplication.activeWindow())
            ErrorDialog.present(dialog)
            dialog.deleteLater()
        finally:
            self._showing = False

    def report_startup_failure(self, error: BaseException) -> None:
        """Taskforce could not get as far as its window: say so in a dialog, not by vanishing."""
        log.error("Taskforce could not start", exc_info=error)
        own = _taskforce_error(error)
        if own is not None:
            message = f"{CANNOT_START}: {own.message}"
        else:
            message = f"{CANNOT_START} because of an unexpected problem."
        if sys.stderr is not None:
            sys.stderr.write(f"{mask_passwords(message)}\n")
        if QApplication.instance() is None:
            if not can_show_windows():
                return
            _startup_app.append(QApplication(sys.argv[:1]))
        self.show_dialog(message, error_details(type(error), error, error.__traceback__))


# The application made only to show a startup failure; kept referenced while its dialog is up.
_startup_app: list[QApplication] = []


def can_show_windows() -> bool:
    """False on a Linux machine without a display, where creating a QApplication would abort."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
