"""Helpers for GUI tests: waiting for models and views the way a person waits for the screen."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.ui.table_model import EntityTableModel


def wait_loaded(qtbot: QtBot, model: EntityTableModel) -> None:
    """Until the model has counted and every query it started has arrived."""
    qtbot.waitUntil(lambda: model.is_idle() and model.counted, timeout=5_000)
