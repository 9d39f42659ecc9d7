"""Repository.position: where a row is among the rows page() returns, and ordering by a reference's name."""

from __future__ import annotations

import pytest

from desktop.demo import load_sample_data
from desktop.models import TaskStatus
from desktop.store import Store


def _ids(store: Store, entity: str, **query: object) -> list[int]:
    repository = store.repository(entity)
    total = repository.count(**{k: v for k, v in query.items() if k not in ("order_by", "descending")})
    return [repository.row_id(record.read) for record in repository.page(0, 100, total=total, **query)]


@pytest.mark.parametrize(
    ("entity", "query"),
    [
        ("task", {}),
        ("task", {"order_by": "title", "descending": True}),
        ("task", {"order_by": "owner", "status": TaskStatus.todo}),
        ("hero", {"order_by": "team"}),
        ("hero", {"order_by": "team", "descending": True, "search": "an"}),
        ("user", {"order_by": "email"}),
        ("item", {"order_by": "price", "descending": True}),
    ],
)
def test_position_matches_page_order(store: Store, entity: str, query: dict[str, object]) -> None:
    load_sample_data(store)
    repository = store.repository(entity)
    ids = _ids(store, entity, **query)
    assert ids, "the sample data has rows for this query"
    for expected, row_id in enumerate(ids):
        assert repository.position(row_id, **query) == expected


def test_position_of_a_row_outside_the_filter_is_none(store: Store) -> None:
    load_sample_data(store)
    done = store.tasks.list(limit=100, status=TaskStatus.done)[0]
    assert store.tasks.position(done.id, status=TaskStatus.todo) is None
    assert store.tasks.position(10_000) is None


def test_page_orders_a_reference_by_the_name_it_shows(store: Store) -> None:
    load_sample_data(store)
    zed = store.users.create({"username": "aaron", "email": "aaron@example.com"})
    store.tasks.create({"title": "Late", "owner_id": zed.id})
    owners = [record.refs["owner"] for record in store.tasks.page(0, 100, order_by="owner")]
    assert owners == sorted(owners)
    assert owners[0] == "aaron"
    backwards = store.tasks.page(4, 3, order_by="owner", total=7)
    assert [record.refs["owner"] for record in backwards] == owners[4:]
