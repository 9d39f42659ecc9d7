"""Repository.estimated_count: about how many rows a table holds, from what the database keeps."""

from __future__ import annotations

import sqlalchemy as sa
from datahelpers import task, user

from desktop.store import Store


def analyze(store: Store, table: str) -> None:
    """What the servers do by themselves after enough changes (autovacuum, InnoDB's statistics)."""
    if store.backend == "sqlite":
        return
    quoted = store.engine.dialect.identifier_preparer.quote(table)
    with store.engine.connect() as connection:
        connection.exec_driver_sql(
            f"ANALYZE {quoted}" if store.backend == "postgresql" else f"ANALYZE TABLE {quoted}"
        )
        connection.commit()


def test_the_estimate_is_about_the_count_on_every_database(store: Store) -> None:
    owner = user(store, "owner")
    for n in range(40):
        task(store, f"Task {n}", owner)
    analyze(store, "task")
    estimate = store.tasks.estimated_count()
    assert estimate is not None
    assert abs(estimate - 40) <= 4, estimate
    analyze(store, "user")
    assert store.users.estimated_count() == 1


def test_on_sqlite_the_estimate_is_the_span_of_the_ids(sqlite_store: Store) -> None:
    store = sqlite_store
    assert store.tasks.estimated_count() == 0
    owner = user(store, "owner")
    made = [task(store, f"Task {n}", owner).id for n in range(10)]
    assert store.tasks.estimated_count() == 10
    store.tasks.delete_many(made[2:5])
    assert store.tasks.estimated_count() == 10  # deleted rows inside the span are still counted
    store.tasks.delete_many(made[-2:])
    assert store.tasks.estimated_count() == 8
    assert store.tasks.count() == 5


def test_the_estimate_runs_no_count(store: Store) -> None:
    """It costs what a lookup costs: no statement counts or reads the table's rows."""
    seen: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    store.tasks.estimated_count()
    assert seen and not any("count(" in sql.lower() for sql in seen)
