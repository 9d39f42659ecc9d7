"""Every command of the command line, tried as a careless script would: bad URLs, files that may not be
read, damaged files and a full disk.

Each run must end in a plain message (on stderr one line, `taskforce: …`, for a refusal; never a
traceback nor "--- Logging error ---") and a sensible exit status (0 done or healthy, 1 failed or
problems found, 2 not possible here), and leave every file as it was: the same bytes and times, and
no -wal, -shm or lock file beside them (a -shm already there is SQLite's index, which readers rebuild).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from safetyhelpers import files_as_they_are, fill_disk, filled_database, small_disk

from desktop import backup, db
from desktop.app import main
from desktop.errors import StorageError
from desktop.store import Store
from desktop.ui import application

CHECKOUT = Path(__file__).resolve().parents[2]
SECRETS = ("pw", "p@ss", "ss@")


@dataclass
class Run:
    status: int
    out: str
    err: str

    def assert_plain(self) -> None:
        everything = self.out + self.err
        assert "Traceback" not in everything and "Logging error" not in everything, everything
        for line in self.err.splitlines():
            assert line.startswith("taskforce: "), self.err

    def refused(self, status: int) -> str:
        """The one-line refusal on stderr, with nothing on stdout."""
        self.assert_plain()
        assert self.status == status, self.err or self.out
        assert self.out == ""
        assert len(self.err.splitlines()) == 1, self.err
        return self.err


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    capsys.readouterr()
    status = main(list(argv))
    out, err = capsys.readouterr()
    return Run(status, out, err)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data folder with a healthy database and one backup of it."""
    folder = tmp_path / "data"
    database = filled_database(folder / "taskforce.db")
    for old in backup.list_backups(database):
        old.path.unlink()
    backup.create_backup(database)
    return folder


def a_backup(data: Path) -> Path:
    return backup.list_backups(data / "taskforce.db")[0].path


COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "check": lambda _data: ["check"],
    "backup": lambda _data: ["backup"],
    "backup --list": lambda _data: ["backup", "--list"],
    "restore FILE": lambda data: ["restore", str(a_backup(data))],
}


# --- bad URLs ------------------------------------------------------------------------------------------

BAD_URLS = {
    "nonsense": "nonsense",
    "unknown kind": "foo://u:pw@h/db",
    "driver not installed": "postgresql+nodriver://u:pw@h/db",
    "@ in the password": "postgresql+psycopg://u:p@ss@nohost.invalid/db",
    "in memory": "sqlite://",
}


@pytest.mark.parametrize("url", BAD_URLS.values(), ids=BAD_URLS.keys())
@pytest.mark.parametrize("command", COMMANDS, ids=COMMANDS.keys())
def test_a_bad_url(data: Path, capsys: pytest.CaptureFixture[str], command: str, url: str) -> None:
    before = files_as_they_are(data)

    done = run(capsys, "--data-dir", str(data), "--database-url", url, *COMMANDS[command](data))

    message = done.refused(2)
    assert not any(secret in message for secret in SECRETS), message
    assert files_as_they_are(data) == before


