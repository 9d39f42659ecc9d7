"""Unexpected errors reach the log and a plain dialog; the program keeps running."""

from __future__ import annotations

import argparse
import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pytest
from PySide6.QtCore import QTimer, qWarning
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from desktop import app, logs
from desktop.errors import DatabaseOpenError
from desktop.ui import crash
from desktop.ui.crash import CrashHandler, ErrorDialog

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[ErrorDialog]:
    """The dialogs that would have been shown (present() is replaced, so nothing waits on exec())."""
    dialogs: list[ErrorDialog] = []
    monkeypatch.setattr(ErrorDialog, "present", classmethod(lambda cls, dialog: dialogs.append(dialog)))
    return dialogs


@pytest.fixture
def log_path() -> Iterator[Path]:
    yield logs.setup_logging()
    logs.shutdown_logging()


@pytest.fixture
def previous_hooks(monkeypatch: pytest.MonkeyPatch) -> tuple[list[ExcInfo], list[threading.ExceptHookArgs]]:
    """Stand-ins for the hooks that were there before, to see that they are still called."""
    seen: list[ExcInfo] = []
    seen_in_threads: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(sys, "excepthook", lambda *exc_info: seen.append(exc_info))
    monkeypatch.setattr(threading, "excepthook", seen_in_threads.append)
    return seen, seen_in_threads


@pytest.fixture
def handler(
    qapp: QApplication, log_path: Path, previous_hooks: tuple[list[ExcInfo], list[threading.ExceptHookArgs]]
) -> Iterator[CrashHandler]:
    installed = CrashHandler(log_path)
    installed.install()
    yield installed
    installed.uninstall()


def raised(error: BaseException) -> ExcInfo:
    try:
        raise error
    except BaseException as caught:
        return type(caught), caught, caught.__traceback__


def texts(dialog: ErrorDialog) -> str:
    return " ".join(label.text() for label in dialog.findChildren(QLabel))


def test_an_unexpected_error_shows_a_plain_sentence_and_where_the_log_is(
    handler: CrashHandler, shown: list[ErrorDialog], log_path: Path
) -> None:
    sys.excepthook(*raised(ValueError("boom")))

    [dialog] = shown
    assert dialog.objectName() == "ErrorDialog"
    assert crash.UNEXPECTED in texts(dialog)
    assert str(log_path) in texts(dialog)
    assert "Traceback" not in texts(dialog) and "boom" not in texts(dialog)


def test_copy_details_puts_the_traceback_on_the_clipboard_and_keeps_the_dialog_open(
    handler: CrashHandler, shown: list[ErrorDialog], qtbot: QtBot
) -> None:
    sys.excepthook(*raised(ValueError("boom")))
    [dialog] = shown
    qtbot.addWidget(dialog)
    dialog.show()
    copy = dialog.findChild(QPushButton, "copyDetails")
    assert copy is not None and copy.text() == "Copy details"

    copy.click()

    clipboard = QApplication.clipboard().text()
    assert "Traceback (most recent call last)" in clipboard
    assert "ValueError: boom" in clipboard
    assert clipboard.startswith("Taskforce ")
    assert dialog.isVisible()
    assert copy.text() == "Copied"


def test_close_closes_the_dialog(handler: CrashHandler, shown: list[ErrorDialog], qtbot: QtBot) -> None:
    sys.excepthook(*raised(ValueError("boom")))
    [dialog] = shown
    qtbot.addWidget(dialog)
    dialog.show()

    close = dialog.buttons.button(QDialogButtonBox.StandardButton.Close)
    assert close is not None
    close.click()

    assert not dialog.isVisible()


def test_the_error_and_its_traceback_go_to_the_log(
    handler: CrashHandler, shown: list[ErrorDialog], log_path: Path
) -> None:
    sys.excepthook(*raised(ValueError("boom")))

    text = log_path.read_text(encoding="utf-8")
    assert "ERROR   desktop.ui.crash: Unexpected error" in text
    assert "ValueError: boom" in text


def test_the_previous_excepthook_is_still_called(
    handler: CrashHandler,
    shown: list[ErrorDialog],
    previous_hooks: tuple[list[ExcInfo], list[threading.ExceptHookArgs]],
) -> None:
    exc_info = raised(ValueError("boom"))

    sys.excepthook(*exc_info)

    assert previous_hooks[0] == [exc_info]


def test_our_own_errors_explain_themselves(handler: CrashHandler, shown: list[ErrorDialog]) -> None:
    sys.excepthook(*raised(DatabaseOpenError("The database server cannot be reached.")))

    assert "The database server cannot be reached." in texts(shown[0])


