"""Every example of the SQLModel/FastAPI tutorial, reproduced through the store with its stated outcome."""

from __future__ import annotations

import pytest
from datahelpers import table_contents, user
from pydantic import ValidationError
from sqlmodel import Session, select

from desktop.models import (
    Hero,
    HeroCreate,
    HeroUpdate,
    ItemCreate,
    ItemUpdate,
    TaskCreate,
    TaskStatus,
    TaskUpdate,
    Team,
    TeamCreate,
)
from desktop.store import MAX_LIST_LIMIT, NotFoundError, Store


def test_quick_example_creates_spider_man_with_id_1(store: Store) -> None:
    created = store.heroes.create(HeroCreate(name="Spider-Man", power="wall-crawling", level=5))

    assert created.id == 1
    heroes = store.heroes.list()
    assert [f"{h.id}: {h.name} (level {h.level})" for h in heroes] == ["1: Spider-Man (level 5)"]


def test_hero_level_defaults_to_1() -> None:
    assert HeroCreate(name="Robin", power="acrobatics").level == 1


def test_item_create_schema_dumps_the_seed_dict() -> None:
    item = ItemCreate(name="Widget", price=9.99)

    assert item.model_dump() == {"name": "Widget", "description": None, "price": 9.99, "in_stock": True}


def test_item_create_refuses_a_price_that_is_not_a_number() -> None:
    with pytest.raises(ValidationError):
        ItemCreate(name="Widget", price="not-a-number")  # type: ignore[arg-type]


def test_item_crud_demo(store: Store) -> None:
    widget = store.items.create(ItemCreate(name="Widget", price=9.99))
    gadget = store.items.create(ItemCreate(name="Gadget", price=24.99))
    assert f"Created: {widget.id} {widget.name}, {gadget.id} {gadget.name}" == "Created: 1 Widget, 2 Gadget"

    assert [i.name for i in store.items.list(min_price=10.0)] == ["Gadget"]

    updated = store.items.update(widget.id, ItemUpdate(price=12.99))
    assert f"${updated.price}" == "$12.99"
    assert store.items.get(widget.id).price == 12.99  # exactly, read back from the database

    store.items.delete(gadget.id)
    with pytest.raises(NotFoundError):
        store.items.get(gadget.id)
    assert len(store.items.list()) == 1


def test_items_are_listed_by_name_by_default(store: Store) -> None:
    for name, price in (("Widget", 9.99), ("Gadget", 24.99), ("Sprocket", 1.5)):
        store.items.create(ItemCreate(name=name, price=price))

    assert [i.name for i in store.items.list()] == ["Gadget", "Sprocket", "Widget"]
    assert [i.name for i in store.items.list(descending=True)] == ["Widget", "Sprocket", "Gadget"]


def test_team_with_heroes_both_directions(store: Store) -> None:
    avengers = store.teams.create(TeamCreate(name="Avengers"))
    store.heroes.create(HeroCreate(name="Iron Man", power="armour", team_id=avengers.id))
    store.heroes.create(HeroCreate(name="Thor", power="thunder", team_id=avengers.id))

    members = store.heroes.list(team_id=avengers.id)
    assert f"{avengers.name} has {len(members)} heroes:" == "Avengers has 2 heroes:"
    assert [h.name for h in members] == ["Iron Man", "Thor"]

    with Session(store.engine) as session:
        team = session.get(Team, avengers.id)
        assert team is not None
        assert sorted(h.name for h in team.heroes) == ["Iron Man", "Thor"]
        thor = session.exec(select(Hero).where(Hero.name == "Thor")).one()
        assert thor.team is not None
        assert thor.team.name == "Avengers"


def test_hero_crud_and_not_found(store: Store) -> None:
    created = store.heroes.create(HeroCreate(name="Deadpond", power="regeneration"))
    assert store.heroes.get(created.id) == created

    for call in (
        lambda: store.heroes.get(999),
        lambda: store.heroes.update(999, HeroUpdate(level=2)),
        lambda: store.heroes.delete(999),
    ):
        with pytest.raises(NotFoundError, match=r"^Hero not found$"):
            call()

    store.heroes.delete(created.id)
    with pytest.raises(NotFoundError, match="Hero not found"):
        store.heroes.get(created.id)


def test_hero_patch_writes_only_the_fields_that_were_set(store: Store) -> None:
    created = store.heroes.create(HeroCreate(name="Rusty-Man", power="rust", level=48))

    patched = store.heroes.update(created.id, HeroUpdate(level=49))

    assert patched.model_dump() == {**created.model_dump(), "level": 49, "version": created.version + 1}
    assert store.heroes.get(created.id) == patched
    # A dict patch behaves the same: absent keys are not written.
    store.heroes.update(created.id, {"power": "more rust"})
    assert store.heroes.get(created.id).model_dump() == {
        **patched.model_dump(),
        "power": "more rust",
        "version": patched.version + 1,
    }


def test_hero_update_refuses_an_explicit_none_name() -> None:
    with pytest.raises(ValidationError):
        HeroUpdate(name=None)


def test_task_manager(store: Store) -> None:
    alice = user(store, "alice")
    bob = user(store, "bob")
    for owner, title, status in (
        (alice, "Plan", TaskStatus.todo),
        (alice, "Build", TaskStatus.in_progress),
        (alice, "Test", TaskStatus.todo),
        (bob, "Ship", TaskStatus.todo),
        (bob, "Rest", TaskStatus.done),
    ):
        store.tasks.create(TaskCreate(title=title, status=status, owner_id=owner.id))

    todo_of_alice = store.tasks.list(status=TaskStatus.todo, owner_id=alice.id)
    assert [t.title for t in todo_of_alice] == ["Plan", "Test"]
    assert [t.title for t in store.tasks.list(status="todo")] == ["Plan", "Test", "Ship"]
    assert [t.title for t in store.tasks.list(owner_id=bob.id)] == ["Ship", "Rest"]

    assert [t.title for t in store.tasks.list(skip=1, limit=2)] == ["Build", "Test"]
    assert [t.title for t in store.tasks.list(skip=4, limit=10)] == ["Rest"]
    assert store.tasks.list(skip=5) == []
    assert len(store.tasks.list(limit=MAX_LIST_LIMIT)) == 5


def test_task_list_refuses_out_of_range_paging(store: Store) -> None:
    for skip, limit, complaint in ((0, MAX_LIST_LIMIT + 1, "limit"), (0, 0, "limit"), (-1, 10, "skip")):
        with pytest.raises(ValueError, match=complaint):
            store.tasks.list(skip=skip, limit=limit)


def test_task_patch_changes_only_the_status(store: Store) -> None:
    owner = user(store, "carol")
    created = store.tasks.create(TaskCreate(title="Write", description="A draft", owner_id=owner.id))
    before = table_contents(store)

    patched = store.tasks.update(created.id, TaskUpdate(status=TaskStatus.done))

    # Becoming done also records when (desktop.models): the one field the status change brings along.
    assert created.completed_at is None and patched.completed_at is not None
    changed = {"status": TaskStatus.done, "version": 2, "completed_at": patched.completed_at}
    assert patched.model_dump() == {**created.model_dump(), **changed}
    after = table_contents(store)
    assert {name: rows for name, rows in after.items() if name != "task"} == {
        name: rows for name, rows in before.items() if name != "task"
    }
    assert store.tasks.get(created.id) == patched
