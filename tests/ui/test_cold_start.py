"""The cold-start probe: with TASKFORCE_EXIT_AFTER_FIRST_PAINT=1, report the first paint and quit."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget
from pytestqt.qtbot import QtBot

from desktop.ui import coldstart
from desktop.ui.coldstart import FirstPaintProbe


def test_it_is_off_unless_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(coldstart.ENV, raising=False)
    assert not coldstart.requested()
    monkeypatch.setenv(coldstart.ENV, "1")
    assert coldstart.requested()


def test_the_process_age_is_positive_and_grows() -> None:
    first = coldstart.seconds_since_process_start()
    assert first > 0
    assert coldstart.seconds_since_process_start() >= first


def test_the_first_paint_of_the_main_window_is_reported_then_the_program_quits(
    qapp: QApplication, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    quits: list[bool] = []
    probe = FirstPaintProbe(qapp, then=lambda: quits.append(True))
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    qtbot.waitExposed(other)
    assert probe.elapsed is None  # only the main window counts

    window = QMainWindow()
    window.setCentralWidget(QLabel("tasks"))
    qtbot.addWidget(window)
    window.show()

    qtbot.waitUntil(lambda: bool(quits))
    assert probe.elapsed is not None and probe.elapsed > 0
    assert capsys.readouterr().out == f"first paint after {probe.elapsed * 1000:.0f} ms\n"
    assert quits == [True]
