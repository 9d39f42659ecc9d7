"""SIGKILL at random moments while committing: every acknowledged commit survives, the file stays sound.

The long run (200 cycles) is `scripts/crash_loop.py`; its figures are in docs/reliability.md.
"""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from contextlib import closing
from pathlib import Path
from types import ModuleType

import pytest
from safetyhelpers import integrity

from desktop import backup, db
from desktop.store import Store

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "crash_loop.py"
CI_CYCLES = 20


def crash_loop() -> ModuleType:
    spec = importlib.util.spec_from_file_location("crash_loop", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["crash_loop"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_kill_loop_loses_no_acknowledged_commit(tmp_path: Path) -> None:
    figures = crash_loop().run(CI_CYCLES, tmp_path, seed=20261125)

    assert figures.failures == []
    assert figures.cycles == CI_CYCLES
    assert figures.killed_while_writing > 0 and figures.acknowledged > 0
    database = tmp_path / "taskforce.db"
    assert integrity(database) == ["ok"]
    with Store.open(db.sqlite_url(database)) as store:  # and it opens and works as usual afterwards
        assert store.items.count() > 1
        store.items.create({"name": "after the crashes", "price": 1})
    for info in backup.list_backups(database):  # a backup cut short by a kill never shows as one
        backup.verify(info.path)


def test_the_check_notices_a_lost_commit(tmp_path: Path) -> None:
    module = crash_loop()
    database = tmp_path / "taskforce.db"
    with Store.open(db.sqlite_url(database)) as store:
        store.items.create({"name": "counter", "price": 3})
        store.items.create({"name": "edit 1", "price": 1})
        store.items.create({"name": "edit 2", "price": 5})

    assert module.check(database, {1}, 3) == []
    assert module.check(database, {1, 2, 4}, 7) == [
        "edit 2 has price 5.0",
        "acknowledged create 4 is missing",
        "counter is 3.0, but update 7 was acknowledged",
    ]
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT count(*) FROM item").fetchone() == (3,)
