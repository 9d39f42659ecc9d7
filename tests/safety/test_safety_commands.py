"""`taskforce backup`, `taskforce restore FILE`, `taskforce check`, and one instance per database file."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from safetyhelpers import file_digest, filled_database, run_without_write_permission, table_digests

from desktop import backup, db
from desktop.app import main
from desktop.errors import DatabaseInUseError
from desktop.lock import single_instance_lock, window_lock_path
from desktop.store import Store

CHECKOUT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_backup_then_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    url = db.sqlite_url(database)

    status, out, _ = run(capsys, "--database-url", url, "backup")

    assert status == 0
    assert "Backed up and verified" in out and "3 tasks, 1 user" in out
    made = Path(out.strip().splitlines()[-1])
    assert made.parent == tmp_path / "backups" and made.name.endswith("-manual.db")
    status, out, _ = run(capsys, "--database-url", url, "backup", "--list")
    assert status == 0
    assert str(made) in out and "made by hand" in out


def test_restore_a_backup_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    saved = backup.create_backup(database)
    at_backup = table_digests(database)
    with Store.open(db.sqlite_url(database)) as store:
        store.tasks.delete_many([1, 2, 3])

    status, out, _ = run(capsys, "--database-url", db.sqlite_url(database), "restore", str(saved.path))

    assert status == 0
    assert f"Restored {database} from {saved.path}" in out
    assert "The data it held before is kept in" in out
    assert table_digests(database) == at_backup
    assert not window_lock_path(database).exists()


def test_restore_refuses_a_file_that_is_no_backup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    before = file_digest(database)
    bad = tmp_path / "notes.txt"
    bad.write_text("shopping list")

    status, out, err = run(capsys, "--database-url", db.sqlite_url(database), "restore", str(bad))

    assert status == 1
    assert out == ""
    assert "notes.txt is not a Taskforce database" in err
    assert "Traceback" not in err
    assert file_digest(database) == before


def test_check_says_healthy_or_damaged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    status, out, _ = run(capsys, "--database-url", db.sqlite_url(database), "check")
    assert status == 0
    assert "is in good order" in out and "It holds 3 tasks" in out

    data = bytearray(database.read_bytes())
    data[4096 * 2 : 4096 * 4] = b"\x13" * (4096 * 2)
    database.write_bytes(bytes(data))
    before = file_digest(database)
    status, out, _ = run(capsys, "--database-url", db.sqlite_url(database), "check")
    assert status == 1
    assert "Restore a backup" in out
    assert file_digest(database) == before


def test_check_works_on_every_database(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open(database_url) as store:
        store.teams.create({"name": "Avengers"})
    status, out, _ = run(capsys, "--database-url", database_url, "check")
    assert status == 0, out
    assert "is in good order" in out and "1 team" in out


# --- one instance per file -----------------------------------------------------------------------------

HOLD_LOCK = """
import sys, time
from pathlib import Path
from desktop.lock import single_instance_lock
lock = single_instance_lock(Path(sys.argv[1]))
print("locked" if lock is not None else "no lock", flush=True)
time.sleep(60)
"""


@contextmanager
def lock_held_by_another_process(database: Path) -> Iterator[subprocess.Popen[str]]:
    """Another Taskforce with the file open; killed (as by a crash) when the block ends."""
    env = {**os.environ, "PYTHONPATH": str(CHECKOUT)}
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(database)], stdout=subprocess.PIPE, text=True, env=env
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "locked"
            yield holder
        finally:
            holder.send_signal(signal.SIGKILL)
            holder.wait()


def test_a_second_instance_on_the_same_file_is_told_and_a_crashed_ones_lock_is_taken_over(
    tmp_path: Path,
) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    with lock_held_by_another_process(database) as holder:
        message = rf"already has taskforce.db open \(process {holder.pid}\)"
        with pytest.raises(DatabaseInUseError, match=message):
            single_instance_lock(database)
    # The holder was killed: its lock file stays behind, stale.
    assert window_lock_path(database).exists()

    lock = single_instance_lock(database)

    assert lock is not None and lock.locked
    lock.release()
    assert not window_lock_path(database).exists()


def test_the_restore_command_refuses_while_taskforce_has_the_file_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = filled_database(tmp_path / "taskforce.db")
    saved = backup.create_backup(database)
    before = file_digest(database)
    with lock_held_by_another_process(database):
        status, _, err = run(capsys, "--database-url", db.sqlite_url(database), "restore", str(saved.path))
    assert status == 1
    assert "already has taskforce.db open" in err
    assert file_digest(database) == before


LOCK_PROBE = """
import sys
from pathlib import Path
from desktop.lock import single_instance_lock
print("no lock" if single_instance_lock(Path(sys.argv[1])) is None else "locked")
"""


def test_no_lock_file_is_needed_in_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    database = filled_database(folder / "taskforce.db")
    shutil.rmtree(folder / "backups")
    folder.chmod(0o555)
    try:
        done = run_without_write_permission(LOCK_PROBE, str(database))
    finally:
        folder.chmod(0o700)
    assert done.stdout.strip() == "no lock"
    assert sorted(p.name for p in folder.iterdir()) == ["taskforce.db"]
