"""No N+1: a page of rows, with the names of the rows they reference, is one SELECT on every database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from desktop.db import sqlite_path
from desktop.models import TaskStatus
from desktop.store import Store
from tests.data.datahelpers import hero, task, team, user

ROWS = 240  # more than one page of 200


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    """Every SQL statement the store sends while the block runs."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", record)


def selects(sent: list[str]) -> list[str]:
    return [statement for statement in sent if statement.lstrip().upper().startswith("SELECT")]


@pytest.fixture
def filled(store: Store) -> Store:
    owners = [user(store, f"owner{n}") for n in range(7)]
    teams = [team(store, f"Team {n}") for n in range(5)]
    statuses = list(TaskStatus)
    for n in range(ROWS):
        task(store, f"Task {n:03d}", owners[n % len(owners)], statuses[n % len(statuses)])
        hero(store, f"Hero {n:03d}", teams[n % len(teams)] if n % 4 else None)
    return store


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"order_by": "created_at", "descending": True},
        {"order_by": "owner"},
        {"status": TaskStatus.done, "search": "task"},
    ],
    ids=["id", "newest", "owner-name", "filtered"],
)
def test_a_page_of_tasks_with_owner_names_is_one_select(filled: Store, query: dict[str, Any]) -> None:
    with statements(filled) as sent:
        records = filled.tasks.page(0, 200, **query)
    # A search's first window on SQLite counts the search index's candidates first (up to a bound)
    # to choose between walking the sort order and filtering first. "task" is text no index serves
    # on PostgreSQL (the long s and the Kelvin sign fold to "s" and "k"): it walks the first rows of the
    # sort order, which hold too few of the 80 matches, then filters first. MariaDB's walk reads
    # them all within its bound.
    searched = "search" in query and filled.backend in ("sqlite", "postgresql")
    assert len(selects(sent)) == (2 if searched else 1), sent
    assert records and all(record.refs["owner"] for record in records)


def test_a_page_of_heroes_with_team_names_is_one_select(filled: Store) -> None:
    with statements(filled) as sent:
        records = filled.heroes.page(0, 200)
    assert len(selects(sent)) == 1, sent
    assert len(records) == 200
    assert {record.refs["team"] for record in records} == {None, *(f"Team {n}" for n in range(5))}


def test_the_last_page_read_backwards_is_one_select(filled: Store) -> None:
    total = filled.tasks.count()
    with statements(filled) as sent:
        records = filled.tasks.page(total - 30, 200, total=total)
    assert len(selects(sent)) == 1, sent
    assert [record.read.title for record in records] == [f"Task {n:03d}" for n in range(ROWS - 30, ROWS)]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"order_by": "status"},
        {"order_by": "status", "descending": True},
        {"order_by": "owner", "descending": True},
        {"order_by": "title", "status": TaskStatus.todo},
    ],
    ids=["id", "status", "status-desc", "owner-name-desc", "title-filtered"],
)
def test_windows_anywhere_match_the_whole_ordering(filled: Store, query: dict[str, Any]) -> None:
    """Windows read forwards and backwards, at any offset, line up with one read of everything."""
    where = {key: value for key, value in query.items() if key not in ("order_by", "descending")}
    total = filled.tasks.count(**where)
    everything = [record.read.id for record in filled.tasks.page(0, 2_000, **query)]
    assert len(everything) == total
    windows = [
        record.read.id
        for offset in range(0, total, 37)
        for record in filled.tasks.page(offset, 37, total=total, **query)
    ]
    assert windows == everything


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("order_by", ["id", "status", "description", "owner", "created_at"])
def test_position_of_every_row_matches_the_page_order(filled: Store, order_by: str, descending: bool) -> None:
    """Ties (status), empty values (description) and names of other rows (owner) included."""
    for n, record in enumerate(filled.tasks.page(0, 60, order_by="id")):
        if n % 3 == 0:
            filled.tasks.update(record.read.id, {"description": None if n % 2 else f"note {n % 4}"})
    query: dict[str, Any] = {"order_by": order_by, "descending": descending, "status": TaskStatus.todo}
    ids = [record.read.id for record in filled.tasks.page(0, 2_000, **query)]
    assert [filled.tasks.position(row_id, **query) for row_id in ids] == list(range(len(ids)))
    done = filled.tasks.page(0, 1, status=TaskStatus.done)[0].read.id
    assert filled.tasks.position(done, **query) is None


def test_a_database_at_the_head_opens_without_checking_every_reference(sqlite_url: str) -> None:
    """The foreign-key check of the whole file judges a migration; with none to run it is skipped."""
    Store.open(sqlite_url).close()
    path = sqlite_path(sqlite_url)
    assert path is not None
    with closing(sqlite3.connect(path)) as raw:  # a plain connection: foreign keys not enforced
        raw.execute(
            "INSERT INTO task (title, status, created_at, owner_id, version) "
            "VALUES ('orphan', 'todo', '2026-01-01 00:00:00.000000', 999, 1)"
        )
        raw.commit()
    with Store.open(sqlite_url) as store:
        assert store.tasks.count() == 1
