"""Values a careless script passes to the store: the same plain refusal on every database."""

from __future__ import annotations

import math
from typing import Any

import pytest

from desktop.errors import FieldProblem, InvalidDataError, NotFoundError, RelatedRowError
from desktop.models import TeamCreate
from desktop.store import Store
from tests.data.datahelpers import table_contents, task, team, user

# Past the 32-bit ids of PostgreSQL and MariaDB, past SQLite's 64-bit ones, and below both.
IDS_NO_ROW_CAN_HAVE = [2**31, 2**63, 2**80, -(2**31) - 1, -(2**63) - 1]


@pytest.mark.parametrize("row_id", IDS_NO_ROW_CAN_HAVE)
def test_an_id_no_database_can_hold_is_not_found(store: Store, row_id: int) -> None:
    owner = user(store, "owner")
    planned = task(store, "Plan", owner)
    before = table_contents(store)
    for attempt in (
        lambda: store.tasks.get(row_id),
        lambda: store.tasks.update(row_id, {"title": "Other"}),
        lambda: store.tasks.update(row_id, {"title": "Other"}, expected_version=1),
        lambda: store.tasks.delete(row_id),
        lambda: store.tasks.delete_many([planned.id, row_id]),
    ):
        with pytest.raises(NotFoundError) as missing:
            attempt()
        assert (missing.value.entity, missing.value.row_id) == ("task", row_id)
    assert table_contents(store) == before


@pytest.mark.parametrize("row_id", IDS_NO_ROW_CAN_HAVE)
def test_a_reference_to_an_id_no_database_can_hold_names_no_row(store: Store, row_id: int) -> None:
    owner = user(store, "owner")
    planned = task(store, "Plan", owner)
    with pytest.raises(RelatedRowError) as refused:
        store.tasks.create({"title": "Plan", "owner_id": row_id})
    assert (refused.value.field, refused.value.value) == ("owner_id", row_id)
    with pytest.raises(RelatedRowError):
        store.tasks.update(planned.id, {"owner_id": row_id})
    with pytest.raises(RelatedRowError):
        store.users.delete(owner.id, reassign_to=row_id)
    assert store.tasks.list(owner_id=row_id) == []
    assert store.tasks.count(owner_id=row_id) == 0


def filtering(store: Store, entity: str, **filters: Any) -> list[InvalidDataError]:
    """The refusals of list, count and page for these filters (each must refuse)."""
    repository = store.repository(entity)
    refusals = []
    for call in (
        lambda: repository.list(**filters),
        lambda: repository.count(**filters),
        lambda: repository.page(0, 10, **filters),
        lambda: repository.page(0, 10, order_by="id", total=5, **filters),
    ):
        with pytest.raises(InvalidDataError) as refused:
            call()
        refusals.append(refused.value)
    return refusals


@pytest.mark.parametrize(
    ("entity", "filters"),
    [
        ("task", {"owner_id": "abc"}),
        ("task", {"owner_id": 1.5}),
        ("task", {"status": "bogus"}),
        ("hero", {"team_id": "Avengers"}),
        ("item", {"in_stock": "perhaps"}),
    ],
)
def test_a_filter_value_of_the_wrong_kind_is_refused_without_sql(
    store: Store, entity: str, filters: dict[str, Any]
) -> None:
    user(store, "owner")
    (name,) = filters
    for refused in filtering(store, entity, **filters):
        assert refused.entity == entity
        assert [problem.field for problem in refused.problems] == [name]
        assert refused.message.startswith(f"Cannot filter {store.repository(entity).entity.plural} by ")
        for word in ("SELECT", "FROM", "WHERE", "psycopg", "pymysql", "sqlite3"):
            assert word not in refused.message


def test_a_filter_value_given_as_text_still_filters(store: Store) -> None:
    owner = user(store, "owner")
    planned = task(store, "Plan", owner)
    assert [row.id for row in store.tasks.list(owner_id=str(owner.id))] == [planned.id]


@pytest.mark.parametrize("price", [math.nan, math.inf, -math.inf, "nan", "inf"])
def test_a_minimum_price_that_is_no_number_is_refused_alike_everywhere(store: Store, price: object) -> None:
    store.items.create({"name": "Widget", "price": 9.99})
    for refused in filtering(store, "item", min_price=price):
        assert refused.problems == (FieldProblem("min_price", "must be a finite number"),)
        assert refused.message == "Cannot filter items by min price: must be a finite number."


def test_a_minimum_price_that_is_no_number_at_all_is_refused(store: Store) -> None:
    for refused in filtering(store, "item", min_price="cheap"):
        assert [problem.field for problem in refused.problems] == ["min_price"]


# Spaces and characters that show nothing: a zero-width space, joiners, a word joiner, the byte
# order mark, direction marks, a Hangul filler, a variation selector, an ideographic space.
INVISIBLE_NAMES = [
    "\u200b",
    "\u200b\u200c\u200d",
    " \u2060 ",
    "\ufeff",
    "\u200e\u200f",
    "\u3164",
    "\ufe0f",
    "\u3000\u200b",
    "\u00ad",
]


@pytest.mark.parametrize("name", INVISIBLE_NAMES, ids=ascii)
def test_a_name_made_only_of_invisible_characters_is_blank(store: Store, name: str) -> None:
    before = table_contents(store)
    with pytest.raises(InvalidDataError) as refused:
        store.teams.create({"name": name})
    assert refused.value.problems == (FieldProblem("name", "must not be blank"),)
    with pytest.raises(InvalidDataError):
        store.users.create({"username": name, "email": "someone@example.com"})
    avengers = team(store, "Avengers")
    with pytest.raises(InvalidDataError):
        store.teams.update(avengers.id, {"name": name})
    store.teams.delete(avengers.id)
    assert table_contents(store) == before


@pytest.mark.parametrize("name", ["a\u200bb", "\u200dx", "\U0001f468\u200d\U0001f469", "\u0130"], ids=ascii)
def test_a_name_with_something_visible_keeps_its_invisible_characters(name: str) -> None:
    assert TeamCreate.model_validate({"name": name}).name == name


def test_reassigning_tasks_to_the_user_being_deleted_says_so(store: Store) -> None:
    alice = user(store, "alice")
    bob = user(store, "bob")
    task(store, "Plan", alice)
    before = table_contents(store)
    for ids in ([alice.id], [bob.id, alice.id]):
        with pytest.raises(RelatedRowError) as refused:
            store.users.delete_many(ids, reassign_to=alice.id)
        assert (
            refused.value.message == "Cannot reassign tasks to the user being deleted: choose another user."
        )
        assert "does not exist" not in refused.value.message
    assert table_contents(store) == before
