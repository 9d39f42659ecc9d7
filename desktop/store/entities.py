"""The entity registry: the one place that knows each entity's schemas, labels, columns, filters, references.

Everything else (the store, backups, the open checks, the window's tabs, the filter bar, the
edit dialog, the delete flow) reads it. Adding an entity means a model in desktop/models.py,
an entry here and a migration. The order of ENTITIES is the order of the tabs, the backup
counts and every other listing. Imports only the models: backup.py and db.py may read it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import StrEnum
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

from desktop import names
from desktop.models import (
    Hero,
    HeroCreate,
    HeroRead,
    HeroUpdate,
    Item,
    ItemCreate,
    ItemRead,
    ItemUpdate,
    Task,
    TaskCreate,
    TaskRead,
    TaskUpdate,
    Team,
    TeamCreate,
    TeamRead,
    TeamUpdate,
    User,
    UserCreate,
    UserRead,
    UserUpdate,
)
from desktop.store.fields import FieldMeta, Kind, field_meta
from desktop.store.fields import OnDelete as OnDelete  # re-exported: references are declared here
from desktop.store.fields import Reference as Reference

FilterFn = Callable[[sa.Table, Any], sa.ColumnElement[bool]]

INTERNAL_FIELDS = frozenset({"version"})  # bookkeeping of the store, not something people read
READ_ONLY_FIELDS = frozenset({"id", "created_at"})
DEFAULT_HEADERS = {"id": "ID"}
DESCRIPTION_CHARS = 40  # how wide a column of paragraphs starts, in characters


class Align(StrEnum):
    LEFT = "left"
    RIGHT = "right"


@dataclass(frozen=True)
class Column:
    """One column of an entity's table: its field, header, how wide it starts and how it aligns."""

    meta: FieldMeta
    header: str
    editable: bool
    width_sample: str  # text as wide as a typical cell, measured in the table's font
    align: Align
    # Copied from the metadata: the table model reads these for every cell it paints.
    field: str = dc_field(init=False)
    kind: Kind = dc_field(init=False)
    nullable: bool = dc_field(init=False)
    reference: Reference | None = dc_field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field", self.meta.name)
        object.__setattr__(self, "kind", self.meta.kind)
        object.__setattr__(self, "nullable", self.meta.optional)
        object.__setattr__(self, "reference", self.meta.reference)

    @property
    def minimum(self) -> float | None:
        return self.meta.minimum

    @property
    def maximum(self) -> float | None:
        return self.meta.maximum

    @property
    def max_length(self) -> int | None:
        return self.meta.max_length

    @property
    def decimals(self) -> int | None:
        return self.meta.decimals

    @property
    def numeric(self) -> bool:
        return self.meta.numeric

    @property
    def sort_key(self) -> str:
        """What the store orders by for this column: a reference sorts by the name it shows."""
        return self.reference.label_key if self.reference is not None else self.field


def finite(number: float) -> float:
    """A minimum to compare with: NaN and the infinities are refused alike on every database."""
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


class FilterKind(StrEnum):
    CHOICE = "choice"  # one member of an enum field, or all
    REFERENCE = "reference"  # one referenced row, or all (and "none" when none_label is given)
    MINIMUM = "minimum"  # a number at least this large
    FLAG = "flag"  # only rows whose yes/no field says yes


@dataclass(frozen=True)
class FilterSpec:
    """A filter of the bar above a table, and the WHERE clauses it adds.

    label: the caption before the control (for a FLAG, the check box's own text).
    tooltip: what the control says it does; a sentence built from the label when empty.
    none_label: REFERENCE only: the choice that shows the rows without one ("No team").
    """

    kind: FilterKind
    field: str
    label: str
    tooltip: str = ""
    none_label: str | None = None

    @property
    def key(self) -> str:
        """The name a query uses for the value of this filter."""
        return f"min_{self.field}" if self.kind is FilterKind.MINIMUM else self.field

    def clauses(self, entity: Entity) -> dict[str, FilterFn]:
        """The filter names this adds to a repository's queries, with their WHERE clauses."""
        column = self.field
        if self.kind is FilterKind.CHOICE:
            members = entity.fields[column].value_type
            return {self.key: lambda table, value: table.c[column] == members(value)}
        if self.kind is FilterKind.MINIMUM:
            number = int if entity.fields[column].kind is Kind.INTEGER else float
            return {self.key: lambda table, value: table.c[column] >= finite(number(value))}
        clauses: dict[str, FilterFn] = {self.key: lambda table, value: table.c[column] == value}
        if self.kind is FilterKind.REFERENCE and self.none_label is not None:
            clauses[self.none_key(entity)] = lambda table, value: (
                table.c[column].is_not(None) if value else table.c[column].is_(None)
            )
        return clauses

    def none_key(self, entity: Entity) -> str:
        """REFERENCE with a none_label: the filter that is False for "rows without one" ("has_team")."""
        return f"has_{entity.reference(self.field).label_key}"


