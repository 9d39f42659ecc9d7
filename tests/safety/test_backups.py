"""Backups: made with the backup API, verified before older ones go, private, automatic, restorable."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from safetyhelpers import (
    file_digest,
    fill,
    filled_database,
    integrity,
    item_numbers,
    mode,
    table_digests,
    writing_items,
)

from desktop import backup, db, opening
from desktop.errors import BackupError
from desktop.store import Store

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_a_backup_is_a_verified_private_copy_in_the_backups_folder(tmp_path: Path) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    for old in backup.list_backups(database):
        old.path.unlink()

    info = backup.create_backup(database, backup.MANUAL, now=NOW)

    assert info.path.parent == tmp_path / "backups"
    assert info.path.name == "taskforce.db-20261125T120000Z-manual.db"
    assert (info.created, info.reason, info.reason_label) == (NOW, "manual", "made by hand")
    assert mode(info.path.parent) == 0o700
    assert mode(info.path) == 0o600
    assert table_digests(info.path) == table_digests(database)
    assert integrity(info.path) == ["ok"]
    # One self-contained file: no -wal or -shm, no leftover temporary file.
    assert sorted(p.name for p in info.path.parent.iterdir()) == [info.path.name]
    assert backup.list_backups(database) == [info]
    assert backup.row_counts(info.path) == {"task": 3, "user": 1, "hero": 1, "team": 1, "item": 1}


def test_two_backups_in_the_same_second_both_stay(tmp_path: Path) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    first = backup.create_backup(database, backup.MANUAL, now=NOW)
    second = backup.create_backup(database, backup.MANUAL, now=NOW)
    assert first.path != second.path
    assert second.path.name == "taskforce.db-20261125T120000Z-manual-2.db"
    assert second.reason_label == "made by hand"
    assert {first.path, second.path} <= {info.path for info in backup.list_backups(database)}


def test_a_backup_that_fails_verification_keeps_every_older_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    # A year of daily backups: a successful new one would rotate most of them out.
    old = [backup.create_backup(database, now=NOW - timedelta(days=day)) for day in range(365, 0, -30)]
    before = sorted(p.name for p in (tmp_path / "backups").iterdir())

    def broken_copy(source: Path, destination: Path, **_options: object) -> None:
        destination.write_bytes(b"SQLite format 3\x00" + b"\x00" * 1000)

    monkeypatch.setattr(backup, "_copy_database", broken_copy)
    with pytest.raises(BackupError, match="older backups were kept"):
        backup.create_backup(database, now=NOW)

    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == before
    assert all(info.path.exists() for info in old)


def test_rotation_follows_the_policy_with_simulated_dates(tmp_path: Path) -> None:
    """A backup a day for 400 days, then every 6 hours for two days, rotating as it goes."""
    database = filled_database(tmp_path / "taskforce.db")
    for old in backup.list_backups(database):
        old.path.unlink()
    start = datetime(2025, 10, 1, 12, tzinfo=UTC)
    moments = [start + timedelta(days=day) for day in range(400)]
    moments += [moments[-1] + timedelta(hours=6 * step) for step in range(1, 9)]
    for moment in moments:
        backup.create_backup(database, backup.AUTOMATIC, now=moment)
    now = moments[-1]

    kept = [info.created for info in backup.list_backups(database)]

    recent = [stamp for stamp in kept if now - stamp <= timedelta(days=2)]
    older = [stamp for stamp in kept if now - stamp > timedelta(days=2)]
    assert len(recent) == 9  # every one of the last 48 hours, both ends included
    # The newest of each of 7 days, then of 4 weeks, then of 12 months, and nothing older.
    assert len(older) == 7 + 4 + 12
    assert len({stamp.date() for stamp in older[:7]}) == 7
    assert len({stamp.isocalendar()[:2] for stamp in older[7:11]}) == 4
    assert len({(stamp.year, stamp.month) for stamp in older[11:]}) == 12
    assert now - kept[-1] < timedelta(days=9 + 5 * 7 + 13 * 31)
    assert kept == sorted(backup.retained(kept, now), reverse=True)


def test_the_pre_migration_backup_goes_to_the_backups_folder_and_is_verified(tmp_path: Path) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    path = opening.pre_migration_backup(database, "0001")
    assert path.parent == tmp_path / "backups"
    assert path.name.endswith("-before-upgrade-from-0001.db")
    assert backup.list_backups(database)[0].reason_label == "before an upgrade"
    assert integrity(path) == ["ok"]


# --- automatic backups ----------------------------------------------------------------------------------


def test_closing_after_changes_makes_the_first_backup(tmp_path: Path) -> None:
    database = tmp_path / "taskforce.db"
    with Store.open(db.sqlite_url(database)):
        pass
    assert backup.list_backups(database) == []  # nothing to protect yet

    filled_database(database)

    [made] = backup.list_backups(database)
    assert made.reason == "automatic"
    assert table_digests(made.path) == table_digests(database)


def test_a_backup_is_due_when_the_data_changed_and_the_newest_is_a_day_old(tmp_path: Path) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    [newest] = backup.list_backups(database)
    later = newest.created + timedelta(days=1, seconds=1)
    assert not backup.backup_due(database, now=newest.created + timedelta(hours=23))
    assert not backup.backup_due(database, now=later)  # a day old, but nothing changed since

    os.utime(newest.path, (newest.path.stat().st_atime, newest.path.stat().st_mtime - 10))
    with Store.open(db.sqlite_url(database)) as store:
        store.items.create({"name": "Gadget", "price": 1})
        assert not backup.backup_due(database, now=newest.created + timedelta(hours=1))
        assert backup.backup_due(database, now=later)
        made = backup.automatic_backup(database, now=later)
    assert made is not None
    assert [info.path for info in backup.list_backups(database)] == [made.path, newest.path]


def test_an_automatic_backup_that_fails_never_stops_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "taskforce.db"

    def no_space(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "_copy_database", no_space)
    with Store.open(db.sqlite_url(database)) as store:
        fill(store)
    assert backup.list_backups(database) == []
    assert "Automatic backup" in caplog.text
    assert "No space left" in caplog.text


# --- consistency under writes, and restore round trips -------------------------------------------------


def test_a_backup_taken_during_concurrent_writes_is_consistent(tmp_path: Path) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    with writing_items(database):
        copies = [backup.create_backup(database, backup.MANUAL) for _ in range(5)]

    for info in copies:
        assert integrity(info.path) == ["ok"]
        numbers = item_numbers(info.path)
        assert numbers == list(range(len(numbers)))  # a committed prefix, no gaps, nothing half-written
        with Store.open(db.sqlite_url(info.path)) as opened:
            assert opened.items.count() == 1 + len(numbers)


def test_restore_round_trip_gives_identical_tables(tmp_path: Path) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    saved = backup.create_backup(database, backup.MANUAL)
    at_backup = table_digests(database)
    with Store.open(db.sqlite_url(database)) as store:
        store.tasks.update(1, {"title": "Changed after the backup"})
        store.items.delete(1)
        store.teams.create({"name": "X-Men"})
        changed = table_digests(database)
    assert changed != at_backup

    previous = backup.restore(database, saved.path)

    assert table_digests(database) == at_backup
    assert previous is not None and table_digests(previous) == changed
    assert integrity(database) == ["ok"]
    assert not database.with_name("taskforce.db-wal").exists()
    assert mode(database) == 0o600
    with Store.open(db.sqlite_url(database)) as store:
        assert store.tasks.get(1).title == "Task 0"
        assert store.items.count() == 1


def test_restore_while_the_old_file_has_a_write_ahead_log(tmp_path: Path) -> None:
    """The old file's -wal must never be replayed onto the restored one."""
    database = filled_database(tmp_path / "taskforce.db")
    saved = backup.create_backup(database, backup.MANUAL)
    at_backup = table_digests(saved.path)
    writer = sqlite3.connect(database)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("UPDATE item SET name = 'In the log only'")
    writer.commit()
    assert database.with_name("taskforce.db-wal").stat().st_size > 0
    writer.close()
    # A crash leaves a -wal behind; simulate by writing one again without a clean close.
    crashed = sqlite3.connect(database)
    crashed.execute("PRAGMA wal_autocheckpoint = 0")
    crashed.execute("UPDATE item SET name = 'Only in the log'")
    crashed.commit()

    backup.restore(database, saved.path)
    crashed.close()

    assert table_digests(database) == at_backup
    assert integrity(database) == ["ok"]


