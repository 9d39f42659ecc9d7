"""The three-way merge of an edit against a row someone else changed meanwhile."""

import pytest

from desktop.models import TaskCreate, TaskRead, TaskStatus, UserCreate
from desktop.store import ConflictError, Store
from desktop.store.merge import Merge, three_way

BASE = {"title": "Write report", "description": "draft", "status": TaskStatus.todo, "owner_id": 1}


def test_a_field_changed_only_by_the_other_person_is_kept() -> None:
    current = {**BASE, "description": "theirs"}
    assert three_way(BASE, current, {"status": TaskStatus.done}) == Merge({"status": TaskStatus.done}, ())


def test_the_same_field_changed_to_different_values_is_a_conflict() -> None:
    current = {**BASE, "status": TaskStatus.in_progress, "description": "theirs"}
    mine = {"status": TaskStatus.done, "title": "Mine"}
    assert three_way(BASE, current, mine) == Merge({"title": "Mine"}, ("status",))


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    current = {**BASE, "status": TaskStatus.done}
    assert three_way(BASE, current, {"status": "done"}) == Merge({}, ())


def test_a_field_the_base_does_not_know_is_written() -> None:
    assert three_way({}, BASE, {"title": "New"}) == Merge({"title": "New"}, ())


# --- through the store, on every database ------------------------------------------------------------


def _task(store: Store) -> TaskRead:
    owner = store.users.create(UserCreate(username="alice", email="alice@example.com"))
    return store.tasks.create(TaskCreate(title="Write report", description="draft", owner_id=owner.id))


def test_an_edit_merges_with_a_change_to_another_field(store: Store) -> None:
    loaded = _task(store)
    store.tasks.update(loaded.id, {"description": "theirs"})  # someone else, meanwhile
    saved = store.tasks.update(
        loaded.id, {"status": "done"}, expected_version=loaded.version, base=loaded.model_dump()
    )
    assert (saved.status, saved.description, saved.version) == (TaskStatus.done, "theirs", 3)


def test_an_edit_of_the_same_field_conflicts_and_writes_nothing(store: Store) -> None:
    loaded = _task(store)
    store.tasks.update(loaded.id, {"title": "Theirs", "description": "theirs"})
    with pytest.raises(ConflictError) as raised:
        store.tasks.update(
            loaded.id,
            {"title": "Mine", "status": "done"},
            expected_version=loaded.version,
            base=loaded.model_dump(),
        )
    assert raised.value.fields == ("title",)
    assert raised.value.current.title == "Theirs"
    now = store.tasks.get(loaded.id)
    assert (now.title, now.status, now.version) == ("Theirs", TaskStatus.todo, 2)


def test_without_the_loaded_values_any_change_elsewhere_conflicts(store: Store) -> None:
    loaded = _task(store)
    store.tasks.update(loaded.id, {"description": "theirs"})
    with pytest.raises(ConflictError) as raised:
        store.tasks.update(loaded.id, {"status": "done"}, expected_version=loaded.version)
    assert raised.value.fields == ()
