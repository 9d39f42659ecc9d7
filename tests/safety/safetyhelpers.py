"""Helpers for the data-safety tests: digests of files and tables, filled databases."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from pathlib import Path

from desktop import db
from desktop.store import Store

TABLES = ("team", "hero", "item", "user", "task")
SELECT_ALL = {
    "team": 'SELECT * FROM "team" ORDER BY id',
    "hero": 'SELECT * FROM "hero" ORDER BY id',
    "item": 'SELECT * FROM "item" ORDER BY id',
    "user": 'SELECT * FROM "user" ORDER BY id',
    "task": 'SELECT * FROM "task" ORDER BY id',
}


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def table_digests(path: Path) -> dict[str, str]:
    """One hash per table of every row, read without writing to the file."""
    with sqlite3.connect(db.read_only_uri(path), uri=True) as connection:
        return {
            name: hashlib.sha256(repr(connection.execute(sql).fetchall()).encode()).hexdigest()
            for name, sql in SELECT_ALL.items()
        }


def integrity(path: Path) -> list[str]:
    with sqlite3.connect(db.read_only_uri(path), uri=True) as connection:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]


def fill(store: Store, tasks: int = 3) -> None:
    """A little of everything: a team with a hero, an item, a user owning tasks."""
    team = store.teams.create({"name": "Avengers"})
    store.heroes.create({"name": "Thor", "power": "thunder", "level": 9, "team_id": team.id})
    store.items.create({"name": "Widget", "price": 9.99, "description": "small"})
    owner = store.users.create({"username": "alice", "email": "alice@example.com"})
    for number in range(tasks):
        store.tasks.create({"title": f"Task {number}", "owner_id": owner.id, "description": "d" * 100})


def filled_database(path: Path, tasks: int = 3) -> Path:
    with Store.open(db.sqlite_url(path)) as store:
        fill(store, tasks)
    return path
