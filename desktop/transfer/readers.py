"""Reading rows from CSV, JSON, newline-delimited JSON and .xlsx files, streamed.

A reader gives the header once and then (line, cells) pairs: the line where the row starts in
the file (the header is line 1), for messages that point at it.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

SNIFF_BYTES = 64 * 1024
JSON_CHUNK = 256 * 1024
DELIMITERS = ",;\t|"


class FileFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    NDJSON = "ndjson"
    XLSX = "xlsx"


SUFFIXES = {
    ".csv": FileFormat.CSV,
    ".tsv": FileFormat.CSV,
    ".txt": FileFormat.CSV,
    ".json": FileFormat.JSON,
    ".ndjson": FileFormat.NDJSON,
    ".jsonl": FileFormat.NDJSON,
    ".xlsx": FileFormat.XLSX,
}


class ReadError(Exception):
    """The file cannot be read as the format it was taken for; the message says why."""


def format_of(path: Path, given: str | None = None) -> FileFormat:
    if given:
        return FileFormat(given.lower())
    try:
        return SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise ReadError(
            f"Cannot tell the format of {path.name} from its name: choose csv, json, ndjson or xlsx."
        ) from None


def detect_encoding(sample: bytes, *, whole_file: bool = True) -> str:
    """UTF-8 (with or without BOM), UTF-16 (by its BOM, or by its zero bytes) or else Windows-1252.

    A sample cut from a longer file may end inside a UTF-8 character: that end is not held against it.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    even, odd = sample[0::2], sample[1::2]
    if len(sample) >= 4 and odd.count(0) > len(odd) // 2 and even.count(0) == 0:
        return "utf-16-le"
    if len(sample) >= 4 and even.count(0) > len(even) // 2 and odd.count(0) == 0:
        return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=whole_file)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str
    quotechar: str = '"'


def sniff_dialect(text: str) -> CsvDialect:
    """The delimiter and quote character of a sample; a comma when the sample does not say."""
    try:
        sniffed = csv.Sniffer().sniff(text, delimiters=DELIMITERS)
    except csv.Error:
        first_line = text.split("\n", 1)[0]
        counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return CsvDialect(best if counts[best] else ",")
    return CsvDialect(sniffed.delimiter, sniffed.quotechar or '"')


@dataclass
class Rows:
    """An open file's header and its rows; `fraction()` says how far the reading is (0 to 1)."""

    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    fraction_read: Callable[[], float] | None
    encoding: str | None = None
    delimiter: str | None = None
    _stack: ExitStack = field(default_factory=ExitStack)

    def fraction(self) -> float:
        return self.fraction_read() if self.fraction_read is not None else 0.0

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Rows:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _size_fraction(binary: IO[bytes], size: int) -> Callable[[], float]:
    return lambda: min(1.0, binary.tell() / size) if size else 1.0


