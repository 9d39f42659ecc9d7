"""What the overview's charts show: one GROUP BY query per chart, answered by the database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from desktop.models import TaskStatus
from desktop.store.entities import HEROES, ITEMS, TASKS, TEAMS, USERS
from desktop.store.store import Store

TOP = 10  # owners and teams drawn one by one; the rest are summed up (owners) or left out (teams)
WEEKS = 26
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class OwnerTasks:
    """One bar of "tasks by owner": an owner (owner_id None: all the others summed up)."""

    owner_id: int | None
    name: str
    counts: Mapping[TaskStatus, int]

    @property
    def open(self) -> int:
        return self.counts.get(TaskStatus.todo, 0) + self.counts.get(TaskStatus.in_progress, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class WeekTasks:
    start: datetime  # Monday 00:00 UTC
    created: int
    done: int


@dataclass(frozen=True)
class TasksOverTime:
    weeks: tuple[WeekTasks, ...]  # oldest first; the last one is the current week
    done_before_tracking: int  # done before completed_at was recorded: in no week


@dataclass(frozen=True)
class TeamHeroes:
    """One bar of "heroes per team" (team_id None: heroes in no team)."""

    team_id: int | None
    name: str
    heroes: int
    average_level: float


@dataclass(frozen=True)
class StockValue:
    in_stock: bool
    items: int
    total_price: float


def week_start(moment: datetime) -> datetime:
    """The Monday 00:00 UTC that begins moment's week."""
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def first_week(now: datetime) -> datetime:
    return week_start(now) - (WEEKS - 1) * WEEK


def _day(column: sa.ColumnElement[Any], backend: str) -> sa.ColumnElement[Any]:
    """The UTC day of a timestamp: stored as naive UTC, so no session time zone takes part.

    The database groups by day (cheap: on SQLite the first ten characters of the stored text);
    the days are folded into weeks in Python, the same way for every database.
    """
    if backend == "sqlite":
        # Written out, not bound: the same text in SELECT and GROUP BY is computed once per row.
        return sa.func.substr(column, sa.literal_column("1"), sa.literal_column("10"))
    if backend == "postgresql":
        return sa.cast(column, sa.Date)
    return sa.func.date(column)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def owners_statement() -> sa.Select[Any]:
    """(owner id, name, status, tasks) for every owner and status that has tasks."""
    task, user = TASKS.sa_table, USERS.sa_table
    grouped = (
        sa.select(task.c.owner_id, task.c.status, sa.func.count().label("tasks"))
        .group_by(task.c.owner_id, task.c.status)
        .subquery("grouped")
    )
    return sa.select(grouped.c.owner_id, user.c.username, grouped.c.status, grouped.c.tasks).join(
        user, user.c.id == grouped.c.owner_id
    )


def tasks_by_owner(store: Store, top: int = TOP) -> list[OwnerTasks]:
    """The owners with the most open tasks (ties: more tasks, then by name), then "Others"."""
    owners: dict[int, tuple[str, dict[TaskStatus, int]]] = {}
    with store.tasks.transaction() as session:
        for owner_id, name, status, count in session.execute(owners_statement()):
            owners.setdefault(int(owner_id), (str(name), {}))[1][TaskStatus(status)] = int(count)
    bars = [OwnerTasks(owner_id, name, counts) for owner_id, (name, counts) in owners.items()]
    bars.sort(key=lambda bar: (-bar.open, -bar.total, bar.name, bar.owner_id))
    shown, rest = bars[:top], bars[top:]
    if rest:
        summed = {status: sum(bar.counts.get(status, 0) for bar in rest) for status in TaskStatus}
        shown.append(OwnerTasks(None, f"{len(rest):,} others", summed))
    return shown


def weeks_statement(start: datetime, backend: str) -> sa.CompoundSelect[Any]:
    """(kind, day, tasks): created and done per UTC day from start, and done before tracking (day NULL)."""
    task = TASKS.sa_table
    done = task.c.status == TaskStatus.done

    def per_day(kind: str, column: sa.ColumnElement[Any], *where: sa.ColumnElement[bool]) -> sa.Select[Any]:
        day = _day(column, backend).label("day")
        return (
            sa.select(sa.literal(kind).label("kind"), day, sa.func.count().label("tasks"))
            .where(column >= start, *where)
            .group_by(day)
        )

    before = sa.select(
        sa.literal("before").label("kind"),
        sa.null().label("day"),
        sa.func.count().label("tasks"),
    ).where(done, task.c.completed_at.is_(None))
    return sa.union_all(
        per_day("created", task.c.created_at),
        # completed_at is only ever set on done tasks: saying so lets (status, completed_at) answer.
        per_day("done", task.c.completed_at, done),
        before,
    )


def tasks_over_time(store: Store, now: datetime | None = None) -> TasksOverTime:
    """Tasks created and done in each of the last 26 weeks (UTC, Monday to Sunday)."""
    start = first_week(now or datetime.now(UTC))
    counts: Counter[tuple[str, int]] = Counter()
    before = 0
    with store.tasks.transaction() as session:
        for kind, day, count in session.execute(weeks_statement(start, store.backend)):
            if kind == "before":
                before = int(count)
            else:
                counts[(str(kind), (_as_date(day) - start.date()).days // 7)] += int(count)
    weeks = tuple(
        WeekTasks(start + n * WEEK, counts[("created", n)], counts[("done", n)]) for n in range(WEEKS)
    )
    return TasksOverTime(weeks, before)


def teams_statement() -> sa.Select[Any]:
    """(team id, name, heroes, average level) for every team with heroes, and for no team."""
    hero, team = HEROES.sa_table, TEAMS.sa_table
    grouped = (
        sa.select(
            hero.c.team_id,
            sa.func.count().label("heroes"),
            sa.func.avg(hero.c.level).label("level"),
        )
        .group_by(hero.c.team_id)
        .subquery("grouped")
    )
    return sa.select(grouped.c.team_id, team.c.name, grouped.c.heroes, grouped.c.level).outerjoin(
        team, team.c.id == grouped.c.team_id
    )


def heroes_by_team(store: Store, top: int = TOP) -> list[TeamHeroes]:
    """The teams with the most heroes (ties by name), then the heroes in no team."""
    with store.heroes.transaction() as session:
        rows = [
            TeamHeroes(
                None if team_id is None else int(team_id),
                "No team" if team_id is None else str(name),
                int(heroes),
                float(level),
            )
            for team_id, name, heroes, level in session.execute(teams_statement())
        ]
    teams = sorted(
        (row for row in rows if row.team_id is not None), key=lambda r: (-r.heroes, r.name, r.team_id)
    )
    return teams[:top] + [row for row in rows if row.team_id is None]


def stock_statement() -> sa.Select[Any]:
    """(in stock, items, total price) for in and out of stock."""
    item = ITEMS.sa_table
    return sa.select(item.c.in_stock, sa.func.count(), sa.func.sum(item.c.price)).group_by(item.c.in_stock)


def items_by_stock(store: Store) -> list[StockValue]:
    """Items in stock, then out of stock: how many, and what they cost together."""
    stmt = stock_statement()
    with store.items.transaction() as session:
        found = {
            bool(in_stock): (int(count), float(total or 0))
            for in_stock, count, total in session.execute(stmt)
        }
    return [StockValue(flag, *found.get(flag, (0, 0.0))) for flag in (True, False)]
