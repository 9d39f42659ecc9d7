"""Disk full, I/O errors, read-only files and locks: a clear message, nothing partial, and recovery."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from safetyhelpers import (
    file_digest,
    files_as_they_are,
    fill_disk,
    filled_database,
    integrity,
    run_without_write_permission,
    small_disk,
    table_digests,
)

from desktop import db
from desktop.errors import DatabaseOpenError, StorageError
from desktop.store import Change, Store

BIG = "x" * 20_000  # needs several new pages


def page_count(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        return int(connection.execute("PRAGMA page_count").fetchone()[0])


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return filled_database(tmp_path / "taskforce.db")


def limit_pages(store: Store, pages: int | None) -> Any:
    """Simulate a full disk: no connection may grow the file beyond `pages`."""

    def limit(dbapi_connection: Any, _record: Any) -> None:
        if pages is not None:
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    sa.event.listen(store.engine, "connect", limit)
    store.engine.dispose()
    return limit


# --- disk full -------------------------------------------------------------------------------------


def test_disk_full_rolls_back_says_so_and_leaves_the_file_byte_identical(database: Path) -> None:
    before_file, before_tables = file_digest(database), table_digests(database)
    store = Store.open(db.sqlite_url(database))
    limit_pages(store, page_count(database))
    changes: list[Change] = []
    store.subscribe(changes.append)

    with pytest.raises(StorageError, match="The disk is full: the change was not saved"):
        store.items.create({"name": "Big", "price": 1, "description": BIG})
    with pytest.raises(StorageError, match="disk is full"):
        store.tasks.update(1, {"description": BIG})
    assert store.tasks.get(1).description == "d" * 100  # what a view re-reads: the previous state
    assert table_digests(database) == before_tables
    assert integrity(database) == ["ok"]
    assert changes == []
    store.close()

    assert file_digest(database) == before_file


def test_after_a_full_disk_the_app_keeps_working_once_there_is_space(database: Path) -> None:
    store = Store.open(db.sqlite_url(database))
    limit = limit_pages(store, page_count(database))
    with pytest.raises(StorageError, match="disk is full"):
        store.items.create({"name": "Big", "price": 1, "description": BIG})

    sa.event.remove(store.engine, "connect", limit)
    store.engine.dispose()  # space again
    created = store.items.create({"name": "Big", "price": 1, "description": BIG})
    assert store.items.get(created.id).description == BIG
    store.close()
    assert integrity(database) == ["ok"]


# --- I/O errors ------------------------------------------------------------------------------------


def test_an_io_error_in_the_middle_of_a_delete_leaves_nothing_half_done(database: Path) -> None:
    before = table_digests(database)
    store = Store.open(db.sqlite_url(database))

    def fail_the_delete(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE FROM TEAM"):
            # As sqlite3 raises it: the store reads the extended result code, not the words.
            error = sqlite3.OperationalError("disk I/O error")
            error.sqlite_errorcode, error.sqlite_errorname = 10, "SQLITE_IOERR"
            raise error

    sa.event.listen(store.engine, "before_cursor_execute", fail_the_delete)
    # Deleting the team first clears its heroes' team, then deletes it: the second step fails.
    with pytest.raises(StorageError, match="input/output error"):
        store.teams.delete(1)
    sa.event.remove(store.engine, "before_cursor_execute", fail_the_delete)

    assert table_digests(database) == before
    assert store.heroes.get(1).team_id == 1
    store.teams.delete(1)  # and it works once the disk does
    assert store.heroes.get(1).team_id is None
    store.close()


# --- read-only -------------------------------------------------------------------------------------


def test_an_unwritable_file_opens_read_only_and_refuses_every_write(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = file_digest(database)
    backups_before = sorted((database.parent / "backups").iterdir())
    monkeypatch.setattr(db, "can_write", lambda _path: False)

    with Store.open(db.sqlite_url(database)) as store:
        assert store.read_only
        assert store.tasks.count() == 3
        assert store.tasks.list(search="Task 1")[0].title == "Task 1"
        for write in (
            lambda: store.items.create({"name": "New", "price": 1}),
            lambda: store.tasks.update(1, {"title": "Changed"}),
            lambda: store.tasks.delete_many([1]),
        ):
            with pytest.raises(StorageError, match="read-only: changes cannot be saved"):
                write()

    assert file_digest(database) == before
    assert sorted((database.parent / "backups").iterdir()) == backups_before


def test_a_read_only_file_that_needs_an_upgrade_is_refused_with_a_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    db.prepare_sqlite_file(path)
    engine = db.create_engine(db.sqlite_url(path))
    db.upgrade(engine, "0001")
    engine.dispose()
    monkeypatch.setattr(db, "can_write", lambda _path: False)
    before = file_digest(path)

    with pytest.raises(DatabaseOpenError, match="read-only and was made by an older Taskforce"):
        Store.open(db.sqlite_url(path))
    assert file_digest(path) == before


READ_ONLY_PROBE = """
import json, sys
from desktop import db
from desktop.errors import TaskforceError
from desktop.store import Store
store = Store.open(db.sqlite_url(__import__("pathlib").Path(sys.argv[1])))
result = {"read_only": store.read_only, "tasks": store.tasks.count()}
try:
    store.items.create({"name": "New", "price": 1})
    result["write"] = "saved"
