"""Writing rows to CSV, JSON, newline-delimited JSON and .xlsx, one row at a time.

CSV and .xlsx text cells that a spreadsheet would run as a formula are defused; JSON keeps the text
as it is. Timestamps are ISO 8601 in UTC, enums their stored value.
"""

from __future__ import annotations

import csv
import io
import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import IO, Any

from desktop.transfer.formulas import defuse
from desktop.transfer.readers import FileFormat


def plain(value: Any) -> Any:
    """A value as JSON holds it: ISO 8601 timestamps, enum values, everything else as it is."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


class RowWriter(ABC):
    def __init__(self, binary: IO[bytes], columns: Sequence[str]) -> None:
        self.binary = binary
        self.columns = list(columns)

    @abstractmethod
    def write(self, values: Sequence[Any]) -> None: ...

    @abstractmethod
    def finish(self) -> None: ...


class CsvWriter(RowWriter):
    def __init__(self, binary: IO[bytes], columns: Sequence[str], *, bom: bool = False) -> None:
        super().__init__(binary, columns)
        self.text = io.TextIOWrapper(
            binary, encoding="utf-8-sig" if bom else "utf-8", newline="", write_through=False
        )
        self.csv = csv.writer(self.text)
        self.csv.writerow(self.columns)

    @staticmethod
    def _cell(value: Any) -> Any:
        value = plain(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return defuse(value)
        return "" if value is None else value

    def write(self, values: Sequence[Any]) -> None:
        self.csv.writerow([self._cell(value) for value in values])

    def finish(self) -> None:
        self.text.flush()
        self.text.detach()


class JsonWriter(RowWriter):
    """A JSON list of objects, one object per line, written as the rows come."""

    def __init__(self, binary: IO[bytes], columns: Sequence[str]) -> None:
        super().__init__(binary, columns)
        self.text = io.TextIOWrapper(binary, encoding="utf-8", newline="\n")
        self.text.write("[")
        self.first = True

    def write(self, values: Sequence[Any]) -> None:
        item = json.dumps(dict(zip(self.columns, map(plain, values), strict=True)), ensure_ascii=False)
        self.text.write(("\n" if self.first else ",\n") + item)
        self.first = False

    def finish(self) -> None:
        self.text.write("\n]\n" if not self.first else "]\n")
        self.text.flush()
        self.text.detach()


class NdjsonWriter(RowWriter):
    def __init__(self, binary: IO[bytes], columns: Sequence[str]) -> None:
        super().__init__(binary, columns)
        self.text = io.TextIOWrapper(binary, encoding="utf-8", newline="\n")

    def write(self, values: Sequence[Any]) -> None:
        item = json.dumps(dict(zip(self.columns, map(plain, values), strict=True)), ensure_ascii=False)
        self.text.write(item + "\n")

    def finish(self) -> None:
        self.text.flush()
        self.text.detach()


class XlsxWriter(RowWriter):
    """A write-only workbook: rows go to a temporary sheet file, not memory."""

    def __init__(self, binary: IO[bytes], columns: Sequence[str]) -> None:
        from openpyxl import Workbook

        super().__init__(binary, columns)
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet()
        self.sheet.append(self.columns)

    @staticmethod
    def _cell(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()  # text: a spreadsheet's date cells cannot hold a time zone
        value = plain(value)
        return defuse(value) if isinstance(value, str) else value

    def write(self, values: Sequence[Any]) -> None:
        self.sheet.append([self._cell(value) for value in values])

    def finish(self) -> None:
        self.workbook.save(self.binary)


def row_writer(
    file_format: FileFormat, binary: IO[bytes], columns: Sequence[str], *, bom: bool = False
) -> RowWriter:
    if file_format is FileFormat.CSV:
        return CsvWriter(binary, columns, bom=bom)
    if file_format is FileFormat.JSON:
        return JsonWriter(binary, columns)
    if file_format is FileFormat.NDJSON:
        return NdjsonWriter(binary, columns)
    return XlsxWriter(binary, columns)
