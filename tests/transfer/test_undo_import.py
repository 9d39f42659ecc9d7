"""Undo of an import removes exactly the imported rows; redo puts them back with their ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from transferhelpers import run_import, table_contents, write_csv

from desktop.errors import InUseError
from desktop.store import Store
from desktop.transfer.undoing import put_back, remove_rows


def test_undo_removes_exactly_the_imported_rows_and_redo_restores_them(store: Store, tmp_path: Path) -> None:
    alice = store.users.create({"username": "alice", "email": "alice@example.com"})
    store.tasks.create({"title": "Typed by hand", "owner_id": alice.id})
    before = table_contents(store)
    lines = "".join(f"Imported {n},alice\n" for n in range(1_234))  # more ids than one statement holds
    result = run_import(store, "task", write_csv(tmp_path / "tasks.csv", "title,owner\n" + lines))
    after = table_contents(store)
    removed = remove_rows(store, "task", result.ids)
    assert table_contents(store) == before
    put_back(store, removed)
    assert table_contents(store) == after


def test_undoing_imported_users_who_now_own_tasks_is_refused(store: Store, tmp_path: Path) -> None:
    result = run_import(
        store, "user", write_csv(tmp_path / "users.csv", "username,email\nbob,bob@example.com\n")
    )
    store.tasks.create({"title": "Bob's", "owner_id": result.ids[0]})
    before = table_contents(store)
    with pytest.raises(InUseError):
        remove_rows(store, "user", result.ids)
    assert table_contents(store) == before


def test_undoing_imported_teams_leaves_their_heroes_without_a_team_and_redo_brings_it_back(
    store: Store, tmp_path: Path
) -> None:
    result = run_import(store, "team", write_csv(tmp_path / "teams.csv", "name\nAvengers\n"))
    hero = store.heroes.create({"name": "Thor", "power": "Lightning", "team_id": result.ids[0]})
    removed = remove_rows(store, "team", result.ids)
    assert store.heroes.get(hero.id).team_id is None
    put_back(store, removed)
    assert store.heroes.get(hero.id).team_id == result.ids[0]