@dataclass(frozen=True)
class Entity:
    name: str
    label: str
    plural: str
    table: type[SQLModel]
    create: type[SQLModel]
    read: type[SQLModel]
    update: type[SQLModel]
    search_columns: tuple[str, ...]
    label_column: str
    default_order: str = "id"
    unique_fields: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    filter_specs: tuple[FilterSpec, ...] = ()
    headers: Mapping[str, str] = dc_field(default_factory=dict)  # column titles other than the field's label

    @property
    def sa_table(self) -> sa.Table:
        table = self.table.__table__  # type: ignore[attr-defined]
        assert isinstance(table, sa.Table)
        return table

    def column(self, name: str) -> sa.Column[Any]:
        try:
            return self.sa_table.c[name]
        except KeyError:
            raise ValueError(f"{self.label} has no column {name!r}") from None

    def count_label(self, count: int) -> str:
        return f"{count} {self.label.lower() if count == 1 else self.plural}"

    def reference(self, field_name: str) -> Reference:
        return next(reference for reference in self.references if reference.field == field_name)

    @cached_property
    def fields(self) -> dict[str, FieldMeta]:
        """Every field of the Read and Create schemas; a field of both is described by the Create one.

        The Update schema makes every field optional in the sense "may be left out", not "may be
        cleared", so it is never the source: the dialog and the cells take the same limits.
        """
        references = {reference.field: reference for reference in self.references}
        infos = {**self.read.model_fields, **self.create.model_fields}
        metas = {}
        for name in dict.fromkeys([*self.read.model_fields, *self.create.model_fields]):
            reference = references.get(name)
            target = ENTITIES[reference.target].label if reference is not None else ""
            metas[name] = field_meta(name, infos[name], reference, target)
        return metas

    def form_fields(self, *, editing: bool) -> list[FieldMeta]:
        """The fields a form shows, in the order of the Update (editing) or Create schema."""
        schema = self.update if editing else self.create
        return [self.fields[name] for name in schema.model_fields]

    @cached_property
    def columns(self) -> tuple[Column, ...]:
        """The columns of the entity's table: id, its name, the other fields, paragraphs last."""
        columns = [
            Column(
                meta=meta,
                header=self.headers.get(name) or DEFAULT_HEADERS.get(name) or meta.label,
                editable=name in self.update.model_fields and name not in READ_ONLY_FIELDS,
                width_sample=_width_sample(meta),
                align=Align.RIGHT if meta.numeric else Align.LEFT,
            )
            for name, meta in self.fields.items()
            if name in self.read.model_fields and name not in INTERNAL_FIELDS
        ]
        return tuple(sorted(columns, key=self._rank))

    def _rank(self, column: Column) -> int:
        if column.field == "id":
            return 0
        if column.field == self.label_column:
            return 1
        return 3 if column.kind is Kind.LONG_TEXT else 2

    @cached_property
    def filters(self) -> Mapping[str, FilterFn]:
        """The store's filters by name (what repository.list(**filters) accepts), from filter_specs."""
        clauses: dict[str, FilterFn] = {}
        for spec in self.filter_specs:
            clauses.update(spec.clauses(self))
        return clauses


def _width_sample(meta: FieldMeta) -> str:
    if meta.kind is Kind.DECIMAL:
        return "000,000." + "0" * (meta.decimals or 0)
    if meta.kind is Kind.CHOICE:
        return max((label for _member, label in meta.choices), key=len, default="")
    samples = {
        Kind.INTEGER: "0000000",
        Kind.FLAG: "",
        Kind.TIMESTAMP: "0000-00-00 00:00",
        Kind.REFERENCE: "n" * 16,
        Kind.TEXT: "n" * 28,
        Kind.LONG_TEXT: "n" * DESCRIPTION_CHARS,
    }
    return samples[meta.kind]


