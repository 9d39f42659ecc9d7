"""References between rows: refused dangling references, deleting parents, undo, and change events."""

from __future__ import annotations

import pytest
from datahelpers import hero, table_contents, task, team, user

from desktop.models import TaskStatus
from desktop.store import Change, DuplicateError, InUseError, NotFoundError, RelatedRowError, Store


class Recorder:
    """A listener that also reads the database when told of a change, as a view would."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.changes: list[Change] = []
        self.seen: dict[tuple[str, int], object] = {}
        store.subscribe(self)

    def __call__(self, change: Change) -> None:
        self.changes.append(change)
        if change.kind == "updated" and change.entity == "hero":
            for row_id in change.ids:
                self.seen[("hero", row_id)] = self.store.heroes.get(row_id).team_id
        if change.kind == "updated" and change.entity == "task":
            for row_id in change.ids:
                self.seen[("task", row_id)] = self.store.tasks.get(row_id).owner_id

    def as_tuples(self) -> list[tuple[str, str, tuple[int, ...]]]:
        return [(change.entity, change.kind, tuple(sorted(change.ids))) for change in self.changes]


def test_a_task_of_an_unknown_owner_is_refused(store: Store) -> None:
    owner = user(store, "alice")
    planned = task(store, "Plan", owner)
    before = table_contents(store)
    recorder = Recorder(store)

    with pytest.raises(RelatedRowError, match="no user with id 99"):
        store.tasks.create({"title": "Orphan", "owner_id": 99})
    with pytest.raises(RelatedRowError, match="no user with id 99"):
        store.tasks.update(planned.id, {"owner_id": 99})

    assert table_contents(store) == before
    assert recorder.changes == []


def test_a_hero_of_an_unknown_team_is_refused(store: Store) -> None:
    thor = hero(store, "Thor")
    before = table_contents(store)

    with pytest.raises(RelatedRowError, match="no team with id 7"):
        store.heroes.create({"name": "Loki", "power": "tricks", "team_id": 7})
    with pytest.raises(RelatedRowError, match="no team with id 7"):
        store.heroes.update(thor.id, {"team_id": 7})

    assert table_contents(store) == before


def test_a_hero_can_join_and_leave_a_team(store: Store) -> None:
    avengers = team(store, "Avengers")
    thor = hero(store, "Thor")

    assert store.heroes.update(thor.id, {"team_id": avengers.id}).team_id == avengers.id
    assert store.heroes.page(0, 1)[0].refs == {"team": "Avengers"}
    assert store.heroes.update(thor.id, {"team_id": None}).team_id is None
    assert store.heroes.get(thor.id).team_id is None


def test_deleting_a_user_who_owns_tasks_is_refused(store: Store) -> None:
    alice, bob = user(store, "alice"), user(store, "bob")
    task(store, "Plan", alice)
    task(store, "Build", alice)
    task(store, "Ship", bob)
    before = table_contents(store)
    recorder = Recorder(store)

    with pytest.raises(InUseError) as caught:
        store.users.delete(alice.id)
    assert caught.value.count == 2
    assert "owns 2 tasks" in caught.value.message
    assert "Reassign" in caught.value.message
    with pytest.raises(InUseError, match="owns 3 tasks"):
        store.users.delete_many([alice.id, bob.id])

    assert table_contents(store) == before
    assert recorder.changes == []


def test_deleting_a_user_with_one_task_says_task(store: Store) -> None:
    alice = user(store, "alice")
    task(store, "Plan", alice)
    with pytest.raises(InUseError, match="owns 1 task\\."):
        store.users.delete(alice.id)


def test_deleting_a_user_reassigns_their_tasks(store: Store) -> None:
    alice, bob = user(store, "alice"), user(store, "bob")
    plan, build = task(store, "Plan", alice), task(store, "Build", alice)
    ship = task(store, "Ship", bob)
    recorder = Recorder(store)

    store.users.delete(alice.id, reassign_to=bob.id)

    with pytest.raises(NotFoundError, match="User not found"):
        store.users.get(alice.id)
    assert {t.id: t.owner_id for t in store.tasks.list()} == {
        plan.id: bob.id,
        build.id: bob.id,
        ship.id: bob.id,
    }
    assert [record.refs["owner"] for record in store.tasks.page(0, 10)] == ["bob", "bob", "bob"]
    assert recorder.as_tuples() == [
        ("task", "updated", (plan.id, build.id)),
        ("user", "deleted", (alice.id,)),
    ]


def test_reassigning_to_a_missing_or_deleted_user_is_refused(store: Store) -> None:
    alice, bob = user(store, "alice"), user(store, "bob")
    task(store, "Plan", alice)
    before = table_contents(store)

    with pytest.raises(RelatedRowError, match="reassign"):
        store.users.delete(alice.id, reassign_to=99)
    with pytest.raises(RelatedRowError, match="reassign"):
        store.users.delete(alice.id, reassign_to=alice.id)
    with pytest.raises(RelatedRowError, match="reassign"):
        store.users.delete_many([alice.id, bob.id], reassign_to=bob.id)

    assert table_contents(store) == before


def test_deleting_a_team_leaves_its_heroes_without_a_team(store: Store) -> None:
    avengers, defenders = team(store, "Avengers"), team(store, "Defenders")
    iron_man, thor = hero(store, "Iron Man", avengers), hero(store, "Thor", avengers)
    daredevil = hero(store, "Daredevil", defenders)
    recorder = Recorder(store)

    store.teams.delete(avengers.id)

    assert store.heroes.get(iron_man.id).team_id is None
    assert store.heroes.get(thor.id).team_id is None
    assert store.heroes.get(daredevil.id).team_id == defenders.id
    assert [record.refs["team"] for record in store.heroes.page(0, 10)] == [None, None, "Defenders"]
    assert recorder.as_tuples() == [
        ("hero", "updated", (iron_man.id, thor.id)),
        ("team", "deleted", (avengers.id,)),
    ]


def test_change_events_come_after_the_commit(store: Store) -> None:
    """A view that re-reads when told of a change already sees the change."""
    avengers = team(store, "Avengers")
    thor = hero(store, "Thor", avengers)
    alice, bob = user(store, "alice"), user(store, "bob")
    plan = task(store, "Plan", alice)
    recorder = Recorder(store)

    store.teams.delete(avengers.id)
    store.users.delete(alice.id, reassign_to=bob.id)

    assert recorder.seen == {("hero", thor.id): None, ("task", plan.id): bob.id}


def test_delete_many_is_all_or_nothing(store: Store) -> None:
    ids = [store.items.create({"name": name, "price": 1}).id for name in ("A", "B", "C")]
    before = table_contents(store)
    recorder = Recorder(store)

    with pytest.raises(NotFoundError, match="Item not found"):
        store.items.delete_many([ids[0], 999, ids[2]])

    assert table_contents(store) == before
    assert recorder.changes == []

    deletion = store.items.delete_many([ids[0], ids[2], ids[0]])
    assert [item.name for item in store.items.list()] == ["B"]
    assert sorted(row.id for row in deletion.rows) == [ids[0], ids[2]]  # type: ignore[attr-defined]
    assert recorder.as_tuples() == [("item", "deleted", (ids[0], ids[2]))]


def test_restore_brings_back_a_team_and_its_heroes(store: Store) -> None:
    avengers = team(store, "Avengers")
    iron_man, thor = hero(store, "Iron Man", avengers), hero(store, "Thor", avengers)
    hero(store, "Loner")
    before = table_contents(store)

    deletion = store.teams.delete_many([avengers.id])
    assert table_contents(store) != before
    recorder = Recorder(store)

    store.restore(deletion)

    assert store.teams.get(avengers.id).name == "Avengers"
    assert {h.team_id for h in store.heroes.list(team_id=avengers.id)} == {avengers.id}
    assert table_contents(store)["team"] == before["team"]
    assert [row[:5] for row in table_contents(store)["hero"]] == [row[:5] for row in before["hero"]]
    assert recorder.as_tuples() == [
        ("team", "created", (avengers.id,)),
        ("hero", "updated", (iron_man.id, thor.id)),
    ]


def test_restore_brings_back_a_user_and_their_reassigned_tasks(store: Store) -> None:
    alice, bob = user(store, "alice"), user(store, "bob")
    plan = task(store, "Plan", alice, TaskStatus.done, description="Scope")
    build = task(store, "Build", alice)
    before = table_contents(store)

    deletion = store.users.delete_many([alice.id], reassign_to=bob.id)
    store.restore(deletion)

    restored = store.users.get(alice.id)
    assert (restored.id, restored.username, restored.email) == (alice.id, "alice", "alice@example.com")
    assert store.tasks.get(plan.id).owner_id == alice.id
    assert store.tasks.get(build.id).owner_id == alice.id
    assert store.tasks.get(plan.id).created_at == plan.created_at
    assert table_contents(store)["user"] == before["user"]
    # The row versions of the moved tasks may have moved on; everything else is as it was.
    columns = ("title", "description", "status", "id", "created_at", "owner_id")
    after = {row.id: row for row in store.tasks.list()}
    assert {i: tuple(getattr(t, c) for c in columns) for i, t in after.items()} == {
        t.id: tuple(getattr(t, c) for c in columns) for t in (plan, build)
    }


def test_restore_brings_back_deleted_tasks_with_their_ids(store: Store) -> None:
    alice = user(store, "alice")
    tasks = [task(store, title, alice) for title in ("One", "Two", "Three")]
    before = table_contents(store)

    deletion = store.tasks.delete_many([tasks[0].id, tasks[2].id])
    assert [t.title for t in store.tasks.list()] == ["Two"]
    store.restore(deletion)

    assert table_contents(store) == before
    assert store.tasks.list() == tasks


def test_create_update_delete_events(store: Store) -> None:
    recorder = Recorder(store)
    widget = store.items.create({"name": "Widget", "price": 9.99})
    store.items.update(widget.id, {"price": 12.99})
    store.items.delete(widget.id)
    with pytest.raises(NotFoundError):
        store.items.update(widget.id, {"price": 1})

    assert recorder.changes == [
        Change("item", "created", (widget.id,)),
        Change("item", "updated", (widget.id,)),
        Change("item", "deleted", (widget.id,)),
    ]
    store.unsubscribe(recorder)
    store.items.create({"name": "Gadget", "price": 1})
    assert len(recorder.changes) == 3


def test_restore_is_refused_cleanly_when_its_username_was_taken_since(store: Store) -> None:
    alice, bob = user(store, "alice"), user(store, "bob")
    task(store, "Plan", alice)
    deletion = store.users.delete_many([alice.id], reassign_to=bob.id)
    user(store, "alice", "new.alice@example.com")
    before = table_contents(store)
    recorder = Recorder(store)

    with pytest.raises(DuplicateError, match="username is already taken"):
        store.restore(deletion)

    assert table_contents(store) == before  # neither the user nor the task's owner came back
    assert recorder.changes == []


def test_restore_is_refused_cleanly_when_a_referenced_row_is_gone(store: Store) -> None:
    avengers = team(store, "Avengers")
    thor = hero(store, "Thor", avengers)
    deletion = store.heroes.delete_many([thor.id])
    store.teams.delete(avengers.id)
    before = table_contents(store)

    with pytest.raises(RelatedRowError):
        store.restore(deletion)

    assert table_contents(store) == before
