"""What each field of an entity is, read once from its pydantic schemas: the one source for every widget.

The edit dialog, the cell editors, the columns and the filters all build on a FieldMeta; none of
them reads FieldInfo itself. No Qt here: a FieldMeta says "a decimal between 0 and 1e9 with two
decimals", the UI picks the widget.
"""

from __future__ import annotations

import enum
import types
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Union, get_args, get_origin

import annotated_types
from pydantic.fields import FieldInfo

LONG_TEXT_OVER = 1_000  # text fields allowed more characters than this hold paragraphs
UNDECLARED_DECIMALS = 2  # a float field whose schema does not say how many decimals it shows


class Kind(StrEnum):
    """What a field holds, as far as showing and editing it goes."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    FLAG = "flag"
    TIMESTAMP = "timestamp"
    CHOICE = "choice"  # one member of an enum
    REFERENCE = "reference"  # the id of a row of another entity, shown by its name


class OnDelete(StrEnum):
    """What deleting a row does to the rows that point at it."""

    REFUSE = "refuse"  # the delete is refused unless they are reassigned to another row
    SET_NULL = "set_null"  # they are left without one (the column must allow NULL)


@dataclass(frozen=True)
class Reference:
    """A foreign key shown by the name of the row it points at, and what deleting that row does."""

    field: str  # e.g. "owner_id"
    target: str  # entity name, e.g. "user"
    label_key: str  # key of the name in a Record's refs, e.g. "owner"
    on_delete: OnDelete = OnDelete.REFUSE


@dataclass(frozen=True)
class FieldMeta:
    """One field, as every widget and column needs it."""

    name: str
    label: str
    kind: Kind
    value_type: Any  # the annotation without its "| None"
    optional: bool  # None is a value the field may hold
    default: Any = None  # None when the schema has no default
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    decimals: int | None = None  # DECIMAL: digits after the point, shown and typed
    choices: tuple[tuple[Any, str], ...] = ()  # CHOICE: (member, label) in declaration order
    reference: Reference | None = None
    none_label: str | None = None  # what None is called where it is offered as a choice

    @property
    def numeric(self) -> bool:
        return self.kind in (Kind.INTEGER, Kind.DECIMAL)

    def choice_label(self, value: Any) -> str:
        for member, label in self.choices:
            if member == value:
                return label
        return str(value)


def enum_label(member: enum.Enum) -> str:
    """A member's own `label` when it has one, else its value made readable."""
    label = getattr(member, "label", None)
    return label if isinstance(label, str) else str(member.value).replace("_", " ").capitalize()


def without_none(annotation: Any) -> tuple[Any, bool]:
    """The annotation without None, and whether None was allowed."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = get_args(annotation)
        rest = [arg for arg in args if arg is not type(None)]
        if len(rest) == 1 and len(rest) < len(args):
            return rest[0], True
    return annotation, False


def field_label(name: str, info: FieldInfo) -> str:
    """The schema's title, or the name made readable: owner_id → "Owner", in_stock → "In stock"."""
    if info.title:
        return info.title
    return name.removesuffix("_id").replace("_", " ").capitalize()


def _limits(info: FieldInfo) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    for item in info.metadata:
        if isinstance(item, annotated_types.MinLen):
            limits["min_length"] = item.min_length
        elif isinstance(item, annotated_types.MaxLen):
            limits["max_length"] = item.max_length
        elif isinstance(item, annotated_types.Ge):
            limits["minimum"] = item.ge
        elif isinstance(item, annotated_types.Gt):
            limits["minimum"] = item.gt
        elif isinstance(item, annotated_types.Le):
            limits["maximum"] = item.le
        elif isinstance(item, annotated_types.Lt):
            limits["maximum"] = item.lt
    return limits


def _kind(value_type: Any, max_length: int | None, reference: Reference | None) -> Kind:
    if reference is not None:
        return Kind.REFERENCE
    if isinstance(value_type, type):
        if issubclass(value_type, bool):
            return Kind.FLAG
        if issubclass(value_type, enum.Enum):
            return Kind.CHOICE
        if issubclass(value_type, int):
            return Kind.INTEGER
        if issubclass(value_type, float):
            return Kind.DECIMAL
        if issubclass(value_type, datetime):
            return Kind.TIMESTAMP
    return Kind.LONG_TEXT if (max_length or 0) > LONG_TEXT_OVER else Kind.TEXT


def _extra(info: FieldInfo) -> Mapping[str, Any]:
    extra = info.json_schema_extra
    return extra if isinstance(extra, Mapping) else {}


def field_meta(name: str, info: FieldInfo, reference: Reference | None, target_label: str = "") -> FieldMeta:
    """Everything a widget needs about one field, from its FieldInfo (and its reference, if any)."""
    value_type, optional = without_none(info.annotation)
    limits = _limits(info)
    kind = _kind(value_type, limits.get("max_length"), reference)
    choices: tuple[tuple[Any, str], ...] = ()
    if kind is Kind.CHOICE:
        choices = tuple((member, enum_label(member)) for member in value_type)
    decimals = _extra(info).get("decimals")
    if kind is Kind.DECIMAL and decimals is None:
        decimals = UNDECLARED_DECIMALS
    none_label = f"(no {target_label.lower()})" if optional and reference is not None else None
    default = None if info.is_required() else info.get_default(call_default_factory=True)
    return FieldMeta(
        name=name,
        label=field_label(name, info),
        kind=kind,
        value_type=value_type,
        optional=optional,
        default=default,
        decimals=decimals if kind is Kind.DECIMAL else None,
        choices=choices,
        reference=reference,
        none_label=none_label,
        **limits,
    )


def distinct_names(names: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """(id, name) pairs where equal names get their id, so that every choice can be told apart."""
    counts = Counter(name for _row_id, name in names)
    return [(row_id, name if counts[name] == 1 else f"{name} (#{row_id})") for row_id, name in names]
