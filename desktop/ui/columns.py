"""Table columns derived from an entity's Read schema: order, headers, kinds and display text."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any

from annotated_types import Ge, Le, MaxLen
from pydantic.fields import FieldInfo

from desktop.models import TaskStatus
from desktop.store import Entity, Reference

LONG_TEXT = 1_000  # text longer than this may hold paragraphs: shown on one line, whole in the tooltip
DISPLAY_CHARS = 120
TOOLTIP_CHARS = 2_000
HEADERS = {"id": "ID", "email": "E-mail", "created_at": "Created", "completed_at": "Completed"}
INTERNAL_FIELDS = frozenset({"version"})  # bookkeeping of the store, not something people read


class Kind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    FLAG = "flag"
    TIMESTAMP = "timestamp"
    STATUS = "status"
    REFERENCE = "reference"


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    kind: Kind
    editable: bool
    nullable: bool
    reference: Reference | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None

    @property
    def numeric(self) -> bool:
        return self.kind in (Kind.INTEGER, Kind.DECIMAL)

    @property
    def sort_key(self) -> str:
        """What the store orders by for this column: a reference sorts by the name it shows."""
        return self.reference.label_key if self.reference is not None else self.field


def _bare_type(annotation: Any) -> tuple[Any, bool]:
    """The annotation without None, and whether None was allowed."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return (members[0] if len(members) == 1 else str), True
    return annotation, False


def _kind(info: FieldInfo, annotation: Any, reference: Reference | None) -> Kind:
    if reference is not None:
        return Kind.REFERENCE
    if isinstance(annotation, type):
        if issubclass(annotation, bool):
            return Kind.FLAG
        if issubclass(annotation, int):
            return Kind.INTEGER
        if issubclass(annotation, float):
            return Kind.DECIMAL
        if issubclass(annotation, datetime):
            return Kind.TIMESTAMP
        if issubclass(annotation, Enum):
            return Kind.STATUS
    limits = [item.max_length for item in info.metadata if isinstance(item, MaxLen)]
    return Kind.LONG_TEXT if limits and limits[0] > LONG_TEXT else Kind.TEXT


def _limits(info: FieldInfo | None) -> dict[str, Any]:
    """The bounds an editor should enforce, as declared on the Update schema."""
    limits: dict[str, Any] = {}
    for item in info.metadata if info is not None else ():
        if isinstance(item, Ge):
            limits["minimum"] = item.ge
        elif isinstance(item, Le):
            limits["maximum"] = item.le
        elif isinstance(item, MaxLen):
            limits["max_length"] = item.max_length
    return limits


def _header(field: str, reference: Reference | None) -> str:
    if field in HEADERS:
        return HEADERS[field]
    name = reference.label_key if reference is not None else field
    return name.replace("_", " ").capitalize()


def _rank(column: Column, entity: Entity) -> int:
    if column.field == "id":
        return 0
    if column.field == entity.label_column:
        return 1
    if column.kind is Kind.LONG_TEXT:
        return 3
    return 2


def entity_columns(entity: Entity) -> list[Column]:
    """The columns of an entity's table: id, its name, the other fields, long text last."""
    references = {reference.field: reference for reference in entity.references}
    updates = entity.update.model_fields
    columns = []
    for field, info in entity.read.model_fields.items():
        if field in INTERNAL_FIELDS:
            continue
        annotation, nullable = _bare_type(info.annotation)
        reference = references.get(field)
        columns.append(
            Column(
                field=field,
                header=_header(field, reference),
                kind=_kind(info, annotation, reference),
                editable=field in updates and field not in ("id", "created_at"),
                nullable=nullable,
                reference=reference,
                **_limits(updates.get(field)),
            )
        )
    return sorted(columns, key=lambda column: _rank(column, entity))


# --- display text -------------------------------------------------------------


def local_time(value: datetime) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def status_label(value: object) -> str:
    try:
        return TaskStatus(str(value)).label
    except ValueError:
        return str(value)


def one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= DISPLAY_CHARS else line[: DISPLAY_CHARS - 1] + "…"


def display_text(column: Column, value: Any, ref_name: str | None) -> str | None:
    """What a person reads in the cell (None: no text, e.g. a check box)."""
    if column.kind is Kind.REFERENCE:
        return ref_name or ""
    if column.kind is Kind.FLAG:
        return None
    if value is None:
        return ""
    if column.kind is Kind.TIMESTAMP and isinstance(value, datetime):
        return local_time(value)
    if column.kind is Kind.DECIMAL:
        return f"{float(value):,.2f}"
    if column.kind is Kind.STATUS:
        return status_label(value)
    if column.kind is Kind.LONG_TEXT:
        return one_line(str(value))
    return str(value)


def tooltip_text(column: Column, value: Any) -> str | None:
    """Long text in full (within reason), so a shortened cell can still be read."""
    if column.kind is not Kind.LONG_TEXT or not value:
        return None
    text = str(value)
    return text if len(text) <= TOOLTIP_CHARS else text[: TOOLTIP_CHARS - 1] + "…"