except TaskforceError as error:
    result["write"] = error.message
store.close()
print(json.dumps(result))
"""


@pytest.fixture
def read_only_folder(database: Path) -> Iterator[Path]:
    shutil.rmtree(database.parent / "backups")
    database.chmod(0o444)
    database.parent.chmod(0o555)
    try:
        yield database
    finally:
        database.parent.chmod(0o700)
        database.chmod(0o600)


def test_a_file_in_a_read_only_folder_really_opens_read_only(read_only_folder: Path) -> None:
    before = file_digest(read_only_folder)
    result = json.loads(run_without_write_permission(READ_ONLY_PROBE, str(read_only_folder)).stdout)
    assert result == {
        "read_only": True,
        "tasks": 3,
        "write": "The database is read-only: changes cannot be saved.",
    }
    assert file_digest(read_only_folder) == before
    assert sorted(p.name for p in read_only_folder.parent.iterdir()) == ["taskforce.db"]


# --- locks -----------------------------------------------------------------------------------------


def test_a_database_locked_elsewhere_gives_a_message_after_the_busy_timeout(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    before = table_digests(database)
    store = Store.open(db.sqlite_url(database))
    with closing(sqlite3.connect(database, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # another program is writing

        with pytest.raises(StorageError, match="busy in another program: the change was not saved"):
            store.tasks.update(1, {"title": "Mine"})
        assert store.tasks.get(1).title == "Task 0"  # reading still works
        other.execute("ROLLBACK")

    assert table_digests(database) == before
    assert store.tasks.update(1, {"title": "Mine"}).title == "Mine"  # the same edit, once free
    store.close()


def test_a_write_waits_for_another_writer_instead_of_failing(database: Path) -> None:
    """Writes take the lock before they read, so another program's commit cannot invalidate them."""
    store = Store.open(db.sqlite_url(database))
    other = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE task SET title = 'Theirs', version = version + 1 WHERE id = 2")
    releaser = threading.Timer(0.2, lambda: other.execute("COMMIT"))
    releaser.start()
    try:
        assert store.tasks.update(1, {"title": "Mine"}).title == "Mine"
        assert [task.title for task in store.tasks.list()] == ["Mine", "Theirs", "Task 2"]
    finally:
        releaser.join()
        other.close()
        store.close()


# --- a disk with no byte left ---------------------------------------------------------------------


def test_a_healthy_database_on_a_full_disk_says_the_disk_is_full(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        database = filled_database(disk / "taskforce.db")
        fill_disk(disk)
        before = files_as_they_are(disk)

        with pytest.raises(StorageError, match=r"The disk that holds taskforce\.db is full") as refused:
            Store.open(db.sqlite_url(database))

        assert not isinstance(refused.value, DatabaseOpenError)  # not a damaged file: no restore offered
        assert files_as_they_are(disk) == before
        (disk / "filler").unlink()
        with Store.open(db.sqlite_url(database)) as store:  # and it opens once there is space
            assert store.tasks.count() == 3


def test_a_read_only_session_does_not_break_the_writable_ones_after_it(database: Path) -> None:
    shutil.rmtree(database.parent / "backups")
    database.chmod(0o444)
    first = json.loads(run_without_write_permission(READ_ONLY_PROBE, str(database)).stdout)
    assert first["read_only"] is True
    database.chmod(0o600)  # may be written again

    second = json.loads(run_without_write_permission(READ_ONLY_PROBE, str(database)).stdout)
    third = json.loads(run_without_write_permission(READ_ONLY_PROBE, str(database)).stdout)

    assert second == {"read_only": False, "tasks": 3, "write": "saved"}
    assert third == {"read_only": False, "tasks": 3, "write": "saved"}
    assert integrity(database) == ["ok"]


def test_a_store_that_cannot_write_beside_the_file_says_it_is_read_only(database: Path) -> None:
    with closing(sqlite3.connect(database)) as connection:  # leaves a -shm, as a crash would
        connection.execute("SELECT count(*) FROM task").fetchone()
        shm = database.with_name(database.name + "-shm")
        assert shm.exists()
        shm.chmod(0o444)
        os.chown(shm, 4242, 4242)  # another person's: this one cannot change it

        result = json.loads(run_without_write_permission(READ_ONLY_PROBE, str(database)).stdout)

    assert result == {
        "read_only": True,
        "tasks": 3,
        "write": "The database is read-only: changes cannot be saved.",
    }
