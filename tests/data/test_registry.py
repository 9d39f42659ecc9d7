"""The entity registry: its declarations agree with each other and with the models they are read from."""

from __future__ import annotations

from desktop import backup
from desktop.models import PRICE_MAX, ItemCreate, ItemUpdate, TaskStatus
from desktop.store.entities import (
    ENTITIES,
    Align,
    FilterKind,
    OnDelete,
    references_to,
    registry_problems,
    tab_order,
    table_names,
)
from desktop.store.fields import LONG_TEXT_OVER, Kind, distinct_names


def test_the_declarations_agree_with_the_tables() -> None:
    assert registry_problems() == []


def test_one_order_for_tabs_and_counts() -> None:
    assert tab_order() == ("task", "user", "hero", "team", "item")
    assert table_names() == frozenset(tab_order())
    counts = dict.fromkeys(reversed(tab_order()), 1)
    assert backup.describe_counts(counts) == "1 task, 1 user, 1 hero, 1 team, 1 item"


def test_decimals_are_declared_once_on_the_model() -> None:
    assert ItemCreate.model_fields["price"].json_schema_extra == {"decimals": 2}
    assert ItemUpdate.model_fields["price"].json_schema_extra is None
    price = ENTITIES["item"].fields["price"]
    assert (price.kind, price.decimals, price.minimum, price.maximum) == (Kind.DECIMAL, 2, 0, PRICE_MAX)
    column = next(column for column in ENTITIES["item"].columns if column.field == "price")
    assert (column.align, column.width_sample) == (Align.RIGHT, "000,000.00")


def test_the_form_and_the_columns_share_one_description_per_field() -> None:
    for entity in ENTITIES.values():
        for column in entity.columns:
            assert column.meta is entity.fields[column.field]
        for editing in (False, True):
            for meta in entity.form_fields(editing=editing):
                assert meta is entity.fields[meta.name]
    # The Update schema makes every field optional ("may be left out"); the description does not.
    level = ENTITIES["hero"].fields["level"]
    assert (level.optional, level.minimum, level.maximum) == (False, 1, 100)


def test_enum_fields_carry_their_labels() -> None:
    status = ENTITIES["task"].fields["status"]
    assert status.kind is Kind.CHOICE
    assert status.choices == tuple((member, member.label) for member in TaskStatus)
    assert status.choice_label("in_progress") == "In progress"


def test_long_text_and_optional_references() -> None:
    description = ENTITIES["task"].fields["description"]
    assert description.kind is Kind.LONG_TEXT and (description.max_length or 0) > LONG_TEXT_OVER
    team = ENTITIES["hero"].fields["team_id"]
    assert (team.kind, team.optional, team.none_label) == (Kind.REFERENCE, True, "(no team)")
    owner = ENTITIES["task"].fields["owner_id"]
    assert (owner.optional, owner.none_label) == (False, None)


def test_filters_are_built_from_their_declarations() -> None:
    assert {name: sorted(entity.filters) for name, entity in ENTITIES.items()} == {
        "task": ["owner_id", "status"],
        "user": [],
        "hero": ["has_team", "team_id"],
        "team": [],
        "item": ["in_stock", "min_price"],
    }
    kinds = {spec.field: spec.kind for spec in ENTITIES["item"].filter_specs}
    assert kinds == {"price": FilterKind.MINIMUM, "in_stock": FilterKind.FLAG}


def test_who_points_at_whom_and_what_a_delete_does() -> None:
    pointing = {(child.name, ref.field, ref.on_delete) for child, ref in references_to()}
    assert pointing == {("task", "owner_id", OnDelete.REFUSE), ("hero", "team_id", OnDelete.SET_NULL)}
    assert [child.name for child, _ref in references_to("team")] == ["hero"]
    assert list(references_to("item")) == []


def test_equal_names_are_told_apart_by_id() -> None:
    names = [(1, "Avengers"), (2, "X-Men"), (3, "Avengers")]
    assert distinct_names(names) == [(1, "Avengers (#1)"), (2, "X-Men"), (3, "Avengers (#3)")]
