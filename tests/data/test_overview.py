"""The overview's aggregates and the filter counts, against the same numbers counted in Python."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from desktop.models import Hero, Item, Task, TaskStatus, Team, User
from desktop.store import Store
from desktop.store.overview import (
    WEEKS,
    first_week,
    heroes_by_team,
    items_by_stock,
    tasks_by_owner,
    tasks_over_time,
    week_start,
)

NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)  # a Wednesday
STATUSES = list(TaskStatus)


@dataclass
class Sample:
    users: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    teams: list[dict[str, Any]]
    heroes: list[dict[str, Any]]
    items: list[dict[str, Any]]


def insert(store: Store, table: Any, rows: list[dict[str, Any]]) -> None:
    with store.engine.begin() as connection:
        connection.execute(sa.insert(table.__table__), rows)


@pytest.fixture
def sample(store: Store) -> Sample:
    rng = random.Random(14)
    users = [{"id": n, "username": f"user{n:02d}", "email": f"user{n:02d}@example.com"} for n in range(1, 14)]
    start = first_week(NOW)
    tasks = []
    for n in range(1, 401):
        status = rng.choice(STATUSES)
        # From 40 weeks back to just before now, and some exactly on a week's first microsecond.
        created = NOW - timedelta(seconds=rng.random() * 40 * 7 * 86_400)
        if n % 17 == 0:
            created = start + timedelta(weeks=rng.randrange(WEEKS))
        completed = None
        if status is TaskStatus.done and rng.random() < 0.7:
            completed = min(NOW, created + timedelta(days=rng.random() * 20))
        owner = rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])  # user13 owns none
        tasks.append(
            {
                "id": n,
                "title": f"Task {n}",
                "status": status,
                "created_at": created,
                "completed_at": completed,
                "owner_id": owner,
            }
        )
    teams = [{"id": n, "name": f"Team {n:02d}"} for n in range(1, 14)]
    heroes = [
        {
            "id": n,
            "name": f"Hero {n}",
            "power": "flight" if n % 3 else "strength",
            "level": rng.randint(1, 100),
            "team_id": rng.choice([None, *range(1, 14), 1, 2, 2]),
        }
        for n in range(1, 301)
    ]
    items = [
        {"id": n, "name": f"Item {n}", "price": round(rng.uniform(0, 500), 2), "in_stock": rng.random() < 0.7}
        for n in range(1, 101)
    ]
    insert(store, User, users)
    insert(store, Task, tasks)
    insert(store, Team, teams)
    insert(store, Hero, heroes)
    insert(store, Item, items)
    return Sample(users, tasks, teams, heroes, items)


def test_tasks_by_owner_are_the_top_owners_by_open_tasks_then_the_others(
    store: Store, sample: Sample
) -> None:
    names = {user["id"]: user["username"] for user in sample.users}
    counts: dict[int, Counter[TaskStatus]] = {}
    for task in sample.tasks:
        counts.setdefault(task["owner_id"], Counter())[task["status"]] += 1

    def open_tasks(owner: int) -> int:
        return counts[owner][TaskStatus.todo] + counts[owner][TaskStatus.in_progress]

    ranked = sorted(counts, key=lambda o: (-open_tasks(o), -sum(counts[o].values()), names[o], o))
    bars = tasks_by_owner(store)

    assert [bar.owner_id for bar in bars] == [*ranked[:10], None]
    for bar in bars[:10]:
        assert bar.name == names[bar.owner_id]  # type: ignore[index]
        assert dict(bar.counts) == {s: n for s, n in counts[bar.owner_id].items() if n}  # type: ignore[index]
    others = bars[-1]
    assert others.name == "2 others"
    for status in STATUSES:
        assert others.counts[status] == sum(counts[o][status] for o in ranked[10:])
    assert sum(bar.total for bar in bars) == len(sample.tasks)


def test_tasks_per_week_agree_with_python_on_every_database(store: Store, sample: Sample) -> None:
    start = first_week(NOW)
    assert start == datetime(2026, 6, 1, tzinfo=UTC) and start.weekday() == 0

    def week_of(moment: datetime) -> int | None:
        n = (week_start(moment) - start) // timedelta(weeks=1)
        return n if 0 <= n < WEEKS else None

    created = Counter(week_of(task["created_at"]) for task in sample.tasks)
    done = Counter(week_of(task["completed_at"]) for task in sample.tasks if task["completed_at"] is not None)
    before = sum(1 for t in sample.tasks if t["status"] is TaskStatus.done and t["completed_at"] is None)

    over_time = tasks_over_time(store, NOW)

    assert [week.start for week in over_time.weeks] == [start + timedelta(weeks=n) for n in range(WEEKS)]
    assert [week.created for week in over_time.weeks] == [created[n] for n in range(WEEKS)]
    assert [week.done for week in over_time.weeks] == [done[n] for n in range(WEEKS)]
    assert over_time.done_before_tracking == before > 0
    assert sum(week.created for week in over_time.weeks) > 100  # the sample does reach into the weeks


def test_a_task_at_midnight_on_monday_starts_its_week(store: Store) -> None:
    insert(store, User, [{"id": 1, "username": "ann", "email": "ann@example.com"}])
    monday = week_start(NOW)
    times = [
        monday - timedelta(microseconds=1),
        monday,
        monday + timedelta(days=7) - timedelta(microseconds=1),
    ]
    insert(
        store,
        Task,
        [{"title": f"T{n}", "status": "todo", "created_at": t, "owner_id": 1} for n, t in enumerate(times)],
    )
    weeks = tasks_over_time(store, NOW).weeks
    assert [week.created for week in weeks[-2:]] == [1, 2]


def test_heroes_by_team_are_the_biggest_teams_then_no_team(store: Store, sample: Sample) -> None:
    names = {team["id"]: team["name"] for team in sample.teams}
    members: dict[int | None, list[int]] = {}
    for hero in sample.heroes:
        members.setdefault(hero["team_id"], []).append(hero["level"])
    ranked = sorted((t for t in members if t is not None), key=lambda t: (-len(members[t]), names[t], t))

    bars = heroes_by_team(store)

    assert [bar.team_id for bar in bars] == [*ranked[:10], None]
    for bar in bars:
        levels = members[bar.team_id]
        assert bar.name == ("No team" if bar.team_id is None else names[bar.team_id])
        assert bar.heroes == len(levels)
        assert bar.average_level == pytest.approx(sum(levels) / len(levels))


def test_items_by_stock_count_and_total_price(store: Store, sample: Sample) -> None:
    stock = items_by_stock(store)
    for value, in_stock in zip(stock, (True, False), strict=True):
        mine = [item for item in sample.items if item["in_stock"] is in_stock]
        assert (value.in_stock, value.items) == (in_stock, len(mine))
        assert value.total_price == pytest.approx(sum(item["price"] for item in mine))


def test_an_empty_database_has_empty_charts(store: Store) -> None:
    assert tasks_by_owner(store) == []
    assert heroes_by_team(store) == []
    over_time = tasks_over_time(store, NOW)
    assert [(w.created, w.done) for w in over_time.weeks] == [(0, 0)] * WEEKS
    assert over_time.done_before_tracking == 0
    assert [(s.items, s.total_price) for s in items_by_stock(store)] == [(0, 0.0), (0, 0.0)]


# --- the filter counts -----------------------------------------------------------------------------


def test_filter_counts_leave_out_their_own_filter_and_keep_the_others(store: Store, sample: Sample) -> None:
    tasks = sample.tasks
    owner_two = [t for t in tasks if t["owner_id"] == 2]
    assert store.tasks.counts_by("status", owner_id=2) == Counter(t["status"] for t in owner_two)
    done = [t for t in tasks if t["status"] is TaskStatus.done]
    assert store.tasks.counts_by("owner_id", status="done") == Counter(t["owner_id"] for t in done)
    # With a search as well: titles holding "1".
    found = [t for t in tasks if "1" in t["title"] and t["owner_id"] == 1]
    assert store.tasks.counts_by("status", "1", owner_id=1) == Counter(t["status"] for t in found)
    assert store.tasks.counts_by("status", "no such title") == {}

    strong = [h for h in sample.heroes if h["power"] == "strength"]
    assert store.heroes.counts_by("team_id", "strength") == Counter(h["team_id"] for h in strong)
    assert store.heroes.counts_by("team_id", has_team=False) == {
        None: sum(h["team_id"] is None for h in sample.heroes)
    }


# --- completed_at -------------------------------------------------------------------------------------


def test_completed_at_follows_the_status_through_the_store(store: Store) -> None:
    owner = store.users.create({"username": "ann", "email": "ann@example.com"})
    before = datetime.now(UTC)
    done = store.tasks.create({"title": "Born done", "status": "done", "owner_id": owner.id})
    assert done.completed_at is not None and done.completed_at >= before
    todo = store.tasks.create({"title": "Open", "owner_id": owner.id})
    assert todo.completed_at is None

    finished = store.tasks.update(todo.id, {"status": "done"})
    assert finished.completed_at is not None and finished.completed_at >= before
    renamed = store.tasks.update(todo.id, {"title": "Open, renamed"})
    assert renamed.completed_at == finished.completed_at  # other edits leave it
    again = store.tasks.update(todo.id, {"status": "done"})
    assert again.completed_at == finished.completed_at  # still done: not done again
    reopened = store.tasks.update(todo.id, {"status": "in_progress"})
    assert reopened.completed_at is None
    assert store.tasks.get(todo.id).completed_at is None

    deletion = store.tasks.delete_many([done.id])
    store.restore(deletion)
    assert store.tasks.get(done.id).completed_at == done.completed_at  # undo keeps it