def test_each_bad_url_says_what_is_wrong(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    said = {
        name: run(capsys, "--data-dir", str(data), "--database-url", url, "check").err
        for name, url in BAD_URLS.items()
    }
    assert "Not a database URL" in said["nonsense"]
    assert "cannot open foo databases" in said["unknown kind"]
    assert "cannot open postgresql+nodriver databases" in said["driver not installed"]
    assert 'holds an "@": write it as %40' in said["@ in the password"]
    assert "in-memory database" in said["in memory"] and "server" not in said["in memory"]


@pytest.mark.parametrize("url", [url for url in BAD_URLS.values() if url != "sqlite://"])
def test_the_window_with_a_bad_url_says_why_in_plain_words(
    url: str, monkeypatch: pytest.MonkeyPatch, qapp: object
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(application, "show_open_error", shown.append)
    monkeypatch.setattr(application, "recover", lambda *_args: pytest.fail("there is no file to recover"))
    monkeypatch.setattr(application, "event_loop", lambda _app: pytest.fail("the window must not open"))

    status = application.run_gui(argparse.Namespace(database_url=url, data_dir=None, verbose=False))

    assert status == 1
    [message] = shown
    assert "unexpected" not in message.lower() and "Traceback" not in message
    assert not any(secret in message for secret in SECRETS), message


def test_the_self_test_ignores_a_bad_url(tmp_path: Path) -> None:
    done = subprocess_run(["--data-dir", str(tmp_path), "--database-url", "foo://u:pw@h/db", "--self-test"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "self-test passed" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


# --- files that may not be read ------------------------------------------------------------------------


def subprocess_run(
    argv: list[str], *, without_root: bool = False, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`taskforce ARGV` in a process of its own; without_root: one that file permissions apply to."""
    command = [sys.executable, "-m", "desktop", *argv]
    if without_root and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be enforced")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner,-chown", *command]
    environment = {**os.environ, "PYTHONPATH": str(CHECKOUT), "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=environment, check=False)


@pytest.fixture
def unreadable(data: Path) -> Iterator[Path]:
    database = data / "taskforce.db"
    database.chmod(0o000)
    a_backup(data).chmod(0o000)
    try:
        yield database
    finally:
        database.chmod(0o600)
        a_backup(data).chmod(0o600)


@pytest.mark.parametrize("command", ["check", "backup", "restore FILE"])
def test_a_file_that_may_not_be_read(data: Path, unreadable: Path, command: str) -> None:
    argv = COMMANDS[command](data)
    before = files_as_they_are(data)

    done = subprocess_run(["--data-dir", str(data), *argv], without_root=True)

    result = Run(done.returncode, done.stdout, done.stderr)
    result.assert_plain()
    assert result.status == 1
    assert "may not read" in result.out + result.err
    assert files_as_they_are(data) == before


# --- damaged files ---------------------------------------------------------------------------------------


def garbage(path: Path) -> None:
    path.write_bytes(b"\x00\x01 not a database at all \xff" * 500)


def damaged_pages(path: Path) -> None:
    filled_database(path, tasks=200)
    data = bytearray(path.read_bytes())
    data[2 * 4096 : 4 * 4096] = b"\x13" * (2 * 4096)  # SQLite's check lists several pages for this
    path.write_bytes(bytes(data))


def truncated(path: Path) -> None:
    filled_database(path, tasks=200)
    path.write_bytes(path.read_bytes()[: 40 * 1024])


def newer_with_a_leftover_log(path: Path) -> None:
    """Written by a newer Taskforce that was killed: its last commits are still in the -wal."""
    filled_database(path)
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA journal_mode = WAL")
    with writer:
        writer.execute("UPDATE alembic_version SET version_num = 'f00dfeed9999'")
    for name in (path.name, path.name + "-wal", path.name + "-shm"):  # copied as a crash leaves them
        shutil.copyfile(path.with_name(name), path.with_name("crashed-" + name))
    writer.close()
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        os.replace(path.with_name("crashed-" + name), path.with_name(name))


def another_programs(path: Path) -> None:
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("CREATE TABLE photo (id INTEGER PRIMARY KEY, name TEXT)")


DAMAGED = {
    "garbage": (garbage, "not a Taskforce database"),
    "damaged pages": (damaged_pages, "is damaged"),
    "truncated": (truncated, "is damaged|cannot be read"),
    "newer, with a leftover -wal": (newer_with_a_leftover_log, "newer version of Taskforce"),
    "another program's": (another_programs, "tables of another program"),
}


@pytest.fixture(params=DAMAGED, ids=DAMAGED.keys())
def bad(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str]:
    make, complaint = DAMAGED[request.param]
    folder = tmp_path / "bad"
    folder.mkdir()
    make(folder / "taskforce.db")
    shutil.rmtree(folder / "backups", ignore_errors=True)
    return folder / "taskforce.db", complaint


def test_backup_of_a_bad_file(bad: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    path, complaint = bad
    before = files_as_they_are(path.parent)

    done = run(capsys, "--data-dir", str(path.parent), "backup")

    assert complaint.split("|")[0] in done.refused(1) or complaint.split("|")[-1] in done.err
    assert files_as_they_are(path.parent) == before


def test_check_of_a_bad_file(bad: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    path, _complaint = bad
    before = files_as_they_are(path.parent)

    done = run(capsys, "--data-dir", str(path.parent), "check")

    done.assert_plain()
    assert done.status == 1
    assert "Restore a backup" in done.out
    assert "***" not in done.out  # SQLite's own list of problems stays in the log
    assert files_as_they_are(path.parent) == before


def test_list_of_a_bad_files_backups(bad: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    path, _complaint = bad
    before = files_as_they_are(path.parent)

    done = run(capsys, "--data-dir", str(path.parent), "backup", "--list")

    done.assert_plain()
    assert done.status == 0 and "There are no backups" in done.out
    assert files_as_they_are(path.parent) == before


def test_restore_of_a_bad_file(data: Path, bad: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    path, _complaint = bad
    before = files_as_they_are(data), files_as_they_are(path.parent)

    done = run(capsys, "--data-dir", str(data), "restore", str(path))

    done.refused(1)
    assert (files_as_they_are(data), files_as_they_are(path.parent)) == before


def test_restore_from_a_folder_or_a_missing_file(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = files_as_they_are(data)

    from_folder = run(capsys, "--data-dir", str(data), "restore", str(data / "backups"))
    from_nothing = run(capsys, "--data-dir", str(data), "restore", str(data / "nothing.db"))

    assert "is a folder, not a backup file" in from_folder.refused(1)
    assert "There is no file" in from_nothing.refused(1)
    assert files_as_they_are(data) == before


def test_check_of_an_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "taskforce.db").touch()

    done = run(capsys, "--data-dir", str(tmp_path), "check")
    backed_up = run(capsys, "--data-dir", str(tmp_path), "backup")

    done.assert_plain()
    assert done.status == 0
    assert "is empty: it holds no Taskforce data yet" in done.out and "It holds ." not in done.out
    assert "is empty, there is nothing to back up yet" in backed_up.refused(1)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["logs", "taskforce.db"]


# --- a full disk -----------------------------------------------------------------------------------------


@pytest.fixture
def full(tmp_path: Path) -> Iterator[Path]:
    """A data folder with a healthy database and a backup, on a disk with not one byte left."""
    with small_disk(tmp_path / "disk") as disk:
        database = filled_database(disk / "taskforce.db")
        for old in backup.list_backups(database):
            old.path.unlink()
        backup.create_backup(database)
        fill_disk(disk)
        yield disk


@pytest.mark.parametrize(
    ("command", "status"), [("check", 0), ("backup --list", 0), ("backup", 1), ("restore FILE", 1)]
)
def test_a_full_disk(full: Path, capsys: pytest.CaptureFixture[str], command: str, status: int) -> None:
    before = files_as_they_are(full)

    done = run(capsys, "--data-dir", str(full), *COMMANDS[command](full))

    done.assert_plain()
    assert done.status == status, done.err
    if status == 1:
        assert (len(done.err.splitlines()) == 1 and "left as it was" in done.err) or "were kept" in done.err
    assert files_as_they_are(full) == before


def test_opening_on_a_full_disk_says_so_and_offers_no_restore(
    full: Path, monkeypatch: pytest.MonkeyPatch, qapp: object
) -> None:
    before = files_as_they_are(full)
    with pytest.raises(StorageError, match="is full"):
        Store.open(db.sqlite_url(full / "taskforce.db"))
    shown: list[str] = []
    monkeypatch.setattr(application, "show_open_error", shown.append)
    monkeypatch.setattr(application, "recover", lambda *_args: pytest.fail("a full disk is no damage"))
    monkeypatch.setattr(application, "event_loop", lambda _app: pytest.fail("the window must not open"))

    status = application.run_gui(
        argparse.Namespace(database_url=db.sqlite_url(full / "taskforce.db"), data_dir=None, verbose=False)
    )

    assert status == 1
    assert len(shown) == 1 and "The disk that holds taskforce.db is full" in shown[0]
    assert files_as_they_are(full) == before


def test_the_self_test_with_its_temporary_folder_on_a_full_disk(full: Path) -> None:
    done = subprocess_run(["--self-test"], env={"TMPDIR": str(full)})

    [line] = done.stdout.splitlines()
    assert (done.returncode, "self-test passed" in line) in ((0, True), (1, False)), line
    assert "Traceback" not in done.stdout + done.stderr


# The commands that came with import, export, copy and the HTTP API: they open the database through
# the store, and refuse a bad URL the same way (their exit status for any failure is 1).
TRANSFER_COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "export": lambda data: ["export", "tasks", "-o", str(data.parent / "tasks.csv")],
    "import": lambda data: ["import", "tasks", str(a_backup(data))],
    "copy": lambda data: ["copy", "--to", db.sqlite_url(data.parent / "copy.db")],
    "serve": lambda _data: ["serve", "--port", "0"],
}


@pytest.mark.parametrize("url", [url for url in BAD_URLS.values() if url != "sqlite://"])
@pytest.mark.parametrize("command", TRANSFER_COMMANDS, ids=TRANSFER_COMMANDS.keys())
def test_a_bad_url_for_the_transfer_and_api_commands(
    data: Path, capsys: pytest.CaptureFixture[str], command: str, url: str
) -> None:
    before = files_as_they_are(data)

    done = run(capsys, "--data-dir", str(data), "--database-url", url, *TRANSFER_COMMANDS[command](data))

    message = done.refused(1)
    assert not any(secret in message for secret in SECRETS), message
    assert files_as_they_are(data) == before
    assert sorted(path.name for path in data.parent.iterdir()) == ["data"]  # no export, no copy
