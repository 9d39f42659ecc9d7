"""Stopping a running statement on every database: a typed error, and the connection still usable."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.errors import CancelledError, StorageKind, TaskforceError
from desktop.store import Store
from desktop.store.cancel import Cancel
from desktop.store.driver_errors import classify
from desktop.store.entities import TASKS
from tests.data.datahelpers import task, user

# Statements that run for ten seconds or more, unless stopped.
SLOW = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000000000) "
    "SELECT count(*) FROM n",
    "postgresql": "SELECT pg_sleep(10)",
    "mysql": "SELECT 1 FROM (SELECT SLEEP(10) AS slept) AS s",
}
# Statements that take a moment, and what they return.
BRIEF = {
    "sqlite": (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) "
        "SELECT count(*) FROM n",
        300000,
    ),
    "postgresql": ("SELECT count(*) FROM (SELECT pg_sleep(0.3)) AS s", 1),
    "mysql": ("SELECT count(*) FROM (SELECT SLEEP(0.3) AS slept) AS s", 1),
}
STOPPED_WITHIN_S = 5.0  # the slow statements run ten seconds


def backend(store: Store) -> str:
    return "mysql" if store.backend == "mariadb" else store.backend


def run(session: Session, cancel: Cancel, sql: str) -> object:
    """The statement, registered on the handle as Repository.count registers its own, errors classified."""
    try:
        with cancel.running(session):
            return session.execute(sa.text(sql)).scalar_one()
    except sa.exc.DBAPIError as error:
        session.rollback()
        return classify(error, TASKS)


def test_a_running_statement_is_stopped_with_a_typed_error_and_its_connection_serves_on(store: Store) -> None:
    cancel = Cancel()
    outcome: list[object] = []
    with store.engine.connect() as connection, Session(connection) as session:
        worker = threading.Thread(target=lambda: outcome.append(run(session, cancel, SLOW[backend(store)])))
        worker.start()
        deadline = time.monotonic() + 10
        while not cancel.busy and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # the statement reaches the database
        asked = time.monotonic()
        cancel.cancel()
        worker.join(STOPPED_WITHIN_S)
        assert not worker.is_alive() and time.monotonic() - asked < STOPPED_WITHIN_S
        (error,) = outcome
        assert isinstance(error, CancelledError) and error.kind is StorageKind.CANCELLED
        assert "stopped" in error.message and "Traceback" not in error.message
        sql, expected = BRIEF[backend(store)]
        assert session.execute(sa.text(sql)).scalar_one() == expected  # the same connection, usable


def test_a_cancel_after_the_statement_finished_stops_nothing_on_its_connection(store: Store) -> None:
    cancel = Cancel()
    sql, expected = BRIEF[backend(store)]
    with store.engine.connect() as connection, Session(connection) as session:
        assert run(session, cancel, "SELECT 1") == 1
        cancel.cancel()
        for _ in range(3):  # run again and again on the connection the handle knew
            assert run(session, Cancel(), sql) == expected
        with pytest.raises(CancelledError):  # a cancelled handle refuses a new statement
            run(session, cancel, sql)
        assert session.execute(sa.text("SELECT 2")).scalar_one() == 2


def test_a_count_takes_a_handle_and_a_cancelled_handle_stops_it(store: Store) -> None:
    task(store, "Write", user(store, "ann"))
    cancel = Cancel()
    assert store.tasks.count(cancel=cancel) == 1
    assert store.tasks.count("Write", cancel=cancel) == 1
    cancel.cancel()
    with pytest.raises(CancelledError) as raised:
        store.tasks.count(cancel=cancel)
    assert isinstance(raised.value, TaskforceError)
    assert store.tasks.count() == 1 and not cancel.busy
