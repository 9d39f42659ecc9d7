"""The SQLite file: where it lives, its permissions and settings, files Taskforce refuses, and backups."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from datahelpers import table_contents, task, user

from desktop import db, opening
from desktop.backup import create_backup
from desktop.store import DatabaseOpenError, Store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sqlite_rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


def filled_database(path: Path, tasks: int = 1) -> None:
    """A Taskforce database with a user and some tasks, closed (its WAL checkpointed away)."""
    with Store.open(db.sqlite_url(path)) as store:
        owner = user(store, "alice")
        for number in range(tasks):
            task(store, f"Task {number} " + "x" * 150, owner, description="d" * 500)


# --- where and how --------------------------------------------------------------


def data_dir_from_the_environment() -> Path:
    return Path(os.environ["TASKFORCE_DATA_DIR"])


def test_default_database_is_in_the_data_dir() -> None:
    data_dir = data_dir_from_the_environment()
    assert not data_dir.exists()

    with Store.open() as store:
        user(store, "alice")
        assert store.path == data_dir / db.DATABASE_FILENAME
        assert store.location == str(data_dir / "taskforce.db")

    assert db.data_dir() == data_dir
    assert db.default_database_url() == db.sqlite_url(data_dir / "taskforce.db")
    assert sqlite_rows(data_dir / "taskforce.db", "SELECT username FROM user") == [("alice",)]


def test_data_dir_is_private_and_so_are_the_database_files() -> None:
    with Store.open() as store:
        assert store.path is not None
        assert store.path.parent == data_dir_from_the_environment()
        assert store.path is not None
        with store.engine.connect() as connection:  # a reader keeps the WAL files in place
            user(store, "alice")
            siblings = [store.path.with_name(store.path.name + suffix) for suffix in ("-wal", "-shm")]
            assert all(path.exists() for path in siblings)
            assert [mode(path) for path in siblings] == [0o600, 0o600]
            connection.exec_driver_sql("SELECT 1")
        assert mode(store.path.parent) == 0o700
        assert mode(store.path) == 0o600


def test_the_database_url_can_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = db.sqlite_url(tmp_path / "elsewhere.db")
    monkeypatch.setenv("TASKFORCE_DATABASE_URL", url)
    with Store.open() as store:
        assert store.path == tmp_path / "elsewhere.db"


def test_sqlite_settings_on_every_connection(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as first, sqlite_store.engine.connect() as second:
        for connection in (first, second):
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
            assert pragma("PRAGMA busy_timeout").scalar() == db.BUSY_TIMEOUT_MS > 0


def test_foreign_keys_are_enforced_by_sqlite_itself(sqlite_store: Store) -> None:
    with pytest.raises(sa.exc.IntegrityError), sqlite_store.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO task (title, status, created_at, owner_id) VALUES ('x', 'todo', '2026-01-01', 42)"
        )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql+psycopg://me:secret@db.example.org/taskforce",
            "postgresql+psycopg://me:***@db.example.org/taskforce",
        ),
        (
            "mysql+pymysql://me:s%40cret@db:3306/tf?charset=utf8mb4",
            "mysql+pymysql://me:***@db:3306/tf?charset=utf8mb4",
        ),
        ("postgresql://me@db/tf", "postgresql://me@db/tf"),
        (
            "postgresql+psycopg://me@db/tf?password=secret&sslmode=require",
            "postgresql+psycopg://me@db/tf?password=***&sslmode=require",
        ),
        ("mysql+pymysql://me@db/tf?passwd=secret", "mysql+pymysql://me@db/tf?passwd=***"),
        ("sqlite:////home/me/taskforce.db", "sqlite:////home/me/taskforce.db"),
        ("not a url, secret", "<invalid database URL>"),
    ],
)
def test_mask_url_hides_passwords(url: str, shown: str) -> None:
    assert db.mask_url(url) == shown
    assert "secret" not in db.mask_url(url) and "cret" not in db.mask_url(url)


def test_an_unreachable_server_is_refused_without_showing_its_password() -> None:
    url = "postgresql+psycopg://me:hunter2@127.0.0.1:1/taskforce?connect_timeout=2"
    with pytest.raises(DatabaseOpenError) as caught:
        Store.open(url)
    assert "hunter2" not in caught.value.message
    assert "me:***@127.0.0.1:1" in caught.value.message


def test_a_bad_url_is_refused() -> None:
    with pytest.raises(DatabaseOpenError, match="Not a database URL"):
        Store.open("definitely not a URL")


# --- files Taskforce refuses -----------------------------------------------------


def text_file(path: Path) -> None:
    path.write_text("Dear diary,\nthis is not a database.\n")


def short_file(path: Path) -> None:
    path.write_bytes(b"SQLite")


def truncated_database(path: Path) -> None:
    filled_database(path, tasks=40)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100])


def corrupt_database(path: Path) -> None:
    filled_database(path, tasks=40)
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    for page in range(2, len(data) // page_size, 2):
        start = page * page_size
        data[start : start + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))


def other_programs_database(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        connection.execute("INSERT INTO notes (body) VALUES ('keep me')")
    connection.close()


def other_programs_database_with_our_table_names(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE user (id INTEGER PRIMARY KEY, login TEXT)")
        connection.execute("INSERT INTO user (login) VALUES ('root')")
    connection.close()


def newer_database(path: Path) -> None:
    filled_database(path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    connection.close()


REFUSED: list[tuple[Callable[[Path], None], str]] = [
    (text_file, "not an SQLite file"),
    (short_file, "not an SQLite file"),
    (truncated_database, "damaged|cannot be read"),
    (corrupt_database, "damaged|cannot be read"),
    (other_programs_database, "another program"),
    (other_programs_database_with_our_table_names, "another program"),
    (newer_database, "newer version of Taskforce"),
]


@pytest.mark.parametrize(("make", "complaint"), REFUSED, ids=[make.__name__ for make, _ in REFUSED])
def test_a_file_that_is_not_ours_is_refused_and_left_as_it_was(
    tmp_path: Path, make: Callable[[Path], None], complaint: str
) -> None:
    path = tmp_path / "precious.db"
    make(path)
    before = digest(path)
    others_before = sorted(p.name for p in tmp_path.iterdir())

    with pytest.raises(DatabaseOpenError, match=complaint) as caught:
        Store.open(db.sqlite_url(path))

    assert "precious.db" in caught.value.message
    assert "Traceback" not in caught.value.message
    assert digest(path) == before
    # Reading the file leaves nothing beside it, not even an empty -wal or -shm.
    assert sorted({p.name for p in tmp_path.iterdir()} - set(others_before)) == []
    assert not list(tmp_path.glob("*.bak"))


def test_a_directory_or_an_unusable_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseOpenError, match="is a folder, not a database file"):
        Store.open(db.sqlite_url(tmp_path))
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(DatabaseOpenError, match="Not a directory"):
        Store.open(db.sqlite_url(tmp_path / "a-file" / "data" / "taskforce.db"))


def test_an_empty_file_becomes_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with Store.open(db.sqlite_url(path)) as store:
        assert store.items.count() == 0
    assert sqlite_rows(path, "SELECT version_num FROM alembic_version") == [(db.head_revision(),)]


def test_reopening_keeps_the_data_and_makes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "taskforce.db"
    filled_database(path, tasks=3)
    with Store.open(db.sqlite_url(path)) as store:
        assert store.tasks.count() == 3
        assert store.users.names() == [(1, "alice")]
    assert not list(tmp_path.glob("*.bak"))


# --- backups -----------------------------------------------------------------------


def test_backup_is_a_consistent_private_copy(sqlite_store: Store, tmp_path: Path) -> None:
    owner = user(sqlite_store, "alice")
    task(sqlite_store, "Committed", owner)
    assert sqlite_store.path is not None
    committed = table_contents(sqlite_store)

    # A write in progress elsewhere is not in the copy; the copy is a committed state.
    with sqlite_store.engine.begin() as writer:
        writer.exec_driver_sql(
            "INSERT INTO task (title, status, created_at, owner_id) "
            "VALUES ('Uncommitted', 'todo', '2026-01-01 00:00:00.000000', 1)"
        )
        copy = create_backup(sqlite_store.path).path

    assert mode(copy) == 0o600
    with Store.open(db.sqlite_url(copy)) as restored:
        assert table_contents(restored) == committed
    assert sqlite_rows(copy, "PRAGMA integrity_check") == [("ok",)]


def test_pre_migration_backup_names_the_revision(sqlite_store: Store) -> None:
    user(sqlite_store, "alice")
    assert sqlite_store.path is not None

    backup = opening.pre_migration_backup(sqlite_store.path, "0001")

    assert backup.parent == sqlite_store.path.parent / "backups"
    assert backup.name.startswith("taskforce.db-")
    assert backup.name.endswith("-before-upgrade-from-0001.db")
    assert sqlite_rows(backup, "SELECT username, email FROM user") == [("alice", "alice@example.com")]


def test_opening_a_database_that_needs_migrating_backs_it_up_first(tmp_path: Path) -> None:
    revisions = [
        script.revision for script in ScriptDirectory.from_config(db.alembic_config()).walk_revisions()
    ]
    oldest = revisions[-1]
    if len(revisions) < 2:
        pytest.skip("only one schema revision: nothing to migrate from")
    path = tmp_path / "taskforce.db"
    db.prepare_sqlite_file(path)
    engine = db.create_engine(db.sqlite_url(path))
    db.upgrade(engine, oldest)
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO team (name) VALUES ('Avengers')")
        connection.exec_driver_sql(
            "INSERT INTO hero (name, power, level, team_id) VALUES ('Thor', 'thunder', 9, 1)"
        )
    engine.dispose()
    old_digest = digest(path)

    with Store.open(db.sqlite_url(path)) as store:
        thor = store.heroes.get(1)
        assert (thor.name, thor.team_id) == ("Thor", 1)

    backups = list(tmp_path.glob(f"backups/taskforce.db-*-before-upgrade-from-{oldest}.db"))
    assert len(backups) == 1
    assert mode(backups[0]) == 0o600
    assert sqlite_rows(backups[0], "SELECT version_num FROM alembic_version") == [(oldest,)]
    assert sqlite_rows(backups[0], "SELECT name, power, level, team_id FROM hero") == [
        ("Thor", "thunder", 9, 1)
    ]
    assert digest(path) != old_digest
    assert sqlite_rows(path, "SELECT version_num FROM alembic_version") == [(db.head_revision(),)]
