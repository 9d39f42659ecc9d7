"""Helpers for the transfer tests: a varied data set, running an import or export in one call."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

import desktop.models  # noqa: F401  (registers the tables)
from desktop.models import TaskStatus
from desktop.store import ENTITIES, Store
from desktop.transfer.exporting import ExportRequest, export_rows
from desktop.transfer.importing import Importer, ImportResult
from desktop.transfer.readers import FileFormat, format_of, open_rows

# Text that must survive every trip: emoji, right-to-left, combining marks, quotes, a newline, a formula.
AWKWARD = [
    "Plan 🚀 launch 👩🏽‍💻",
    "مرحبا بالعالم",
    "Cafe\u0301 und Zoë",
    'He said "hi", then left',
    "two\nlines",
    "=SUM(A1:A2)",
    "-minus",
    "'=already quoted",
]


def seed(store: Store) -> None:
    """A little of everything, with the awkward texts in every text field."""
    alice = store.users.create({"username": "alice", "email": "alice@example.com"})
    bob = store.users.create({"username": "Bøb 🚀", "email": "bob@example.com"})
    for n, text in enumerate(AWKWARD):
        owner = alice if n % 2 else bob
        store.tasks.create(
            {
                "title": text,
                "description": AWKWARD[-1 - n],
                "status": list(TaskStatus)[n % 3],
                "owner_id": owner.id,
            }
        )
    avengers = store.teams.create({"name": "Avengers ✨"})
    store.teams.create({"name": "=Formula team"})
    store.heroes.create({"name": "Thor", "power": "Lightning ⚡", "level": 80, "team_id": avengers.id})
    store.heroes.create({"name": "Solo", "power": "@mention", "level": 3})
    store.items.create({"name": "Widget", "description": "+plus", "price": 12.99, "in_stock": True})
    store.items.create({"name": "Gadget", "price": 0.0, "in_stock": False})


def table_contents(store: Store, *, without_ids: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    contents: dict[str, list[tuple[Any, ...]]] = {}
    with store.engine.connect() as connection:
        for name in ("team", "hero", "item", "user", "task"):
            table = SQLModel.metadata.tables[name]
            rows = connection.execute(sa.select(table).order_by(table.c.id)).all()
            contents[name] = [tuple(row) for row in rows]
    return contents


def run_import(store: Store, entity: str, path: Path, **options: Any) -> ImportResult:
    reading = {key: options.pop(key) for key in ("encoding", "delimiter", "file_format") if key in options}
    file_format = format_of(path, reading.pop("file_format", None))
    rows = open_rows(path, file_format, **reading)
    return Importer(store, ENTITIES[entity], rows, file_format).run(**options)


def run_export(
    store: Store, entity: str, path: Path, file_format: FileFormat | None = None, **options: Any
) -> Path:
    chosen = file_format or format_of(path)
    export_rows(store, ExportRequest(ENTITIES[entity], chosen, **options), path)
    return path


def records(path: Path, file_format: FileFormat) -> list[dict[str, Any]]:
    """The rows of an exported file as dicts of text, to compare files."""
    if file_format is FileFormat.CSV:
        return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    if file_format is FileFormat.JSON:
        return list(json.loads(path.read_text(encoding="utf-8")))
    if file_format is FileFormat.NDJSON:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    width = len(rows[0])  # a read-only sheet leaves out the empty cells at the end of a row
    return [dict(zip(rows[0], (*row, *[None] * (width - len(row))), strict=True)) for row in rows[1:]]


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
