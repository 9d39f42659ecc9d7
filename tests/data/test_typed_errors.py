"""Typed errors on every database: what a refusal is about, read from the drivers' own codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pymysql
import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from desktop.errors import (
    DuplicateError,
    FieldProblem,
    InUseError,
    InvalidDataError,
    NotFoundError,
    RelatedRowError,
    StorageError,
    StorageKind,
    TaskforceError,
    invalid_data,
)
from desktop.models import Task, TeamCreate, User
from desktop.store import Store
from desktop.store.driver_errors import classify
from desktop.store.entities import TASKS, USERS
from tests.data.datahelpers import table_contents, task, user

USER_TABLE: sa.Table = User.__table__  # type: ignore[attr-defined]
TASK_TABLE: sa.Table = Task.__table__  # type: ignore[attr-defined]


# --- duplicates ---------------------------------------------------------------


def test_a_taken_username_names_its_field_and_value(store: Store) -> None:
    user(store, "alice")
    with pytest.raises(DuplicateError) as refused:
        store.users.create({"username": "alice", "email": "other@example.com"})
    assert (refused.value.entity, refused.value.field, refused.value.value) == ("user", "username", "alice")
    bob = user(store, "bob")
    with pytest.raises(DuplicateError) as refused:
        store.users.update(bob.id, {"email": "alice@example.com"})
    assert (refused.value.field, refused.value.value) == ("email", "alice@example.com")


@pytest.mark.parametrize("field", ["username", "email"])
def test_a_duplicate_the_database_refuses_is_traced_to_its_field(store: Store, field: str) -> None:
    """Past the store's own check (another program wrote first): the driver's code and the
    constraint's name say what was duplicated."""
    user(store, "alice")
    values = {"username": "bob", "email": "bob@example.com", field: getattr(store.users.get(1), field)}
    with pytest.raises(DuplicateError) as refused, store.users.transaction(write=True) as session:
        session.execute(sa.insert(USER_TABLE).values(**values))
    assert refused.value.entity == "user"
    assert refused.value.field == field
    assert isinstance(refused.value.__cause__, sa.exc.IntegrityError)


# --- references -----------------------------------------------------------------


def test_a_missing_owner_names_the_reference(store: Store) -> None:
    with pytest.raises(RelatedRowError) as refused:
        store.tasks.create({"title": "Plan", "owner_id": 42})
    error = refused.value
    assert (error.entity, error.field, error.target, error.value) == ("task", "owner_id", "user", 42)


def test_a_missing_owner_the_database_refuses_is_traced_to_the_reference(store: Store) -> None:
    with pytest.raises(RelatedRowError) as refused, store.tasks.transaction(write=True) as session:
        session.execute(sa.insert(TASK_TABLE).values(title="Plan", owner_id=42, status="todo", version=1))
    assert (refused.value.entity, refused.value.field, refused.value.target) == ("task", "owner_id", "user")


def test_in_use_and_not_found_say_what_and_how_many(store: Store) -> None:
    alice = user(store, "alice")
    task(store, "One", alice)
    task(store, "Two", alice)
    with pytest.raises(InUseError) as in_use:
        store.users.delete(alice.id)
    assert (in_use.value.entity, in_use.value.count, in_use.value.child) == ("user", 2, "task")
    with pytest.raises(NotFoundError) as missing:
        store.tasks.get(99)
    assert (missing.value.entity, missing.value.row_id) == ("task", 99)


# --- refused values ---------------------------------------------------------------


def test_refused_values_are_an_invalid_data_error_with_one_problem_per_field(store: Store) -> None:
    before = table_contents(store)
    with pytest.raises(InvalidDataError) as refused:
        store.users.create({"username": "  ", "email": "not an address"})
    error = refused.value
    assert isinstance(error, TaskforceError)
    assert isinstance(error, ValidationError)  # what pydantic-minded callers already catch
    assert error.entity == "user"
    assert [problem.field for problem in error.problems] == ["username", "email"]
    assert error.problems[0].message == "must not be blank"
    assert error.message.startswith("The user was not saved (username: must not be blank; email: ")
    assert [item["loc"] for item in error.errors()] == [("username",), ("email",)]
    assert table_contents(store) == before