def test_passwords_are_masked_in_the_dialog_and_the_details(
    handler: CrashHandler, shown: list[ErrorDialog]
) -> None:
    sys.excepthook(*raised(DatabaseOpenError("Cannot open postgresql://me:hunter2@db/tf")))

    [dialog] = shown
    assert "me:***@db" in texts(dialog)
    assert "hunter2" not in texts(dialog) + dialog.details


def test_ctrl_c_is_left_to_the_previous_hook(
    handler: CrashHandler,
    shown: list[ErrorDialog],
    previous_hooks: tuple[list[ExcInfo], list[threading.ExceptHookArgs]],
) -> None:
    sys.excepthook(*raised(KeyboardInterrupt()))

    assert shown == []
    assert len(previous_hooks[0]) == 1


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_shows_the_dialog_and_the_program_keeps_running(
    handler: CrashHandler, shown: list[ErrorDialog], qtbot: QtBot
) -> None:
    ran_after: list[bool] = []

    def failing_slot() -> None:
        raise RuntimeError("slot failed")

    QTimer.singleShot(0, failing_slot)
    QTimer.singleShot(5, lambda: ran_after.append(True))

    qtbot.waitUntil(lambda: bool(ran_after))
    assert len(shown) == 1
    assert "RuntimeError: slot failed" in shown[0].details


def test_an_error_in_another_thread_shows_the_dialog_in_the_gui_thread(
    handler: CrashHandler,
    shown: list[ErrorDialog],
    previous_hooks: tuple[list[ExcInfo], list[threading.ExceptHookArgs]],
    qtbot: QtBot,
) -> None:
    def work() -> None:
        raise OSError("disk gone")

    worker = threading.Thread(target=work, name="worker")
    worker.start()
    worker.join()

    qtbot.waitUntil(lambda: bool(shown))
    assert "OSError: disk gone" in shown[0].details
    assert [args.thread for args in previous_hooks[1]] == [worker]


def test_only_one_dialog_at_a_time(handler: CrashHandler, monkeypatch: pytest.MonkeyPatch) -> None:
    presented: list[ErrorDialog] = []

    def present_and_fail_again(cls: type[ErrorDialog], dialog: ErrorDialog) -> None:
        presented.append(dialog)
        sys.excepthook(*raised(ValueError("while the first dialog is open")))

    monkeypatch.setattr(ErrorDialog, "present", classmethod(present_and_fail_again))

    sys.excepthook(*raised(ValueError("first")))

    assert len(presented) == 1


def test_qt_warnings_go_to_the_log(handler: CrashHandler, log_path: Path) -> None:
    qWarning("a Qt warning for the log")

    assert "WARNING qt: a Qt warning for the log" in log_path.read_text(encoding="utf-8")


def test_uninstall_puts_the_previous_hooks_back(
    qapp: QApplication, previous_hooks: tuple[list[ExcInfo], list[threading.ExceptHookArgs]]
) -> None:
    before = (sys.excepthook, threading.excepthook)
    handler = CrashHandler(None)
    handler.install()
    assert sys.excepthook == handler.excepthook

    handler.uninstall()

    assert (sys.excepthook, threading.excepthook) == before


# --- failures before the window exists -----------------------------------------------------------


@pytest.fixture
def failing_gui(monkeypatch: pytest.MonkeyPatch) -> None:
    """desktop.ui.application.run_gui fails as if the database could not be opened."""

    def run_gui(args: argparse.Namespace) -> int:
        raise DatabaseOpenError("notes.txt is not a Taskforce database (it is not an SQLite file).")

    module = types.ModuleType("desktop.ui.application")
    module.run_gui = run_gui  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "desktop.ui.application", module)


def test_a_failure_before_the_window_shows_a_dialog_and_exits_1(
    qapp: QApplication, failing_gui: None, shown: list[ErrorDialog], capsys: pytest.CaptureFixture[str]
) -> None:
    hook_before = sys.excepthook

    status = app.main([])

    assert status == 1
    [dialog] = shown
    message = "Taskforce could not start: notes.txt is not a Taskforce database (it is not an SQLite file)."
    assert message in texts(dialog)
    assert message in capsys.readouterr().err
    assert sys.excepthook is hook_before  # the hooks are gone again


def test_an_unexpected_failure_before_the_window_is_told_plainly(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, shown: list[ErrorDialog]
) -> None:
    def run_gui(args: argparse.Namespace) -> int:
        raise AttributeError("'NoneType' object has no attribute 'x'")

    module = types.ModuleType("desktop.ui.application")
    module.run_gui = run_gui  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "desktop.ui.application", module)

    assert app.main([]) == 1
    assert "Taskforce could not start because of an unexpected problem." in texts(shown[0])
    assert "AttributeError" in shown[0].details
