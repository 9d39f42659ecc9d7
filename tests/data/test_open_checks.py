"""What opening a file costs: Alembic only when a migration is due, quick_check when it is worth it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from desktop import db
from desktop.store import Store


def test_the_revisions_the_app_knows_are_alembics_history() -> None:
    scripts = ScriptDirectory.from_config(db.alembic_config())
    oldest_first = tuple(script.revision for script in reversed(list(scripts.walk_revisions())))
    assert db.REVISIONS == oldest_first
    assert db.head_revision() == scripts.get_current_head()


def test_a_database_at_the_head_opens_without_alembic(tmp_path: Path) -> None:
    url = db.sqlite_url(tmp_path / "taskforce.db")
    Store.open(url).close()  # created and migrated
    probe = (
        "import sys\n"
        "from desktop.store import Store\n"
        f"Store.open({url!r}).close()\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'alembic'))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "taskforce.db"
    Store.open(db.sqlite_url(path)).close()
    return path


def test_small_files_are_always_quick_checked(database: Path) -> None:
    assert db._needs_quick_check(database, db.HEAD_REVISION)


def test_a_large_file_closed_cleanly_at_the_head_skips_the_quick_check(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "ALWAYS_QUICK_CHECK_BYTES", 0)
    assert not db._needs_quick_check(database, db.HEAD_REVISION)


def test_a_large_file_is_checked_after_an_unclean_shutdown_or_before_a_migration(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "ALWAYS_QUICK_CHECK_BYTES", 0)
    assert db._needs_quick_check(database, db.REVISIONS[0])
    database.with_name(database.name + "-wal").write_bytes(b"\0" * 32)
    assert db._needs_quick_check(database, db.HEAD_REVISION)
