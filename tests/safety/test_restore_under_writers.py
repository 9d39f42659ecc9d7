"""A restore while other programs write: every acknowledged save ends up in the restored database or in
the before-restore backup, and the restore waits for (or refuses while) other users of the file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from safetyhelpers import filled_database

from desktop import backup, db, lock
from desktop.app import main
from desktop.errors import DatabaseInUseError
from desktop.store import Store

CHECKOUT = Path(__file__).resolve().parents[2]

# A script that saves teams through the store for as long as it runs, and prints each acknowledged one.
WRITER = """
import sys
from desktop import db
from desktop.store import Store
store = Store.open(db.sqlite_url(__import__("pathlib").Path(sys.argv[1])))
number = 0
while True:
    store.teams.create({"name": f"Saved {number}"})
    print(number, flush=True)
    number += 1
"""


def team_names(path: Path) -> set[str]:
    with closing(sqlite3.connect(db.read_only_uri(path), uri=True)) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM team")}


def kept_anywhere(database: Path) -> set[str]:
    """The team names in the database and in every backup of it."""
    names = team_names(database)
    for info in backup.list_backups(database):
        names |= team_names(info.path)
    return names


@contextmanager
def writer_process(database: Path) -> Iterator[list[int]]:
    """Another program saving teams; the list holds the numbers it was told were saved."""
    env = {**os.environ, "PYTHONPATH": str(CHECKOUT)}
    acknowledged: list[int] = []
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(database)], stdout=subprocess.PIPE, text=True, env=env
    ) as writer:
        assert writer.stdout is not None
        stream = writer.stdout

        def read() -> None:
            for line in stream:
                acknowledged.append(int(line))

        reader = threading.Thread(target=read)
        reader.start()
        try:
            while len(acknowledged) < 20 and writer.poll() is None:
                threading.Event().wait(0.02)
            yield acknowledged
        finally:
            writer.terminate()
            writer.wait()
            reader.join()


def test_restore_refuses_while_another_program_writes_and_no_save_is_lost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lock, "REPLACE_WAIT_SECONDS", 0.5)
    database = filled_database(tmp_path / "taskforce.db")
    chosen = backup.create_backup(database).path

    with writer_process(database) as acknowledged:
        status = main(["--data-dir", str(tmp_path), "restore", str(chosen)])
        threading.Event().wait(0.3)  # the writer goes on saving after the restore returned
    out, err = capsys.readouterr()

    missing = {f"Saved {number}" for number in acknowledged} - kept_anywhere(database)
    assert missing == set()
    assert len(acknowledged) > 20
    assert status == 1, out
    assert "close the other program first" in err
    assert "Traceback" not in err


def test_restore_waits_for_programs_that_open_the_file_for_each_save(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    chosen = backup.create_backup(database).path
    acknowledged: list[int] = []
    stop = threading.Event()
    failures: list[str] = []

    def write_one_at_a_time() -> None:
        number = 0
        while not stop.is_set():
            try:
                with Store.open(db.sqlite_url(database)) as store:
                    store.teams.create({"name": f"Saved {number}"})
            except DatabaseInUseError as error:  # the restore took longer than a store waits
                failures.append(error.message)
                continue
            acknowledged.append(number)
            number += 1

    writer = threading.Thread(target=write_one_at_a_time)
    writer.start()
    try:
        while len(acknowledged) < 5:
            threading.Event().wait(0.02)
        status = main(["--data-dir", str(tmp_path), "restore", str(chosen)])
        restored_at = len(acknowledged)
        while len(acknowledged) < restored_at + 3:  # and saving goes on, into the restored file
            threading.Event().wait(0.02)
    finally:
        stop.set()
        writer.join()
    out, err = capsys.readouterr()

    assert status == 0, err
    assert "Restored" in out
    missing = {f"Saved {number}" for number in acknowledged} - kept_anywhere(database)
    assert missing == set()
    assert failures == []


def test_a_store_waits_for_a_restore_and_then_says_the_file_is_being_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lock, "OPEN_WAIT_SECONDS", 0.2)
    database = filled_database(tmp_path / "taskforce.db")
    held = lock.database_lock(database, exclusive=True)
    assert held is not None
    try:
        with pytest.raises(DatabaseInUseError, match="is being restored or replaced"):
            Store.open(db.sqlite_url(database))
    finally:
        held.release()
    with Store.open(db.sqlite_url(database)) as store:
        assert store.teams.count() == 1


def test_the_windows_own_restore_lets_go_of_its_store_and_refuses_while_another_has_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lock, "REPLACE_WAIT_SECONDS", 0.2)
    database = filled_database(tmp_path / "taskforce.db")
    chosen = backup.create_backup(database).path
    shown = Store.open(db.sqlite_url(database))
    try:
        shown.teams.create({"name": "After the backup"})
        with Store.open(db.sqlite_url(database)), pytest.raises(DatabaseInUseError, match="close the other"):
            shown.replace_with_backup(chosen)
        assert "After the backup" in team_names(database)  # refused: nothing replaced

        previous = shown.replace_with_backup(chosen)  # the other program closed: it goes ahead

        assert previous is not None and "After the backup" in team_names(previous)
        assert "After the backup" not in team_names(database)
        with pytest.raises(DatabaseInUseError):  # and the store holds the file again
            lock.database_lock(database, exclusive=True, wait=0)
    finally:
        shown.close()
    assert not lock.database_lock_path(database).exists()
