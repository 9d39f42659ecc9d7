"""Choosing a database: a file picked or typed, or a server URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QPushButton
from pytestqt.qtbot import QtBot

from desktop import db
from desktop.ui.open_database import OpenDatabaseDialog


def test_a_typed_path_becomes_a_sqlite_url_and_a_url_stays_as_typed(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = OpenDatabaseDialog()
    qtbot.addWidget(dialog)
    open_button = dialog.buttons.button(QDialogButtonBox.StandardButton.Open)
    assert not open_button.isEnabled()
    qtbot.keyClicks(dialog.location, str(tmp_path / "team.db"))
    assert open_button.isEnabled()
    assert dialog.url() == db.sqlite_url(tmp_path / "team.db")
    dialog.location.clear()
    qtbot.keyClicks(dialog.location, "postgresql+psycopg://me:secret@server/taskforce")
    assert dialog.url() == "postgresql+psycopg://me:secret@server/taskforce"


def test_browse_fills_in_the_chosen_file(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = str(tmp_path / "picked.db")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *args: (chosen, "")))
    dialog = OpenDatabaseDialog()
    qtbot.addWidget(dialog)
    browse = dialog.findChild(QPushButton, "browseDatabase")
    assert browse is not None
    qtbot.mouseClick(browse, Qt.MouseButton.LeftButton)
    assert dialog.location.text() == chosen
    assert dialog.url() == db.sqlite_url(tmp_path / "picked.db")