# --- the entities (their names, labels and the order of the tabs: desktop/names.py) ---

TASKS = Entity(
    **vars(names.TASK),
    table=Task,
    create=TaskCreate,
    read=TaskRead,
    update=TaskUpdate,
    search_columns=("title", "description"),
    label_column="title",
    references=(Reference("owner_id", "user", "owner", OnDelete.REFUSE),),
    filter_specs=(
        FilterSpec(FilterKind.CHOICE, "status", "Status"),
        FilterSpec(FilterKind.REFERENCE, "owner_id", "Owner"),
    ),
    headers={"created_at": "Created", "completed_at": "Completed"},
)

USERS = Entity(
    **vars(names.USER),
    table=User,
    create=UserCreate,
    read=UserRead,
    update=UserUpdate,
    search_columns=("username", "email"),
    label_column="username",
    unique_fields=("username", "email"),
    headers={"email": "E-mail"},
)

HEROES = Entity(
    **vars(names.HERO),
    table=Hero,
    create=HeroCreate,
    read=HeroRead,
    update=HeroUpdate,
    search_columns=("name", "power"),
    label_column="name",
    references=(Reference("team_id", "team", "team", OnDelete.SET_NULL),),
    filter_specs=(FilterSpec(FilterKind.REFERENCE, "team_id", "Team", none_label="No team"),),
)

TEAMS = Entity(
    **vars(names.TEAM),
    table=Team,
    create=TeamCreate,
    read=TeamRead,
    update=TeamUpdate,
    search_columns=("name",),
    label_column="name",
)

ITEMS = Entity(
    **vars(names.ITEM),
    table=Item,
    create=ItemCreate,
    read=ItemRead,
    update=ItemUpdate,
    search_columns=("name", "description"),
    label_column="name",
    default_order="name",
    filter_specs=(
        FilterSpec(
            FilterKind.MINIMUM, "price", "Price", tooltip="Show only items costing at least this much"
        ),
        FilterSpec(FilterKind.FLAG, "in_stock", "In stock only"),
    ),
)

_DECLARED = {entity.name: entity for entity in (TASKS, USERS, HEROES, TEAMS, ITEMS)}
ENTITIES: dict[str, Entity] = {entity.name: _DECLARED[entity.name] for entity in names.TAB_ORDER}


# --- questions about the whole registry -----------------------------------------


def tab_order() -> tuple[str, ...]:
    """Entity names in the order of the tabs (and of counts, backups and every listing)."""
    return tuple(ENTITIES)


def table_names() -> frozenset[str]:
    """The database tables that hold Taskforce's entities."""
    return frozenset(entity.sa_table.name for entity in ENTITIES.values())


def references_to(target: str | None = None) -> Iterator[tuple[Entity, Reference]]:
    """(entity, reference) for every reference to the target entity, or for every reference at all."""
    for entity in ENTITIES.values():
        for reference in entity.references:
            if target is None or reference.target == target:
                yield entity, reference


def registry_problems() -> list[str]:
    """Declarations that contradict each other or the tables (a test keeps this empty)."""
    problems = []
    for entity in ENTITIES.values():
        names = set(entity.sa_table.c.keys())
        for column in (*entity.search_columns, entity.label_column, entity.default_order):
            if column not in names:
                problems.append(f"{entity.name}: no column {column!r}")
        filtered = {spec.field for spec in entity.filter_specs if spec.kind is FilterKind.REFERENCE}
        for reference in entity.references:
            if reference.target not in ENTITIES:
                problems.append(f"{entity.name}.{reference.field}: no entity {reference.target!r}")
            elif reference.on_delete is OnDelete.SET_NULL and not entity.column(reference.field).nullable:
                problems.append(f"{entity.name}.{reference.field}: set to null on delete, but NOT NULL")
            if reference.field not in filtered:
                problems.append(f"{entity.name}.{reference.field}: no reference filter (Show … needs one)")
        for spec in entity.filter_specs:
            if spec.field not in entity.fields:
                problems.append(f"{entity.name}: filter on unknown field {spec.field!r}")
    return problems
