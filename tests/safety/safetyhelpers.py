"""Helpers for the data-safety tests: digests of files and tables, filled databases, concurrent writes."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from desktop import db
from desktop.store import Store

TABLES = ("team", "hero", "item", "user", "task")
SELECT_ALL = {
    "team": 'SELECT * FROM "team" ORDER BY id',
    "hero": 'SELECT * FROM "hero" ORDER BY id',
    "item": 'SELECT * FROM "item" ORDER BY id',
    "user": 'SELECT * FROM "user" ORDER BY id',
    "task": 'SELECT * FROM "task" ORDER BY id',
}


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def table_digests(path: Path) -> dict[str, str]:
    """One hash per table of every row, read without writing to the file."""
    with sqlite3.connect(db.read_only_uri(path), uri=True) as connection:
        return {
            name: hashlib.sha256(repr(connection.execute(sql).fetchall()).encode()).hexdigest()
            for name, sql in SELECT_ALL.items()
        }


def integrity(path: Path) -> list[str]:
    with sqlite3.connect(db.read_only_uri(path), uri=True) as connection:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]


def fill(store: Store, tasks: int = 3) -> None:
    """A little of everything: a team with a hero, an item, a user owning tasks."""
    team = store.teams.create({"name": "Avengers"})
    store.heroes.create({"name": "Thor", "power": "thunder", "level": 9, "team_id": team.id})
    store.items.create({"name": "Widget", "price": 9.99, "description": "small"})
    owner = store.users.create({"username": "alice", "email": "alice@example.com"})
    for number in range(tasks):
        store.tasks.create({"title": f"Task {number}", "owner_id": owner.id, "description": "d" * 100})


def filled_database(path: Path, tasks: int = 3) -> Path:
    with Store.open(db.sqlite_url(path)) as store:
        fill(store, tasks)
    return path


def run_without_write_permission(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run Python code in a process that file permissions apply to, also when the tests run as root."""
    command = [sys.executable, "-c", script, *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be enforced")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner,-chown", *command]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


@contextmanager
def writing_items(database: Path, before: int = 20) -> Iterator[None]:
    """Another connection adds items "Item 0", "Item 1", ... one commit each for as long as the block runs;
    the block starts once `before` of them are written."""
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        with Store.open(db.sqlite_url(database)) as store:
            number = 0
            while not stop.is_set():
                store.items.create({"name": f"Item {number}", "price": number})
                written.append(number)
                number += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < before:
            threading.Event().wait(0.01)
        yield
    finally:
        stop.set()
        thread.join()


def item_numbers(path: Path) -> list[int]:
    """The numbers of the items `writing_items` wrote that are in the database file, in order."""
    with sqlite3.connect(path) as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM item WHERE name LIKE 'Item %'")]
    return sorted(int(name.split()[1]) for name in names)


@contextmanager
def small_disk(folder: Path, size_kb: int = 2048) -> Iterator[Path]:
    """A tmpfs of `size_kb` on `folder`: a disk that really fills up (skipped where none can be mounted)."""
    if sys.platform != "linux" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a small disk needs root on Linux (mount -t tmpfs)")
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"no tmpfs can be mounted here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill_disk(folder: Path) -> Path:
    """Write a file in `folder` until its disk has not one byte left; return it."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                continue
    finally:
        os.close(fd)
    assert shutil.disk_usage(folder).free == 0
    return filler


def files_as_they_are(
    folder: Path, *, skip: tuple[str, ...] = ("logs", "filler")
) -> dict[str, tuple[str, int]]:
    """Every file under `folder` with its digest and modification time (the logs and the filler aside).

    A -shm is SQLite's shared-memory index of a write-ahead log, rebuilt by whoever reads the file:
    only that it is there counts.
    """
    found: dict[str, tuple[str, int]] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if relative.parts[0] in skip or not path.is_file():
            continue
        found[str(relative)] = (
            ("", 0) if path.name.endswith("-shm") else (file_digest(path), path.stat().st_mtime_ns)
        )
    return found
