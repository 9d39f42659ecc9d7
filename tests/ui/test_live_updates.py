"""Live updates: another process commits, and the open window shows it, on every database."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop.models import TeamCreate
from desktop.store import Store
from desktop.store.watch import WatchState
from desktop.ui.main_window import MainWindow
from tests.ui.uihelpers import click_row, column_texts, selected_texts, shown_window, wait_settled

SECOND_CLIENT = """
import sys
from desktop.models import TeamCreate
from desktop.store import Store
store = Store.open(sys.argv[1])
try:
    for command in sys.argv[2:]:
        action, _, value = command.partition("=")
        if action == "create":
            store.teams.create(TeamCreate(name=value))
        elif action == "delete":
            store.teams.delete(int(value))
        elif action == "rename":  # rename=ID:TIMES, one commit each, as fast as they go
            team_id, times = (int(part) for part in value.split(":"))
            for number in range(times):
                store.teams.update(team_id, {"name": f"burst {number}"})
finally:
    store.engine.dispose()
"""


def other_process(url: str, *commands: str) -> None:
    """Another program on the same database (not a Taskforce window: no backup when it ends)."""
    subprocess.run([sys.executable, "-c", SECOND_CLIENT, url, *commands], check=True, timeout=60)


@pytest.fixture
def live_window(qtbot: QtBot, database_url: str, settings: QSettings) -> Iterator[MainWindow]:
    store = Store.open(database_url)
    try:
        with shown_window(qtbot, store, settings) as window:
            qtbot.waitUntil(lambda: window.live_updates.state is WatchState.WATCHING, timeout=5_000)
            window.tabs.setCurrentWidget(window.view("team"))
            wait_settled(qtbot, window)
            yield window
    finally:
        store.close()


def test_a_row_another_process_creates_appears(qtbot: QtBot, live_window: MainWindow) -> None:
    table = live_window.view("team").table
    other_process(live_window.store.url, "create=Avengers", "create=X-Men")
    qtbot.waitUntil(lambda: sorted(column_texts(table, "name")) == ["Avengers", "X-Men"], timeout=3_000)


def test_a_selected_row_deleted_elsewhere_goes_and_the_rest_stays_selected(
    qtbot: QtBot, live_window: MainWindow
) -> None:
    store = live_window.store
    keep = store.teams.create(TeamCreate(name="Keep"))
    gone = store.teams.create(TeamCreate(name="Gone"))
    view = live_window.view("team")
    qtbot.waitUntil(lambda: len(column_texts(view.table, "name")) == 2, timeout=3_000)
    click_row(qtbot, view.table, column_texts(view.table, "name").index("Keep"))
    assert selected_texts(view.table, "name") == ["Keep"]

    other_process(store.url, f"delete={gone.id}")
    qtbot.waitUntil(lambda: column_texts(view.table, "name") == ["Keep"], timeout=3_000)
    assert selected_texts(view.table, "name") == ["Keep"]
    assert store.teams.get(keep.id).name == "Keep"


def test_the_status_bar_says_when_the_connection_is_lost(qtbot: QtBot, live_window: MainWindow) -> None:
    label = live_window.live_updates.label
    assert label.isHidden()
    live_window.live_updates._show_state(WatchState.RECONNECTING.value, "")
    assert not label.isHidden() and "Reconnecting" in label.text()
    live_window.live_updates._show_state(WatchState.WATCHING.value, "")
    assert label.isHidden()


def test_a_burst_of_a_thousand_commits_elsewhere_ends_shown(qtbot: QtBot, live_window: MainWindow) -> None:
    team = live_window.store.teams.create(TeamCreate(name="before"))
    table = live_window.view("team").table
    qtbot.waitUntil(lambda: column_texts(table, "name") == ["before"], timeout=3_000)
    other_process(live_window.store.url, f"rename={team.id}:1000")
    qtbot.waitUntil(lambda: column_texts(table, "name") == ["burst 999"], timeout=10_000)
