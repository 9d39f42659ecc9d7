"""The ways page() finds a search's window give the rows of the plain query, sorted and paged alike.

A search's first windows walk a bounded head of the sort order, and fall back to filtering first
(then sorting the matches) when the head does not hold them; later windows filter first. Each is
checked against the plain query (stream(): one SELECT ... WHERE ... ORDER BY) on every database,
with a head small enough that both happen among a few dozen rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from datahelpers import task, user

from desktop.store import ENTITIES, Store, repository

WALKED = 40  # rows of the sort order a first window's walk reads, in these tests
LIMIT = 3  # rows per window: windows up to WALKED // 4 rows are first windows
ORDERS = [
    ("created_at", True),
    ("created_at", False),
    ("title", False),
    ("owner", True),
    ("completed_at", True),
]


@pytest.fixture
def statements(store: Store) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(store.engine, "before_cursor_execute", record)


@pytest.fixture
def tasks(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """60 tasks: "ab" in every other one, "xy" in three of the oldest, "zq" in none; creation
    times out of id order, with ties, and completion times for some."""
    monkeypatch.setattr(repository, "WALKED_ROWS", WALKED)
    owners = [user(store, name) for name in ("carol", "alice", "bob")]
    made = []
    for n in range(60):
        title = f"Task {n:02d}" + (" ab" if n % 2 == 0 else "") + (" xy" if n in (3, 41, 52) else "")
        description = None if n % 5 == 0 else f"Note {n % 7}"
        made.append(task(store, title, owners[n % 3], description=description).id)
    table = ENTITIES["task"].sa_table
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with store.tasks.transaction(write=True) as session:
        for n, row_id in enumerate(made):
            # "xy" rows are among the oldest: a walk from the newest does not reach them.
            minutes = 1 if n in (3, 41, 52) else 100 + (n * 7) % 25
            completed = start + timedelta(hours=n % 4) if n % 3 == 0 else None
            values = {"created_at": start + timedelta(minutes=minutes), "completed_at": completed}
            session.execute(sa.update(table).where(table.c.id == row_id).values(**values))
    return store


def plain_ids(store: Store, search: str, order_by: str, descending: bool) -> list[int]:
    batches = store.tasks.stream(search=search, order_by=order_by, descending=descending)
    return [store.tasks.row_id(record.read) for batch in batches for record in batch]


def paged_ids(store: Store, search: str, order_by: str, descending: bool, *, total: int | None) -> list[int]:
    found: list[int] = []
    offset = 0
    while True:
        window = store.tasks.page(offset, LIMIT, search, order_by, descending, total=total)
        found += [store.tasks.row_id(record.read) for record in window]
        if len(window) < LIMIT:
            return found
        offset += LIMIT


@pytest.mark.parametrize(("order_by", "descending"), ORDERS)
@pytest.mark.parametrize("search", ["ab", "xy", "zq", "Task 4", "note 3"])
def test_every_window_of_a_search_holds_the_rows_of_the_plain_query(
    tasks: Store, search: str, order_by: str, descending: bool
) -> None:
    expected = plain_ids(tasks, search, order_by, descending)
    assert len(expected) == tasks.tasks.count(search)
    # Read forwards (no total), and as the table reads them (the second half backwards).
    assert paged_ids(tasks, search, order_by, descending, total=None) == expected
    assert paged_ids(tasks, search, order_by, descending, total=len(expected)) == expected


def test_common_text_is_found_by_a_bounded_walk_and_rare_text_by_filtering_first(
    tasks: Store, statements: list[str]
) -> None:
    """Without an index ("ab", "xy": two characters), on each database."""
    backend = tasks.backend
    walked = {"sqlite": "head", "postgresql": "head", "mysql": "ROWS EXAMINED"}[backend]
    # On SQLite filtering first is "id IN (the matching ids)"; on the servers a fenced derived table.
    filtered = "task.id IN (SELECT" if backend == "sqlite" else "AS found"

    statements.clear()
    common = tasks.tasks.page(0, LIMIT, "ab", "created_at", True)
    assert len(common) == LIMIT
    assert any(walked in sql for sql in statements) and not any(filtered in sql for sql in statements)

    statements.clear()
    rare = tasks.tasks.page(0, LIMIT, "xy", "created_at", True)
    assert [record.read.title for record in rare] == ["Task 52 ab xy", "Task 41 xy", "Task 03 xy"]
    assert any(walked in sql for sql in statements) and any(filtered in sql for sql in statements)


def test_on_postgresql_the_planners_estimate_of_the_index_candidates_chooses_the_walk(
    tasks: Store, statements: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Text a trigram index serves ("note") is walked for when the planner expects many candidates,
    else read through the index as planned; the rows are the same."""
    expected = plain_ids(tasks, "note", "created_at", True)[:LIMIT]
    if tasks.backend != "postgresql":  # no planner is asked: SQLite counts its candidates
        monkeypatch.setattr(repository.Repository, "_planned_candidates", None)
        window = tasks.tasks.page(0, LIMIT, "note", "created_at", True)
        assert [tasks.tasks.row_id(record.read) for record in window] == expected
        return
    assert tasks.tasks.search_served("note") is True
    for planned, walked in ((10.0 * WALKED, True), (1.0, False)):
        monkeypatch.setattr(repository.Repository, "_planned_candidates", lambda *_args, n=planned: n)
        statements.clear()
        window = tasks.tasks.page(0, LIMIT, "note", "created_at", True)
        assert [tasks.tasks.row_id(record.read) for record in window] == expected
        assert any("AS head" in sql for sql in statements) is walked
    monkeypatch.undo()
    monkeypatch.setattr(repository, "WALKED_ROWS", WALKED)
    with tasks.tasks.transaction() as session:
        assert tasks.tasks._planned_candidates(session, "note", {}) > 0
