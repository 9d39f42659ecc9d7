"""run_off_gui_thread: a store call on the query pool, its value or its error back on the GUI thread."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget
from pytestqt.qtbot import QtBot

from desktop.errors import DuplicateError
from desktop.table.workers import QUERY_THREADS
from desktop.ui import loading
from desktop.ui.loading import run_off_gui_thread

SECONDS = 10


def test_the_call_runs_off_the_gui_thread_and_its_value_comes_back(qtbot: QtBot) -> None:
    threads: list[int] = []

    def work() -> str:
        threads.append(threading.get_ident())
        return "saved"

    assert run_off_gui_thread(work) == "saved"
    assert threads and threads[0] != threading.get_ident()


@pytest.mark.parametrize(
    "error",
    [
        DuplicateError("That username is taken.", entity="user", field="username", value="alice"),
        ValueError("something unexpected"),
    ],
)
def test_an_error_comes_back_unchanged(qtbot: QtBot, error: Exception) -> None:
    def work() -> None:
        raise error

    with pytest.raises(type(error)) as raised:
        run_off_gui_thread(work)

    assert raised.value is error


def test_the_event_loop_keeps_running_while_the_call_waits(qtbot: QtBot) -> None:
    """The call waits for a timer of the GUI thread: it finishes only if events are processed."""
    timer_fired = threading.Event()
    QTimer.singleShot(10, timer_fired.set)

    assert run_off_gui_thread(lambda: timer_fired.wait(SECONDS)) is True


def test_a_slow_call_shows_a_busy_dialog_until_it_is_done(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loading, "BUSY_AFTER_MS", 0)
    parent = QWidget()
    qtbot.addWidget(parent)
    shown: list[str] = []
    may_finish = threading.Event()

    def look() -> None:
        dialog = parent.findChild(QProgressDialog, "busyDialog")
        if dialog is not None and dialog.isVisible():
            shown.append(dialog.labelText())
            may_finish.set()
        elif not may_finish.is_set():
            QTimer.singleShot(10, look)

    QTimer.singleShot(0, look)
    run_off_gui_thread(lambda: may_finish.wait(SECONDS), parent=parent, busy="Deleting 3 tasks…")

    assert shown == ["Deleting 3 tasks…"]
    dialog = parent.findChild(QProgressDialog, "busyDialog")
    assert dialog is None or not dialog.isVisible()
    assert QApplication.activeModalWidget() is None


def test_a_quick_call_shows_no_busy_dialog(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)

    run_off_gui_thread(lambda: None, parent=parent)

    assert parent.findChild(QProgressDialog, "busyDialog") is None


def test_summaries_never_hold_up_the_rows(qtbot: QtBot) -> None:
    """A count over every row that is still running leaves the table's queries their threads."""
    release = threading.Event()
    summaries = loading.QueryRunner(summaries=True)
    rows = loading.QueryRunner()
    arrived: list[object] = []
    summaries.finished.connect(lambda outcome: arrived.append(outcome.tag))
    rows.finished.connect(lambda outcome: arrived.append(outcome.tag))
    try:
        for n in range(QUERY_THREADS + 1):  # more slow summaries than the pool has threads
            summaries.submit(("summary", n), lambda: release.wait(SECONDS))
        rows.submit("rows", lambda: "window")
        qtbot.waitUntil(lambda: "rows" in arrived, timeout=SECONDS * 1000)
        assert not any(isinstance(tag, tuple) for tag in arrived)
    finally:
        release.set()
    qtbot.waitUntil(lambda: len(arrived) == QUERY_THREADS + 2, timeout=SECONDS * 1000)


def test_summaries_no_longer_wanted_are_dropped_before_they_start(qtbot: QtBot) -> None:
    release = threading.Event()
    started: list[int] = []
    runner = loading.QueryRunner(summaries=True)
    arrived: list[object] = []
    runner.finished.connect(lambda outcome: arrived.append(outcome.tag))

    def slow(n: int) -> None:
        started.append(n)
        release.wait(SECONDS)

    try:
        for n in range(3):
            runner.submit(n, lambda n=n: slow(n))
        qtbot.waitUntil(lambda: started == [0], timeout=SECONDS * 1000)
        runner.drop_waiting()
        runner.submit("new", lambda: None)
    finally:
        release.set()
    qtbot.waitUntil(lambda: "new" in arrived, timeout=SECONDS * 1000)
    assert started == [0]  # the two waiting behind it never ran
    assert arrived == [0, "new"]
