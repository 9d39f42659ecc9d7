"""What the store knows about each entity: its classes, search columns, filters and references."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

from desktop.models import (
    Hero,
    HeroCreate,
    HeroRead,
    HeroUpdate,
    Item,
    ItemCreate,
    ItemRead,
    ItemUpdate,
    Task,
    TaskCreate,
    TaskRead,
    TaskStatus,
    TaskUpdate,
    Team,
    TeamCreate,
    TeamRead,
    TeamUpdate,
    User,
    UserCreate,
    UserRead,
    UserUpdate,
)

FilterFn = Callable[[sa.Table, Any], sa.ColumnElement[bool]]


@dataclass(frozen=True)
class Reference:
    """A foreign key shown by the name of the row it points at."""

    field: str  # e.g. "owner_id"
    target: str  # entity name, e.g. "user"
    label_key: str  # key of the name in a Record's refs, e.g. "owner"


@dataclass(frozen=True)
class Entity:
    name: str
    label: str
    plural: str
    table: type[SQLModel]
    create: type[SQLModel]
    read: type[SQLModel]
    update: type[SQLModel]
    search_columns: tuple[str, ...]
    label_column: str
    default_order: str = "id"
    unique_fields: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    filters: Mapping[str, FilterFn] = field(default_factory=dict)

    @property
    def sa_table(self) -> sa.Table:
        table = self.table.__table__  # type: ignore[attr-defined]
        assert isinstance(table, sa.Table)
        return table

    def column(self, name: str) -> sa.Column[Any]:
        try:
            return self.sa_table.c[name]
        except KeyError:
            raise ValueError(f"{self.label} has no column {name!r}") from None

    def count_label(self, count: int) -> str:
        return f"{count} {self.label.lower() if count == 1 else self.plural}"


def _equals(column: str) -> FilterFn:
    return lambda table, value: table.c[column] == value


def _status(table: sa.Table, value: Any) -> sa.ColumnElement[bool]:
    return table.c.status == TaskStatus(value)


def _has_team(table: sa.Table, value: Any) -> sa.ColumnElement[bool]:
    return table.c.team_id.is_not(None) if value else table.c.team_id.is_(None)


def _min_price(table: sa.Table, value: Any) -> sa.ColumnElement[bool]:
    price = float(value)
    if not math.isfinite(price):
        raise ValueError("must be a finite number")
    return table.c.price >= price


TEAMS = Entity(
    name="team",
    label="Team",
    plural="teams",
    table=Team,
    create=TeamCreate,
    read=TeamRead,
    update=TeamUpdate,
    search_columns=("name",),
    label_column="name",
)

HEROES = Entity(
    name="hero",
    label="Hero",
    plural="heroes",
    table=Hero,
    create=HeroCreate,
    read=HeroRead,
    update=HeroUpdate,
    search_columns=("name", "power"),
    label_column="name",
    references=(Reference("team_id", "team", "team"),),
    filters={"team_id": _equals("team_id"), "has_team": _has_team},
)

ITEMS = Entity(
    name="item",
    label="Item",
    plural="items",
    table=Item,
    create=ItemCreate,
    read=ItemRead,
    update=ItemUpdate,
    search_columns=("name", "description"),
    label_column="name",
    default_order="name",
    filters={"min_price": _min_price, "in_stock": _equals("in_stock")},
)

USERS = Entity(
    name="user",
    label="User",
    plural="users",
    table=User,
    create=UserCreate,
    read=UserRead,
    update=UserUpdate,
    search_columns=("username", "email"),
    label_column="username",
    unique_fields=("username", "email"),
)

TASKS = Entity(
    name="task",
    label="Task",
    plural="tasks",
    table=Task,
    create=TaskCreate,
    read=TaskRead,
    update=TaskUpdate,
    search_columns=("title", "description"),
    label_column="title",
    references=(Reference("owner_id", "user", "owner"),),
    filters={"status": _status, "owner_id": _equals("owner_id")},
)

ENTITIES: dict[str, Entity] = {entity.name: entity for entity in (TASKS, USERS, HEROES, TEAMS, ITEMS)}