def test_an_update_refused_by_its_schema_is_an_invalid_data_error(store: Store) -> None:
    alice = user(store, "alice")
    with pytest.raises(InvalidDataError) as refused:
        store.users.update(alice.id, {"username": "x" * 51})
    assert refused.value.problems == (FieldProblem("username", "String should have at most 50 characters"),)


def test_invalid_data_converts_a_schema_error_and_keeps_its_details() -> None:
    with pytest.raises(ValidationError) as caught:
        TeamCreate.model_validate({"name": "x" * 101})
    error = invalid_data("team", caught.value)
    assert error.problems == (FieldProblem("name", "String should have at most 100 characters"),)
    assert error.errors(include_url=False)[0]["ctx"] == {"max_length": 100}
    assert error.message == "The team was not saved (name: String should have at most 100 characters)."
    assert invalid_data("team", error) is error


def test_an_invalid_data_error_made_directly_reads_like_a_schema_error() -> None:
    error = InvalidDataError(
        "Two problems.",
        entity="item",
        problems=(FieldProblem("price", "must be 0 or more"), FieldProblem("", "x")),
    )
    assert str(error) == error.message == "Two problems."
    assert [(item["loc"], item["msg"]) for item in error.errors()] == [
        (("price",), "must be 0 or more"),
        ((), "x"),
    ]


# --- the database itself ------------------------------------------------------------


