"""The change watcher: what another client commits reaches this store's listeners, on every database."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from desktop.models import TeamCreate
from desktop.store import Change, Store
from desktop.store.watch import ChangeWatcher, WatchState

WAIT_S = 5.0


class Heard:
    """The changes a store's listeners were told, safe to read from the test's thread."""

    def __init__(self) -> None:
        self.changes: list[Change] = []
        self._arrived = threading.Condition()

    def __call__(self, change: Change) -> None:
        with self._arrived:
            self.changes.append(change)
            self._arrived.notify_all()

    def wait_for(self, wanted: Callable[[Change], bool], timeout: float = WAIT_S) -> Change:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for change in self.changes:
                    if wanted(change):
                        return change
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"not heard within {timeout} s; heard {self.changes}")
                self._arrived.wait(left)


@pytest.fixture
def watched(database_url: str) -> Iterator[tuple[Store, Store, Heard, list[WatchState]]]:
    """A store with a watcher and a listener, and a second client on the same database."""
    mine, other = Store.open(database_url), Store.open(database_url)
    heard, states = Heard(), []
    mine.subscribe(heard)
    watcher = ChangeWatcher(mine, poll_seconds=0.05, on_state=lambda state, _detail: states.append(state))
    watcher.start()
    try:
        deadline = time.monotonic() + WAIT_S
        while watcher.state is not WatchState.WATCHING and time.monotonic() < deadline:
            time.sleep(0.01)
        assert watcher.state is WatchState.WATCHING
        yield mine, other, heard, states
    finally:
        watcher.stop()
        other.close()
        mine.close()


def _names_team(team_id: int) -> Callable[[Change], bool]:
    """The change the watcher announces for a new team: by id where the database says, else 'team changed'."""
    return lambda change: change.entity == "team" and (team_id in change.ids or not change.ids)


def test_a_commit_elsewhere_is_heard(watched: tuple[Store, Store, Heard, list[WatchState]]) -> None:
    mine, other, heard, _states = watched
    team = other.teams.create(TeamCreate(name="Avengers"))
    change = heard.wait_for(_names_team(team.id))
    if mine.backend != "sqlite":  # the servers say which row and what happened to it
        assert change == Change("team", "created", (team.id,))

    other.teams.delete(team.id)
    if mine.backend != "sqlite":
        heard.wait_for(lambda change: change == Change("team", "deleted", (team.id,)))


def test_own_commits_are_not_announced_twice(watched: tuple[Store, Store, Heard, list[WatchState]]) -> None:
    mine, other, heard, _states = watched
    if mine.backend == "sqlite":
        pytest.skip("PRAGMA data_version does not say which connection committed")
    team = mine.teams.create(TeamCreate(name="Avengers"))
    marker = other.teams.create(TeamCreate(name="Marker"))  # heard after ours, if ours were heard
    heard.wait_for(_names_team(marker.id))
    assert [c for c in heard.changes if team.id in c.ids] == [Change("team", "created", (team.id,))]


def _drop_other_connections(store: Store) -> None:
    """What a server restart or a network cut does to every connection of this database but one."""
    with store.engine.connect() as connection:
        if store.backend == "postgresql":
            connection.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return
        ids = connection.exec_driver_sql(
            "SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()"
        ).scalars()
        for connection_id in list(ids):
            try:
                connection.exec_driver_sql(f"KILL CONNECTION {int(connection_id)}")
            except sa.exc.OperationalError:  # gone already
                pass


def test_updates_resume_after_the_connection_drops(
    watched: tuple[Store, Store, Heard, list[WatchState]],
) -> None:
    mine, other, heard, states = watched
    if mine.backend == "sqlite":
        pytest.skip("a file has no connection to lose")
    _drop_other_connections(mine)
    deadline = time.monotonic() + 2 * WAIT_S
    while WatchState.RECONNECTING not in states and time.monotonic() < deadline:
        time.sleep(0.02)
    assert WatchState.RECONNECTING in states
    while states[-1] is not WatchState.WATCHING and time.monotonic() < deadline:
        time.sleep(0.02)
    assert states[-1] is WatchState.WATCHING
    # Catching up: what happened while the connection was down was not heard, so all is re-read.
    heard.wait_for(lambda change: change == Change("task", "updated"))

    team = other.teams.create(TeamCreate(name="After the drop"))
    heard.wait_for(lambda change: change == Change("team", "created", (team.id,)))


def test_a_bulk_change_names_the_table_not_every_row(
    watched: tuple[Store, Store, Heard, list[WatchState]],
) -> None:
    mine, other, heard, _states = watched
    with other.engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO team (name, version) VALUES (:name, 1)"),
            [{"name": f"team {n}"} for n in range(300)],
        )
    heard.wait_for(lambda change: change.entity == "team" and not change.ids)
    assert all(len(change.ids) <= 200 for change in heard.changes)
    assert mine.teams.count() == 300


HOLDING_CLIENT = """
import sys
from desktop.store import Store
store = Store.open(sys.argv[1])
with store.engine.connect():
    print("connected", flush=True)
    sys.stdin.read()
"""


def test_other_taskforce_processes_are_counted_on_postgresql(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("only PostgreSQL tells who is connected (pg_stat_activity)")
    mine = Store.open(database_url)
    other = subprocess.Popen(
        [sys.executable, "-c", HOLDING_CLIENT, database_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    counted: list[int] = []
    watcher = ChangeWatcher(mine, on_others=counted.append)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "connected"
        watcher.start()
        deadline = time.monotonic() + WAIT_S
        while not counted and time.monotonic() < deadline:
            time.sleep(0.02)
        assert counted == [1] and watcher.others == 1
    finally:
        watcher.stop()
        other.communicate("", timeout=30)
        mine.close()
