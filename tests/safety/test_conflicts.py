"""Two clients on one database: row versions turn a lost update into a conflict, on every database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from desktop.errors import ConflictError, NotFoundError
from desktop.store import Change, Store


@pytest.fixture
def two(database_url: str) -> Iterator[tuple[Store, Store]]:
    """Two clients, as two windows or two machines would have."""
    first, second = Store.open(database_url), Store.open(database_url)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def test_the_second_save_of_a_row_gets_a_conflict_and_nothing_is_lost(two: tuple[Store, Store]) -> None:
    mine, theirs = two
    owner = mine.users.create({"username": "alice", "email": "alice@example.com"})
    loaded_by_me = mine.tasks.create({"title": "Plan", "owner_id": owner.id, "description": "first"})
    loaded_by_them = theirs.tasks.get(loaded_by_me.id)
    assert loaded_by_me.version == loaded_by_them.version == 1

    saved = theirs.tasks.update(loaded_by_them.id, {"title": "Their plan"}, expected_version=1)
    assert saved.version == 2

    changes: list[Change] = []
    mine.subscribe(changes.append)
    with pytest.raises(ConflictError, match="changed elsewhere after you opened it") as conflict:
        mine.tasks.update(loaded_by_me.id, {"title": "My plan"}, expected_version=loaded_by_me.version)

    assert conflict.value.current == saved  # their row, as it is saved now
    assert changes == [Change("task", "updated", (saved.id,))]  # so the view shows their value
    assert theirs.tasks.get(saved.id).title == "Their plan"  # no update lost

    # Overwrite: pinned to the version seen in the conflict; only the field I changed is written.
    overwritten = mine.tasks.update(saved.id, {"title": "My plan"}, expected_version=saved.version)
    assert (overwritten.title, overwritten.description, overwritten.version) == ("My plan", "first", 3)


def test_a_patch_without_a_version_still_writes_only_its_fields(two: tuple[Store, Store]) -> None:
    mine, theirs = two
    hero = mine.heroes.create({"name": "Thor", "power": "thunder"})
    theirs.heroes.update(hero.id, {"power": "lightning"})
    updated = mine.heroes.update(hero.id, {"level": 7})
    assert (updated.name, updated.power, updated.level, updated.version) == ("Thor", "lightning", 7, 3)


def test_editing_a_row_deleted_elsewhere_says_it_no_longer_exists(two: tuple[Store, Store]) -> None:
    mine, theirs = two
    item = mine.items.create({"name": "Widget", "price": 1})
    theirs.items.delete(item.id)
    changes: list[Change] = []
    mine.subscribe(changes.append)

    with pytest.raises(NotFoundError, match="This item no longer exists: it was deleted elsewhere"):
        mine.items.update(item.id, {"price": 2}, expected_version=item.version)

    assert changes == [Change("item", "deleted", (item.id,))]  # the view drops the row
    assert mine.items.count() == 0


@pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)
def test_a_change_between_read_and_write_is_never_overwritten(database_url: str, store: Store) -> None:
    """The version is checked by the UPDATE itself, so even the last instant is covered.

    (On SQLite a write transaction holds the write lock from its start: nobody gets in between.)
    """
    team = store.teams.create({"name": "Avengers"})
    table = sa.table("team", sa.column("id"), sa.column("name"), sa.column("version"))
    raced = False

    def someone_else_saves_first(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        nonlocal raced
        if statement.lstrip().upper().startswith("UPDATE") and not raced:
            raced = True
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other:
                other.execute(sa.update(table).values(name="Theirs", version=table.c.version + 1))

    sa.event.listen(store.engine, "before_cursor_execute", someone_else_saves_first)
    try:
        with pytest.raises(ConflictError) as conflict:
            store.teams.update(team.id, {"name": "Mine"})
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", someone_else_saves_first)
    assert conflict.value.current.name == "Theirs"
    assert store.teams.get(team.id).name == "Theirs"


def test_versions_across_delete_and_restore(store: Store) -> None:
    team = store.teams.create({"name": "Avengers"})
    thor = store.heroes.create({"name": "Thor", "power": "thunder", "team_id": team.id})
    deletion = store.teams.delete_many([team.id])

    cleared = store.heroes.get(thor.id)
    assert (cleared.team_id, cleared.version) == (None, 2)  # a moved reference is a change
    store.restore(deletion)
    back = store.heroes.get(thor.id)
    assert (back.team_id, back.version) == (team.id, 3)
    assert store.teams.get(team.id) == team  # the restored row is the row that was deleted
    # An edit of the team loaded before the delete is not a conflict: nothing changed in it.
    assert store.teams.update(team.id, {"name": "Avengers!"}, expected_version=team.version).version == 2
    # An edit of the hero loaded before is: its team was cleared and put back meanwhile.
    with pytest.raises(ConflictError):
        store.heroes.update(thor.id, {"level": 2}, expected_version=thor.version)


def test_saving_the_same_values_changes_no_version(store: Store) -> None:
    item = store.items.create({"name": "Widget", "price": 1.5})
    same = store.items.update(item.id, {"name": " Widget ", "price": 1.5}, expected_version=item.version)
    assert same == item
