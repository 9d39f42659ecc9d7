"""Reading files: encodings, delimiters, quoting, headers, JSON, NDJSON and .xlsx; created_at kept."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from transferhelpers import AWKWARD, run_import, write_csv

from desktop.store import Store
from desktop.transfer.readers import detect_encoding

HEADER = "Title,Description,Owner\n"


@pytest.fixture
def owner(sqlite_store: Store) -> Store:
    sqlite_store.users.create({"username": "alice", "email": "alice@example.com"})
    return sqlite_store


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_encodings_are_detected(owner: Store, tmp_path: Path, encoding: str) -> None:
    title = "Zoë\u2019s café — €5" if encoding == "cp1252" else "Zoë 🚀 مرحبا e\u0301"
    path = write_csv(tmp_path / "tasks.csv", f"{HEADER}{title},x,alice\n", encoding)
    result = run_import(owner, "task", path)
    assert result.rejected == [] and result.imported == 1
    assert owner.tasks.list()[0].title == title


def test_detection_rules() -> None:
    assert detect_encoding("é".encode()) == "utf-8"
    assert detect_encoding("é".encode("cp1252")) == "cp1252"
    assert detect_encoding("\ufeffa".encode()) == "utf-8-sig"
    assert detect_encoding("ab".encode("utf-16")) == "utf-16"


def test_the_encoding_can_be_overridden(owner: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tasks.csv", f"{HEADER}Ã©t,x,alice\n", "utf-8")
    result = run_import(owner, "task", path, encoding="latin-1")
    assert owner.tasks.get(result.ids[0]).title == "Ã©t".encode().decode("latin-1")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_are_sniffed_and_quoting_kept(owner: Store, tmp_path: Path, delimiter: str) -> None:
    cells = ['"He said ""hi"", then left"', '"two\nlines; and, tabs\tinside"', "alice"]
    path = write_csv(
        tmp_path / "tasks.csv",
        delimiter.join(["title", "description", "owner"]) + "\n" + delimiter.join(cells) + "\n",
    )
    result = run_import(owner, "task", path)
    assert result.rejected == []
    task = owner.tasks.get(result.ids[0])
    assert task.title == 'He said "hi", then left'
    assert task.description == "two\nlines; and, tabs\tinside"


def test_the_delimiter_can_be_overridden(owner: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tasks.csv", "title|owner\nA|alice\n")
    assert run_import(owner, "task", path, delimiter="|").imported == 1


def test_lines_are_counted_across_quoted_newlines(owner: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tasks.csv", 'title,description,owner\nA,"one\ntwo\nthree",alice\n,x,alice\n')
    result = run_import(owner, "task", path)
    assert [str(r) for r in result.rejected] == ["line 5: title: is required"]


def test_columns_match_by_label_in_any_case_and_unknown_ones_are_skipped(
    owner: Store, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "tasks.csv", "TITLE,Owner Id,colour\nA,1,red\n")
    result = run_import(owner, "task", path)
    assert result.imported == 1 and result.skipped_columns == ["colour"]


def test_created_at_is_kept_and_naive_means_utc(owner: Store, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "tasks.csv",
        "title,owner,created_at\nA,alice,2024-03-01T10:30:00\nB,alice,2024-03-01T12:00:00+02:00\nC,alice,\n",
    )
    result = run_import(owner, "task", path)
    a, b, c = (owner.tasks.get(row_id) for row_id in result.ids)
    assert a.created_at == datetime(2024, 3, 1, 10, 30, tzinfo=UTC)
    assert b.created_at == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert abs((c.created_at - datetime.now(UTC)).total_seconds()) < 60


def test_json_list_and_ndjson(owner: Store, tmp_path: Path) -> None:
    import json

    items = [{"title": text, "owner": "alice"} for text in AWKWARD]
    (tmp_path / "tasks.json").write_text(json.dumps(items, indent=2), encoding="utf-8")
    (tmp_path / "tasks.ndjson").write_text(
        "\n".join(json.dumps(item) for item in items) + "\n", encoding="utf-8"
    )
    for name in ("tasks.json", "tasks.ndjson"):
        result = run_import(owner, "task", tmp_path / name)
        assert result.rejected == []
        assert [owner.tasks.get(row_id).title for row_id in result.ids] == AWKWARD  # kept as they are


def test_json_errors_name_the_line(owner: Store, tmp_path: Path) -> None:
    (tmp_path / "tasks.json").write_text(
        '[\n{"title": "A", "owner": "alice"},\n{"title": "", "owner": "alice"}\n]'
    )
    result = run_import(owner, "task", tmp_path / "tasks.json")
    assert [str(r) for r in result.rejected] == ["line 3: title: is required"]


def test_xlsx(owner: Store, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["title", "owner", "status"])
    sheet.append(["'=defused", "alice", "done"])
    sheet.append(["Plain 🚀", "alice", "todo"])
    sheet.append([None, "alice", "todo"])
    workbook.save(tmp_path / "tasks.xlsx")
    result = run_import(owner, "task", tmp_path / "tasks.xlsx", valid_only=True)
    assert [str(r) for r in result.rejected] == ["line 4: title: is required"]
    assert [owner.tasks.get(row_id).title for row_id in result.ids] == ["=defused", "Plain 🚀"]