@contextmanager
def connection_lost_at_next_statement(store: Store) -> Iterator[None]:
    """The next statement's connection is cut under it: closed on SQLite, killed from an admin
    connection on the servers (pg_terminate_backend, KILL CONNECTION)."""
    cut: list[bool] = []

    def cut_it(connection: sa.Connection, *_args: Any) -> None:
        if cut:
            return
        cut.append(True)
        driver = connection.connection.driver_connection
        if store.backend == "sqlite":
            assert driver is not None
            driver.close()
            return
        admin = sa.create_engine(store.engine.url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as killer:
                if store.backend == "postgresql":
                    pid = driver.info.backend_pid  # type: ignore[union-attr]
                    killer.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
                else:
                    killer.exec_driver_sql(f"KILL CONNECTION {int(driver.thread_id())}")  # type: ignore[union-attr]
        finally:
            admin.dispose()

    sa.event.listen(store.engine, "before_cursor_execute", cut_it)
    try:
        yield
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", cut_it)


def test_a_lost_connection_is_a_retryable_connection_error(store: Store) -> None:
    alice = user(store, "alice")
    with pytest.raises(StorageError) as lost, connection_lost_at_next_statement(store):
        store.users.get(alice.id)
    assert lost.value.kind is StorageKind.CONNECTION
    assert lost.value.retryable
    assert "connection to the database was lost" in lost.value.message
    assert store.users.get(alice.id) == alice  # trying again works


def test_a_lost_connection_during_a_write_loses_nothing_saved(store: Store) -> None:
    alice = user(store, "alice")
    with pytest.raises(StorageError) as lost, connection_lost_at_next_statement(store):
        store.users.update(alice.id, {"username": "alicia"})
    assert lost.value.kind is StorageKind.CONNECTION
    assert store.users.get(alice.id).username == "alice"
    assert store.users.update(alice.id, {"username": "alicia"}).username == "alicia"


def test_a_full_disk_is_a_disk_full_error_on_sqlite(sqlite_store: Store) -> None:
    """SQLite's max_page_count makes the file full where it stands: SQLITE_FULL, as on a full disk."""
    owner = user(sqlite_store, "owner")

    def cap(connection: sa.Connection, *_args: Any) -> None:
        driver = connection.connection.driver_connection
        assert driver is not None
        pages = driver.execute("PRAGMA page_count").fetchone()[0]
        driver.execute(f"PRAGMA max_page_count = {int(pages)}")

    sa.event.listen(sqlite_store.engine, "begin", cap)
    try:
        with pytest.raises(StorageError) as full:
            sqlite_store.tasks.create({"title": "Big", "owner_id": owner.id, "description": "x" * 20_000})
    finally:
        sa.event.remove(sqlite_store.engine, "begin", cap)
    assert full.value.kind is StorageKind.DISK_FULL
    assert not full.value.retryable
    assert full.value.message.startswith("The disk is full")
    assert sqlite_store.tasks.count() == 0


# Errors the servers raise where no test can make them happen (a full disk, a read-only server),
# made as their drivers make them, with the codes the servers send.
SERVER_ERRORS = [
    (psycopg.errors.DiskFull("could not extend file"), StorageKind.DISK_FULL, False),
    (psycopg.errors.ReadOnlySqlTransaction("read-only transaction"), StorageKind.READ_ONLY, False),
    (psycopg.errors.DeadlockDetected("deadlock detected"), StorageKind.BUSY, True),
    (psycopg.errors.LockNotAvailable("could not obtain lock"), StorageKind.BUSY, True),
    (psycopg.errors.NumericValueOutOfRange("integer out of range"), StorageKind.OUT_OF_RANGE, False),
    (psycopg.errors.AdminShutdown("terminating connection"), StorageKind.CONNECTION, True),
    (psycopg.errors.ConnectionFailure("connection failure"), StorageKind.CONNECTION, True),
    (pymysql.err.OperationalError(1114, "The table 'task' is full"), StorageKind.DISK_FULL, False),
    (
        pymysql.err.OperationalError(1021, "Disk full; waiting for someone to free space"),
        StorageKind.DISK_FULL,
        False,
    ),
    (pymysql.err.OperationalError(1205, "Lock wait timeout exceeded"), StorageKind.BUSY, True),
    (pymysql.err.OperationalError(2006, "MySQL server has gone away"), StorageKind.CONNECTION, True),
    (
        pymysql.err.OperationalError(2013, "Lost connection to server during query"),
        StorageKind.CONNECTION,
        True,
    ),
    (
        pymysql.err.OperationalError(1290, "The server is running with --read-only"),
        StorageKind.READ_ONLY,
        False,
    ),
    (pymysql.err.DataError(1264, "Out of range value for column 'id'"), StorageKind.OUT_OF_RANGE, False),
]


@pytest.mark.parametrize(("driver_error", "kind", "retryable"), SERVER_ERRORS, ids=lambda v: type(v).__name__)
def test_server_error_codes_give_their_kind(
    driver_error: Exception, kind: StorageKind, retryable: bool
) -> None:
    wrapped = sa.exc.OperationalError("SELECT 1", {}, driver_error)
    error = classify(wrapped, TASKS)
    assert isinstance(error, StorageError)
    assert (error.kind, error.retryable) == (kind, retryable)


def test_the_words_of_a_message_do_not_decide_its_kind() -> None:
    """A refusal whose text speaks of a full disk and a lost connection, under a code that means neither."""
    misleading = pymysql.err.OperationalError(1054, "Unknown column 'disk full, connection lost' in 'where'")
    error = classify(sa.exc.OperationalError("SELECT 1", {}, misleading), USERS)
    assert isinstance(error, StorageError)
    assert error.kind is StorageKind.OTHER
    assert not error.retryable


def test_a_server_duplicate_names_the_field_by_the_constraint() -> None:
    duplicate = pymysql.err.IntegrityError(1062, "Duplicate entry 'a@b.org' for key 'uq_user_email'")
    error = classify(sa.exc.IntegrityError("INSERT", {}, duplicate), USERS)
    assert isinstance(error, DuplicateError)
    assert error.field == "email"
