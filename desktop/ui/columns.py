"""What a cell shows: the registry's columns (desktop/store/entities.py) turned into display text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from desktop.store import Entity
from desktop.store.entities import Column
from desktop.store.fields import Kind

__all__ = ["Column", "Kind", "display_text", "entity_columns", "local_time", "tooltip_text"]

DISPLAY_CHARS = 120
TOOLTIP_CHARS = 2_000


def entity_columns(entity: Entity) -> list[Column]:
    return list(entity.columns)


def local_time(value: datetime) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


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
        return f"{float(value):,.{column.decimals or 0}f}"
    if column.kind is Kind.CHOICE:
        return column.meta.choice_label(value)
    if column.kind is Kind.LONG_TEXT:
        return one_line(str(value))
    return str(value)


def tooltip_text(column: Column, value: Any) -> str | None:
    """Long text in full (within reason), so a shortened cell can still be read."""
    if column.kind is not Kind.LONG_TEXT or not value:
        return None
    text = str(value)
    return text if len(text) <= TOOLTIP_CHARS else text[: TOOLTIP_CHARS - 1] + "…"
