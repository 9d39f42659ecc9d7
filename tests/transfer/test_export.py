"""Export: the view's rows, defused formulas in CSV/xlsx (kept in JSON), BOM, no partial file."""

from __future__ import annotations

from pathlib import Path

import pytest
from transferhelpers import AWKWARD, records, run_export, seed

from desktop.store import ENTITIES, Store
from desktop.transfer.exporting import ExportCancelled, ExportRequest, export_rows
from desktop.transfer.readers import FileFormat


@pytest.fixture
def seeded(sqlite_store: Store) -> Store:
    seed(sqlite_store)
    return sqlite_store


@pytest.mark.parametrize("file_format", [FileFormat.CSV, FileFormat.XLSX])
def test_formula_cells_are_defused_in_spreadsheets(
    seeded: Store, tmp_path: Path, file_format: FileFormat
) -> None:
    path = run_export(seeded, "task", tmp_path / f"tasks.{file_format}", file_format)
    titles = [row["title"] for row in records(path, file_format)]
    assert "'=SUM(A1:A2)" in titles and "'-minus" in titles and "''=already quoted" in titles
    assert "=SUM(A1:A2)" not in titles


@pytest.mark.parametrize("file_format", [FileFormat.JSON, FileFormat.NDJSON])
def test_json_keeps_the_text_as_it_is(seeded: Store, tmp_path: Path, file_format: FileFormat) -> None:
    path = run_export(seeded, "task", tmp_path / f"tasks.{file_format}", file_format)
    assert [row["title"] for row in records(path, file_format)] == AWKWARD


def test_references_as_id_and_name_and_timestamps_in_utc(seeded: Store, tmp_path: Path) -> None:
    path = run_export(seeded, "task", tmp_path / "tasks.json")
    row = records(path, FileFormat.JSON)[0]
    assert list(row) == [
        "id",
        "title",
        "description",
        "status",
        "created_at",
        "completed_at",
        "owner_id",
        "owner",
    ]
    assert row["owner"] == "Bøb 🚀" and isinstance(row["owner_id"], int)
    assert row["created_at"].endswith("+00:00")


def test_bom_only_when_asked(seeded: Store, tmp_path: Path) -> None:
    plain = run_export(seeded, "user", tmp_path / "plain.csv")
    marked = run_export(seeded, "user", tmp_path / "marked.csv", bom=True)
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    assert marked.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()


def test_the_current_view_filter_search_and_sort(seeded: Store, tmp_path: Path) -> None:
    alice = next(user for user in seeded.users.list() if user.username == "alice")
    path = run_export(
        seeded,
        "task",
        tmp_path / "view.json",
        order_by="title",
        descending=True,
        filters={"owner_id": alice.id},
    )
    titles = [row["title"] for row in records(path, FileFormat.JSON)]
    assert titles == sorted((t for n, t in enumerate(AWKWARD) if n % 2), reverse=True)
    searched = run_export(seeded, "task", tmp_path / "search.json", search="lines")
    found = {row["title"] for row in records(searched, FileFormat.JSON)}
    assert found == {"two\nlines", 'He said "hi", then left'}  # the second by its description


def test_a_cancelled_export_leaves_the_folder_as_it_was(seeded: Store, tmp_path: Path) -> None:
    target = tmp_path / "tasks.csv"
    target.write_text("what was there before")
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(ExportCancelled):
        export_rows(seeded, ExportRequest(ENTITIES["task"]), target, should_stop=lambda: True)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert target.read_text() == "what was there before"


def test_a_failed_export_leaves_no_partial_file(seeded: Store, tmp_path: Path) -> None:
    calls: list[int] = []

    def fail(done: int, total: int) -> None:
        calls.append(done)
        raise OSError(28, "No space left on device")

    from desktop.errors import TaskforceError

    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(TaskforceError, match="No space left"):
        export_rows(seeded, ExportRequest(ENTITIES["task"]), folder / "tasks.csv", progress=fail)
    assert calls and list(folder.iterdir()) == []
