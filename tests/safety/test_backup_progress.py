"""Backups and restores say how far they are, and a copy made in steps is still one committed state."""

from __future__ import annotations

from pathlib import Path

import pytest
from safetyhelpers import filled_database, integrity, item_numbers, table_digests, writing_items

from desktop import backup, db
from desktop.store import Store


def big_database(path: Path, tasks: int = 400) -> Path:
    """Enough pages that a copy takes several steps."""
    filled_database(path)
    with Store.open(db.sqlite_url(path)) as store:
        for number in range(tasks):
            store.tasks.create({"title": f"Long {number}", "owner_id": 1, "description": "x" * 4000})
    return path


def remaining_into(remaining: list[int]) -> backup.Progress:
    return lambda done, total: remaining.append(total - done)


@pytest.fixture
def small_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup, "COPY_STEP_PAGES", 16)


def test_a_backup_reports_its_copy_page_by_page_then_its_check(tmp_path: Path, small_steps: None) -> None:
    database = big_database(tmp_path / "taskforce.db")
    reports: list[tuple[int, int]] = []

    info = backup.create_backup(
        database, backup.MANUAL, progress=lambda done, total: reports.append((done, total))
    )

    copying = [report for report in reports if report[1]]
    assert len(copying) > 5
    totals = {total for _done, total in copying}
    assert len(totals) == 1
    [total] = totals
    assert [done for done, _total in copying] == sorted(done for done, _total in copying)
    assert copying[-1] == (total, total)
    assert reports[-1] == (0, 0)  # then the new file is checked, for an unknown while
    assert integrity(info.path) == ["ok"]
    assert table_digests(info.path) == table_digests(database)


def test_a_restore_reports_one_rising_whole(tmp_path: Path, small_steps: None) -> None:
    database = big_database(tmp_path / "taskforce.db")
    saved = backup.create_backup(database, backup.MANUAL)
    at_backup = table_digests(database)
    with Store.open(db.sqlite_url(database)) as store:
        store.tasks.delete_many([1, 2])
    reports: list[tuple[int, int]] = []

    backup.restore(database, saved.path, progress=lambda done, total: reports.append((done, total)))

    copying = [done / total for done, total in reports if total]
    assert copying == sorted(copying)
    assert copying[0] < 0.5 and copying[-1] == 1.0
    assert any(0.5 < share < 1.0 for share in copying)  # the backup of the data it replaced
    assert table_digests(database) == at_backup


def test_a_copy_in_steps_during_concurrent_writes_is_one_committed_state(
    tmp_path: Path, small_steps: None
) -> None:
    database = big_database(tmp_path / "taskforce.db", tasks=200)
    copies = []
    with writing_items(database):
        for _ in range(3):
            remaining: list[int] = []
            copies.append(backup.create_backup(database, progress=remaining_into(remaining)))
            copying = remaining[: remaining.index(0) + 1]
            assert copying == sorted(copying, reverse=True)  # never started over

    for info in copies:
        assert integrity(info.path) == ["ok"]
        numbers = item_numbers(info.path)
        assert numbers == list(range(len(numbers)))  # a committed prefix, no gaps
