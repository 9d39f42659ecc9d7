"""Garbage, truncated, damaged and newer files: refused, never written to; checks say so plainly."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from safetyhelpers import file_digest, filled_database, table_digests

from desktop import backup, db
from desktop.errors import BackupError, DatabaseOpenError
from desktop.store import Store


def garbage(path: Path) -> None:
    path.write_bytes(b"\x00\x01 not a database at all \xff" * 500)


def truncated(path: Path) -> None:
    filled_database(path, tasks=200)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def damaged_pages(path: Path) -> None:
    filled_database(path, tasks=200)
    data = bytearray(path.read_bytes())
    page = 4096
    data[3 * page : 6 * page] = bytes(range(256)) * (3 * page // 256)
    path.write_bytes(bytes(data))


def newer_revision(path: Path) -> None:
    filled_database(path)
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00dfeed9999'")


BAD_FILES: dict[str, Callable[[Path], None]] = {
    "garbage": garbage,
    "truncated": truncated,
    "damaged": damaged_pages,
    "newer": newer_revision,
}
COMPLAINTS = {
    "garbage": "not a Taskforce database",
    "truncated": "damaged|cannot be read",
    "damaged": "damaged|cannot be read",
    "newer": "newer version of Taskforce",
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_file_is_refused_and_left_byte_for_byte(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "taskforce.db"
    BAD_FILES[kind](path)
    for leftover in tmp_path.glob("taskforce.db-*"):
        leftover.unlink()
    before = file_digest(path)

    with pytest.raises(DatabaseOpenError, match=COMPLAINTS[kind]) as refused:
        Store.open(db.sqlite_url(path))
    report = backup.check_file(path)
    with pytest.raises(BackupError):
        backup.verify(path)

    assert file_digest(path) == before
    assert "Traceback" not in refused.value.message
    assert not report.ok
    assert "Restore a backup" in report.text
    assert list(tmp_path.glob("taskforce.db-*")) == []  # not even an empty -wal or -shm


@pytest.mark.parametrize("kind", BAD_FILES)
def test_backup_refuses_a_bad_file_before_opening_it_for_writing(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "taskforce.db"
    BAD_FILES[kind](path)
    for leftover in tmp_path.glob("taskforce.db-*"):
        leftover.unlink()
    before = file_digest(path)

    with pytest.raises(BackupError, match=COMPLAINTS[kind]) as refused:
        backup.create_backup(path)

    assert "\n" not in refused.value.message  # one plain sentence, not SQLite's list of problems
    assert "partial" not in refused.value.message
    assert file_digest(path) == before
    assert list(tmp_path.glob("taskforce.db-*")) == []


@pytest.mark.parametrize("kind", BAD_FILES)
def test_recovery_restores_the_newest_good_backup_and_keeps_the_bad_file(tmp_path: Path, kind: str) -> None:
    good_source = filled_database(tmp_path / "good.db")
    path = tmp_path / "taskforce.db"
    BAD_FILES[kind](path)
    bad_digest = file_digest(path)
    backups = tmp_path / "backups"
    for info in backup.list_backups(path):  # the bad file's own backups (made while it was good)
        info.path.unlink()
    broken_newer = backups / "taskforce-20991231T000000Z-manual.db"
    broken_newer.write_bytes(b"SQLite format 3\x00" + b"\x00" * 2000)
    good_copy = backups / "taskforce-20260101T000000Z-automatic.db"
    good_copy.write_bytes(good_source.read_bytes())

    newest_good = backup.newest_good_backup(path)
    assert newest_good is not None and newest_good.path == good_copy
    aside = backup.restore(path, newest_good.path)

    assert aside is not None and file_digest(aside) == bad_digest
    assert table_digests(path) == table_digests(good_source)
    with Store.open(db.sqlite_url(path)) as store:
        assert store.tasks.count() == 3


def test_check_reports_dangling_references_in_plain_words(tmp_path: Path) -> None:
    path = filled_database(tmp_path / "taskforce.db")
    # Foreign keys off, as an old tool or a bug might leave it.
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("UPDATE task SET owner_id = 99 WHERE id IN (1, 2)")
        connection.execute("UPDATE hero SET team_id = 7")

    report = backup.check_file(path)

    assert not report.ok
    assert "2 tasks refer to a user that does not exist (ids 1, 2)." in report.details
    assert "1 hero refers to a team that does not exist (id 1)." in report.details


def test_check_of_a_healthy_database(tmp_path: Path) -> None:
    path = filled_database(tmp_path / "taskforce.db")
    report = backup.check_file(path)
    assert report.ok
    assert report.summary.startswith("taskforce.db is in good order")
    assert report.details == ["It holds 3 tasks, 1 user, 1 hero, 1 team, 1 item."]


@pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)
def test_check_on_a_server_database(database_url: str, store: Store) -> None:
    owner = store.users.create({"username": "alice", "email": "alice@example.com"})
    store.tasks.create({"title": "Plan", "owner_id": owner.id})
    report = backup.check_server(store.engine)
    assert report.ok, report.text
    assert report.counts == {"task": 1, "user": 1, "hero": 0, "team": 0, "item": 0}
    assert "is in good order" in report.summary