def open_rows(
    path: Path,
    file_format: str | None = None,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Rows:
    """Open a file for reading its rows; raises ReadError with a message fit to show."""
    chosen = format_of(path, file_format)
    stack = ExitStack()
    try:
        binary = stack.enter_context(path.open("rb"))
        size = path.stat().st_size
        if chosen is FileFormat.XLSX:
            rows = _xlsx_rows(stack, binary)
        else:
            sample = binary.read(SNIFF_BYTES)
            used = encoding or detect_encoding(sample, whole_file=len(sample) < SNIFF_BYTES)
            binary.seek(0)
            codecs.lookup(used)
            text = stack.enter_context(io.TextIOWrapper(binary, encoding=used, newline=""))
            if chosen is FileFormat.CSV:
                rows = _csv_rows(text, delimiter)
            elif chosen is FileFormat.NDJSON:
                rows = _ndjson_rows(text)
            else:
                rows = _json_rows(text)
            rows.encoding = used
        rows.fraction_read = _size_fraction(binary, size)
        rows._stack = stack
        return rows
    except LookupError as error:
        stack.close()
        raise ReadError(f"Unknown encoding: {encoding}") from error
    except UnicodeDecodeError as error:
        stack.close()
        raise ReadError(
            f"{path.name} is not in the encoding {encoding or 'detected'}: {error.reason}."
        ) from error
    except OSError as error:
        stack.close()
        raise ReadError(f"Cannot read {path}: {str(error.strerror or error).rstrip('.')}.") from error
    except ReadError:
        stack.close()
        raise


def _csv_rows(text: IO[str], delimiter: str | None) -> Rows:
    sample = text.read(SNIFF_BYTES)
    text.seek(0)
    if delimiter is not None:
        dialect = CsvDialect("\t" if delimiter in ("\\t", "tab") else delimiter)
    else:
        dialect = sniff_dialect(sample)
    reader = csv.reader(text, delimiter=dialect.delimiter, quotechar=dialect.quotechar, strict=False)
    try:
        header = next(reader)
    except StopIteration:
        raise ReadError("The file is empty: the first line must name the columns.") from None
    except csv.Error as error:
        raise ReadError(f"line 1: {error}") from error
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        start = reader.line_num + 1
        try:
            for cells in reader:
                if cells:  # a blank line is no row
                    yield start, cells
                start = reader.line_num + 1
        except csv.Error as error:
            raise ReadError(f"line {start}: {error}") from error

    return Rows(header, rows(), None, delimiter=dialect.delimiter)


def _object_rows(objects: Iterator[tuple[int, Any]]) -> Rows:
    """Rows from JSON objects: the header is the keys of the first object, more as they appear."""
    first = next(objects, None)
    if first is None:
        return Rows([], iter(()), None)
    header: list[str] = []
    position: dict[str, int] = {}

    def cells(line: int, value: Any) -> list[Any]:
        if not isinstance(value, dict):
            raise ReadError(f"line {line}: each row must be a JSON object, not {type(value).__name__}")
        for key in value:
            if key not in position:
                position[key] = len(header)
                header.append(str(key))
        row: list[Any] = [None] * len(header)
        for key, item in value.items():
            row[position[key]] = item
        return row

    first_cells = cells(*first)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        yield first[0], first_cells
        for line, value in objects:
            yield line, cells(line, value)

    return Rows(header, rows(), None)


def _ndjson_rows(text: IO[str]) -> Rows:
    def objects() -> Iterator[tuple[int, Any]]:
        for number, line in enumerate(text, start=1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as error:
                    raise ReadError(f"line {number}: not valid JSON ({error.msg})") from error

    return _object_rows(objects())


def _json_rows(text: IO[str]) -> Rows:
    return _object_rows(_json_array_items(text))


def _json_array_items(text: IO[str]) -> Iterator[tuple[int, Any]]:
    """The items of a JSON array read a chunk at a time, each with the line where it starts."""
    decoder = json.JSONDecoder()
    buffer = text.read(JSON_CHUNK).lstrip("\ufeff")
    line = 1
    at = 0

    def skip_space() -> None:
        nonlocal at, line
        while at < len(buffer) and buffer[at] in " \t\r\n":
            if buffer[at] == "\n":
                line += 1
            at += 1

    def refill() -> bool:
        nonlocal buffer, at
        more = text.read(JSON_CHUNK)
        buffer = buffer[at:] + more
        at = 0
        return bool(more)

    skip_space()
    if at >= len(buffer) or buffer[at] != "[":
        raise ReadError("line 1: a JSON file must hold a list of objects ([{…}, {…}])")
    at += 1
    expect_item = True
    while True:
        skip_space()
        if at >= len(buffer):
            if not refill():
                raise ReadError(f"line {line}: the JSON list is not closed with ]")
            continue
        char = buffer[at]
        if char == "]":
            return
        if char == "," and not expect_item:
            at += 1
            expect_item = True
            continue
        try:
            value, end = decoder.raw_decode(buffer, at)
        except json.JSONDecodeError as error:
            if refill():
                continue
            raise ReadError(f"line {line}: not valid JSON ({error.msg})") from error
        if end == len(buffer) and refill():  # a number may go on in the next chunk
            continue
        yield line, value
        line += buffer.count("\n", at, end)
        at = end
        expect_item = False


def _xlsx_rows(stack: ExitStack, binary: IO[bytes]) -> Rows:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, KeyError and XML errors for a bad file
        raise ReadError(f"Not a readable .xlsx workbook: {error}") from error
    stack.callback(workbook.close)
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    header_row = next(values, None)
    if header_row is None:
        raise ReadError("The sheet is empty: the first row must name the columns.")
    header = ["" if cell is None else str(cell) for cell in header_row]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, cells in enumerate(values, start=2):
            if any(cell not in (None, "") for cell in cells):
                yield number, list(cells)

    return Rows(header, rows(), None)
