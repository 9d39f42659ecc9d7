"""The sample data: the tutorial's heroes, team and items, and two users with tasks in every state."""

from __future__ import annotations

import pytest
from datahelpers import table_contents, user

from desktop.demo import load_sample_data
from desktop.models import TaskStatus
from desktop.store import DuplicateError, Store


def test_sample_data(store: Store) -> None:
    load_sample_data(store)

    spider_man = store.heroes.get(1)
    assert (spider_man.name, spider_man.power, spider_man.level, spider_man.team_id) == (
        "Spider-Man",
        "wall-crawling",
        5,
        None,
    )
    [avengers] = store.teams.list()
    assert avengers.name == "Avengers"
    assert [h.name for h in store.heroes.list(team_id=avengers.id)] == ["Iron Man", "Thor"]
    assert {record.read.name: record.refs["team"] for record in store.heroes.page(0, 10)} == {
        "Spider-Man": None,
        "Iron Man": "Avengers",
        "Thor": "Avengers",
    }
    assert [(i.name, i.price) for i in store.items.list()] == [("Gadget", 24.99), ("Widget", 9.99)]

    users = store.users.list()
    assert [(u.username, u.email) for u in users] == [
        ("alice", "alice@example.com"),
        ("bob", "bob@example.com"),
    ]
    for owner in users:
        statuses = sorted(t.status for t in store.tasks.list(owner_id=owner.id))
        assert set(statuses) == set(TaskStatus), owner.username
    assert store.tasks.count() == 6


def test_sample_data_is_not_loaded_twice_or_by_halves(store: Store) -> None:
    load_sample_data(store)
    before = table_contents(store)
    with pytest.raises(DuplicateError, match="already loaded"):
        load_sample_data(store)
    assert table_contents(store) == before


def test_sample_data_is_refused_when_a_sample_address_is_taken(store: Store) -> None:
    user(store, "someone", "BOB@example.com")
    before = table_contents(store)
    with pytest.raises(DuplicateError, match="already loaded"):
        load_sample_data(store)
    assert table_contents(store) == before
