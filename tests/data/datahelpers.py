"""Small helpers shared by the data tests: snapshots of every table and quick row makers."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

import desktop.models  # noqa: F401  (registers the tables)
from desktop.models import HeroRead, TaskRead, TaskStatus, TeamRead, UserRead
from desktop.store import Store

TABLES = ("team", "hero", "item", "user", "task")


def table_contents(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in id order: compare before and after to prove nothing changed."""
    contents: dict[str, list[tuple[Any, ...]]] = {}
    with store.engine.connect() as connection:
        for name in TABLES:
            table = SQLModel.metadata.tables[name]
            rows = connection.execute(sa.select(table).order_by(table.c.id)).all()
            contents[name] = [tuple(row) for row in rows]
    return contents


def user(store: Store, username: str, email: str | None = None) -> UserRead:
    return store.users.create({"username": username, "email": email or f"{username}@example.com"})


def task(
    store: Store, title: str, owner: UserRead, status: TaskStatus = TaskStatus.todo, **values: Any
) -> TaskRead:
    return store.tasks.create({"title": title, "owner_id": owner.id, "status": status, **values})


def team(store: Store, name: str) -> TeamRead:
    return store.teams.create({"name": name})


def hero(store: Store, name: str, team_: TeamRead | None = None, **values: Any) -> HeroRead:
    values.setdefault("power", "flight")
    return store.heroes.create({"name": name, "team_id": team_.id if team_ else None, **values})
