"""Export one entity's rows (a view's filters, search and sort, or the whole table) to a file.

Rows are read through one cursor and written as they come. The file is written under a temporary
name beside the target and renamed into place at the end, so a cancelled or failed export leaves
no partial file and an existing file untouched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from desktop.errors import TaskforceError
from desktop.store import Entity, Store
from desktop.transfer.fields import export_columns
from desktop.transfer.readers import FileFormat
from desktop.transfer.writers import row_writer

ExportProgress = Callable[[int, int], None]  # (rows written, rows in all)


class ExportCancelled(TaskforceError):
    """The person cancelled the export; no file was written."""


@dataclass
class ExportRequest:
    entity: Entity
    file_format: FileFormat = FileFormat.CSV
    search: str | None = None
    order_by: str | None = None
    descending: bool = False
    filters: Mapping[str, Any] = field(default_factory=dict)
    bom: bool = False


@dataclass(frozen=True)
class ExportResult:
    rows: int
    seconds: float
    path: Path | None  # None when written to standard output

    def summary(self, entity: Entity) -> str:
        what = entity.plural if self.rows != 1 else entity.label.lower()
        where = f" to {self.path}" if self.path is not None else ""
        return f"exported {self.rows:,} {what}{where} in {self.seconds:.1f} s"


def _write_rows(
    store: Store,
    request: ExportRequest,
    binary: IO[bytes],
    progress: ExportProgress | None,
    should_stop: Callable[[], bool] | None,
) -> int:
    entity = request.entity
    repository = store.repository(entity.name)
    filters = dict(request.filters)
    total = repository.count(request.search, **filters) if progress is not None else 0
    columns = export_columns(entity)
    writer = row_writer(request.file_format, binary, columns, bom=request.bom)
    written = 0
    # closing(): a cancel or failure ends the read transaction at once, not when the generator is collected.
    batches = repository.stream(request.search, request.order_by, request.descending, **filters)
    with closing(batches):
        for records in batches:
            if should_stop is not None and should_stop():
                raise ExportCancelled("The export was cancelled: no file was written.")
            for record in records:
                values = record.read.__dict__
                writer.write([record.refs[name] if name in record.refs else values[name] for name in columns])
            written += len(records)
            if progress is not None:
                progress(written, max(total, written))
    writer.finish()
    return written


def export_rows(
    store: Store,
    request: ExportRequest,
    target: Path | None,
    *,
    progress: ExportProgress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ExportResult:
    """Write the rows to target (None: standard output). Raises TaskforceError with a message to show."""
    started = time.perf_counter()
    if target is None:
        rows = _write_rows(store, request, sys.stdout.buffer, progress, should_stop)
        sys.stdout.buffer.flush()
        return ExportResult(rows, time.perf_counter() - started, None)
    target = target.expanduser()
    folder = target.parent.resolve()
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=folder)
    except OSError as error:
        raise TaskforceError(f"Cannot write in {folder}: {error.strerror or error}.") from error
    try:
        with os.fdopen(handle, "wb") as binary:
            rows = _write_rows(store, request, binary, progress, should_stop)
            binary.flush()
            os.fsync(binary.fileno())
        os.replace(temporary, target)
    except OSError as error:
        raise TaskforceError(f"Cannot write {target}: {error.strerror or error}.") from error
    finally:
        Path(temporary).unlink(missing_ok=True)
    return ExportResult(rows, time.perf_counter() - started, target)
