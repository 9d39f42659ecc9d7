"""The daily automatic backup off the opening path: taken on a worker thread, waited for on close."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from safetyhelpers import filled_database, integrity, item_numbers, table_digests, writing_items

from desktop import backup, db
from desktop.errors import BackupError
from desktop.store import Store


@pytest.fixture
def due(tmp_path: Path) -> Path:
    """A database with data and no backup yet: its daily backup is due."""
    database = filled_database(tmp_path / "taskforce.db")
    for info in backup.list_backups(database):
        info.path.unlink()
    assert backup.backup_due(database)
    return database


class Gate:
    """Holds the automatic backup's copy until released; says when the copy began and ended."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.began = threading.Event()
        self.release = threading.Event()
        self.order: list[str] = []
        copy = backup._copy_database

        def gated_copy(source: Path, destination: Path, progress: backup.Progress | None = None) -> None:
            if backup.AUTOMATIC in destination.name:
                self.began.set()
                assert self.release.wait(30)
            copy(source, destination, progress=progress)
            self.order.append(f"copied {destination.name}")

        monkeypatch.setattr(backup, "_copy_database", gated_copy)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    opened = Gate(monkeypatch)
    try:
        yield opened
    finally:
        opened.release.set()  # a failed test must not leave the worker waiting


def made_by(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The reasons of the backups create_backup is asked for from now on."""
    reasons: list[str] = []
    create = backup.create_backup

    def counting(database: Path, reason: str = backup.MANUAL, **options: object) -> backup.BackupInfo:
        reasons.append(reason)
        return create(database, reason, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(backup, "create_backup", counting)
    return reasons


def test_opening_returns_before_the_due_backup_which_the_background_task_then_makes(
    due: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reasons = made_by(monkeypatch)
    with Store.open(db.sqlite_url(due)) as store:
        assert backup.list_backups(due) == []  # opening copied nothing
        assert reasons == []

        running = store.start_automatic_backup()
        assert running is not None
        assert running.wait(30)

        [made] = backup.list_backups(due)
        assert running.result == made
        assert made.reason == backup.AUTOMATIC
        assert backup.verify(made.path) == {"task": 3, "user": 1, "hero": 1, "team": 1, "item": 1}
        assert table_digests(made.path) == table_digests(due)
        assert store.start_automatic_backup() is not None  # another may start once it is done…
    # …and finds nothing to do; nor does close: one backup for the day.
    assert backup.list_backups(due) == [made]
    assert reasons == [backup.AUTOMATIC]


def test_no_background_backup_on_a_read_only_file_a_server_or_a_closed_store(
    due: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(db, "can_write", lambda _path: False)
        with Store.open(db.sqlite_url(due)) as read_only:
            assert read_only.read_only
            assert read_only.start_automatic_backup() is None
    with monkeypatch.context() as patched:
        patched.setattr(Store, "path", property(lambda _store: None))
        with Store.open(db.sqlite_url(due)) as server_like:
            assert server_like.start_automatic_backup() is None
    assert backup.list_backups(due) == []

    store = Store.open(db.sqlite_url(due))
    store.close()  # takes the backup that is due
    assert len(backup.list_backups(due)) == 1
    assert store.start_automatic_backup() is None


def test_close_waits_for_the_background_backup_which_is_complete_and_the_only_one_of_the_day(
    due: Path, gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    reasons = made_by(monkeypatch)
    store = Store.open(db.sqlite_url(due))
    running = store.start_automatic_backup()
    assert running is not None
    assert gate.began.wait(10)
    assert store.start_automatic_backup() is None  # never two at once
    store.items.create({"name": "Written meanwhile", "price": 1})  # the app goes on working

    dispose = store.engine.dispose

    def recorded_dispose(*args: object, **kwargs: object) -> None:
        gate.order.append("engine disposed")
        dispose(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store.engine, "dispose", recorded_dispose)
    closing = threading.Thread(target=store.close)
    closing.start()
    closing.join(0.5)
    assert closing.is_alive()  # close waits for the backup
    assert gate.order == []

    gate.release.set()
    closing.join(30)
    assert not closing.is_alive()
    assert not running.running

    [made] = backup.list_backups(due)
    assert gate.order == [f"copied .{made.path.name}.partial", "engine disposed"]
    assert reasons == [backup.AUTOMATIC]  # the close-time backup found today's and made none
    assert backup.verify(made.path)["item"] == 2
    # Complete and alone: no temporary file, no -wal or -journal beside it.
    assert sorted(p.name for p in made.path.parent.iterdir()) == [made.path.name]


def test_the_background_backup_is_one_committed_state_while_others_write(due: Path) -> None:
    with Store.open(db.sqlite_url(due)) as store, writing_items(due):
        running = store.start_automatic_backup()
        assert running is not None
        while running.running:
            store.tasks.update(1, {"title": "Edited during the backup"})
        assert running.result is not None
    copy = running.result.path
    assert integrity(copy) == ["ok"]
    numbers = item_numbers(copy)
    assert numbers == list(range(len(numbers)))  # a committed prefix, nothing half-written


@pytest.mark.parametrize(
    "error",
    [
        BackupError("The backup failed: disk full"),
        OSError(28, "No space left on device"),
        RuntimeError("a bug"),
    ],
    ids=["backup-error", "os-error", "unexpected"],
)
def test_a_failing_background_backup_is_logged_and_never_raised(
    due: Path, error: Exception, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def fail(*_args: object, **_kwargs: object) -> backup.BackupInfo:
        raise error

    escaped: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", escaped.append)
    store = Store.open(db.sqlite_url(due))
    with monkeypatch.context() as patched:
        patched.setattr(backup, "create_backup", fail)
        running = store.start_automatic_backup()
        assert running is not None
        assert running.wait(30)
    assert running.result is None
    assert f"Automatic backup of {due} failed" in caplog.text
    assert str(error.args[-1]) in caplog.text
    assert escaped == []  # nothing reached threading.excepthook (the crash dialog)
    assert backup.list_backups(due) == []
    assert not list((due.parent / "backups").glob(".*.partial"))
    store.items.create({"name": "Still working", "price": 1})
    store.close()  # the backup is still due: close takes it
    assert [info.reason for info in backup.list_backups(due)] == [backup.AUTOMATIC]


def test_a_restore_waits_for_a_background_backup_of_the_same_file(due: Path, gate: Gate) -> None:
    saved = backup.create_backup(due, backup.MANUAL, now=datetime.now(UTC) - timedelta(days=2))
    store = Store.open(db.sqlite_url(due))
    store.items.create({"name": "After the manual backup", "price": 1})
    running = store.start_automatic_backup()
    assert running is not None
    assert gate.began.wait(10)
    store.engine.dispose()  # as the window does before a restore

    restoring = threading.Thread(target=store.replace_with_backup, args=(saved.path,))
    restoring.start()
    restoring.join(0.5)
    assert restoring.is_alive()  # its connections must be gone before the file is swapped
    assert backup.row_counts(due)["item"] == 2  # not yet replaced

    gate.release.set()
    restoring.join(30)
    assert not restoring.is_alive()
    store.close()
    assert running.result is not None and backup.verify(running.result.path)["item"] == 2
    assert backup.row_counts(due)["item"] == 1  # restored
