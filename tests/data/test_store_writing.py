"""On SQLite, the store's writes in one process take turns on a lock instead of SQLite's busy loop."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from desktop import db
from desktop.errors import StorageError
from desktop.store import Store


def test_concurrent_writers_all_succeed(sqlite_store: Store) -> None:
    owner = sqlite_store.users.create({"username": "owner", "email": "owner@example.org"})

    def write(number: int) -> int:
        made = sqlite_store.tasks.create({"title": f"Task {number}", "owner_id": owner.id})
        sqlite_store.tasks.update(made.id, {"status": "done"})
        return int(made.id)

    with ThreadPoolExecutor(max_workers=12) as pool:
        ids = list(pool.map(write, range(120)))
    assert len(set(ids)) == 120
    assert sqlite_store.tasks.count(status="done") == 120


def test_a_write_waiting_longer_than_the_busy_timeout_is_a_busy_error(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    holding, release = threading.Event(), threading.Event()

    def hold_the_turn() -> None:
        with sqlite_store.writing():
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_turn)
    holder.start()
    try:
        assert holding.wait(10)
        with pytest.raises(StorageError, match="busy"):
            sqlite_store.teams.create({"name": "Waited too long"})
    finally:
        release.set()
        holder.join()
    assert sqlite_store.teams.count() == 0
    sqlite_store.teams.create({"name": "After the turn"})
    assert sqlite_store.teams.count() == 1


def test_reads_do_not_wait_for_the_writers_turn(sqlite_store: Store) -> None:
    sqlite_store.teams.create({"name": "Readable"})
    with sqlite_store.writing():
        assert [team.name for team in sqlite_store.teams.list()] == ["Readable"]