def test_restore_refuses_a_bad_backup_and_changes_nothing(tmp_path: Path) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database")
    before = file_digest(database)
    backups_before = backup.list_backups(database)

    with pytest.raises(BackupError, match="not a Taskforce database"):
        backup.restore(database, bad)

    assert file_digest(database) == before
    assert backup.list_backups(database) == backups_before
    assert not list(tmp_path.glob(".*restoring*"))


def test_restore_over_a_damaged_file_keeps_it_aside_unchanged(tmp_path: Path) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    [good] = backup.list_backups(database)
    damaged = bytearray(database.read_bytes())
    damaged[4096:8192] = b"\xff" * 4096
    database.write_bytes(bytes(damaged))
    damaged_digest = file_digest(database)

    aside = backup.restore(database, good.path)

    assert aside is not None and aside.name.startswith("taskforce.db.set-aside-")
    assert file_digest(aside) == damaged_digest
    assert mode(aside) == 0o600
    assert table_digests(database) == table_digests(good.path)


# --- two databases with one stem -------------------------------------------------------------------


def test_two_databases_with_one_stem_keep_their_backups_apart(tmp_path: Path) -> None:
    first = filled_database(tmp_path / "data.db")
    second = filled_database(tmp_path / "data.sqlite")
    for old in backup.list_backups(first) + backup.list_backups(second):
        old.path.unlink()
    theirs = [  # the second database's backups, one a week for ten weeks
        backup.create_backup(second, backup.AUTOMATIC, now=NOW - timedelta(weeks=weeks)).path
        for weeks in range(10, 0, -1)
    ]
    ours = backup.create_backup(first, backup.MANUAL, now=NOW)

    assert [info.path for info in backup.list_backups(first)] == [ours.path]
    assert {info.path for info in backup.list_backups(second)} == set(theirs)
    assert backup.newest_good_backup(first) == ours
    backup.rotate(first, now=NOW + timedelta(days=400))  # keeps one of ours; none of theirs is touched
    assert all(path.exists() for path in theirs)


def test_backups_named_after_the_stem_count_only_where_they_cannot_be_another_files(tmp_path: Path) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    for old in backup.list_backups(database):
        old.path.unlink()
    made = backup.create_backup(database, now=NOW)
    named_the_old_way = made.path.with_name("taskforce-20261101T120000Z-automatic.db")
    named_the_old_way.write_bytes(made.path.read_bytes())

    assert [info.path for info in backup.list_backups(database)] == [made.path, named_the_old_way]

    other = filled_database(tmp_path / "taskforce.sqlite")  # now "taskforce-…" may be either's
    assert named_the_old_way not in [info.path for info in backup.list_backups(database)]
    assert named_the_old_way not in [info.path for info in backup.list_backups(other)]
