"""The three-way merge of an edit against a row someone else changed meanwhile."""

from desktop.models import TaskStatus
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
