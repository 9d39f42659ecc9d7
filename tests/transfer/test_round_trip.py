"""Export, import into an empty database, export again: the same rows, created_at included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from transferhelpers import records, run_export, run_import, seed

from desktop.store import ENTITIES, Store
from desktop.transfer.readers import FileFormat

# Parents first, so that the children's references by name find them.
ORDER = ("user", "team", "task", "hero", "item")


def _without_ids(rows: list[dict[str, Any]], entity: str) -> list[dict[str, Any]]:
    ids = {"id", *(reference.field for reference in ENTITIES[entity].references)}
    return [{key: value for key, value in row.items() if key not in ids} for row in rows]


@pytest.mark.parametrize("file_format", list(FileFormat))
def test_round_trip_on_every_database(
    store: Store, tmp_path: Path, file_format: FileFormat, sqlite_url: str
) -> None:
    source = Store.open(f"sqlite:///{tmp_path / 'source.db'}")
    try:
        seed(source)
        first = {name: run_export(source, name, tmp_path / f"{name}-1.{file_format}") for name in ORDER}
    finally:
        source.close()
    for name in ORDER:
        result = run_import(store, name, first[name])
        assert result.rejected == [], result.rejected
    for name in ORDER:
        second = run_export(store, name, tmp_path / f"{name}-2.{file_format}")
        before, after = records(first[name], file_format), records(second, file_format)
        assert before, f"nothing exported for {name}"
        assert _without_ids(after, name) == _without_ids(before, name)
