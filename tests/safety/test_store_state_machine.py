"""A stateful property test: random creates, updates, deletes, undos and redos on every entity, checked
after every step against an in-memory oracle of what the database must hold, row versions included.

Undo and redo are modelled at the store level, as the window's undo stack does them: undoing a
create deletes the row, redoing it puts the same row back (store.restore); undoing an update writes
the old values again; undoing a delete restores the rows and the references the delete moved.
Invalid input must raise and change nothing.

Examples per run: TASKFORCE_STATEFUL_EXAMPLES=N overrides the CI figures below for every database
(the long run in docs/reliability.md uses 1000).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from pydantic import ValidationError
from sqlmodel import SQLModel

from desktop.errors import DuplicateError, InUseError, NotFoundError, RelatedRowError
from desktop.store import ENTITIES, Deletion, Store

CI_EXAMPLES = {"sqlite": 500, "postgresql": 100, "mariadb": 50}
STEPS = 20
MISSING_ID = 987_654
DELETE_ORDER = ("task", "hero", "user", "team", "item")
CHILDREN = {"team": ("hero", "team_id"), "user": ("task", "owner_id")}

VALID_TEXT = [
    "Plan",
    " padded ",
    "Élodie",
    "😀 emoji",
    "\u202eRTL\u202c text",
    "e\u0301\u0301",
    "O'Brien; DROP TABLE task; --",
    '50% off_ "quoted" \\ back',
]
INVALID_TEXT = ["", "   ", "x" * 101, "nul\x00byte"]


def mostly_valid(valid: st.SearchStrategy[Any], invalid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Nine in ten values are valid, so that rows pile up; the tenth must be refused."""
    return one_in_ten().flatmap(lambda rare: invalid if rare else valid)


def one_in_ten() -> st.SearchStrategy[bool]:
    # From the middle of the range: Hypothesis favours the ends of a range, and shrinks to 0.
    return st.integers(min_value=0, max_value=99).map(lambda n: 40 <= n < 50)


text = mostly_valid(
    st.one_of(
        st.sampled_from(VALID_TEXT),
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Z")), min_size=1, max_size=12),
    ),
    st.sampled_from(INVALID_TEXT),
)
optional_text = st.one_of(st.none(), text, st.just("long " * 2_000))
usernames = mostly_valid(
    st.sampled_from(["alice", "bob", " carol ", "Alice", "dave"]), st.sampled_from(["", "x" * 51])
)
emails = mostly_valid(
    st.sampled_from(["alice@example.com", "ALICE@example.com", "bob@example.com", "carol@example.org"]),
    st.sampled_from(["not-an-email", ""]),
)
prices = mostly_valid(
    st.one_of(st.floats(min_value=0, max_value=1e9, allow_nan=False), st.sampled_from([12.99, 0.1 + 0.2])),
    st.sampled_from([-1.0, math.nan, math.inf, 1e9 + 1]),
)
levels = mostly_valid(st.integers(min_value=1, max_value=100), st.sampled_from([0, 101]))
statuses = mostly_valid(st.sampled_from(["todo", "in_progress", "done"]), st.just("bogus"))


@dataclass
class Command:
    """One step on the undo stack."""

    kind: str  # "create", "update", "delete"
    entity: str
    ids: list[int]
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    deletion: Deletion | None = None
    reassign_to: int | None = None


def as_row(read: SQLModel) -> dict[str, Any]:
    return read.model_dump()


class StoreMachine(RuleBasedStateMachine):
    store: Store  # set by the test that runs the machine

    def __init__(self) -> None:
        super().__init__()
        with self.store.engine.begin() as connection:
            for name in DELETE_ORDER:
                connection.execute(sa.delete(ENTITIES[name].sa_table))
        self.rows: dict[str, dict[int, dict[str, Any]]] = {name: {} for name in ENTITIES}
        self.undo_stack: list[Command] = []
        self.redo_stack: list[Command] = []

    # --- drawing values ------------------------------------------------------------------------------

    def some_id(self, data: st.DataObject, entity: str, *, allow_none: bool = False) -> int | None:
        """Mostly a row that exists; sometimes none, or one that does not exist."""
        kind = data.draw(st.integers(min_value=0, max_value=99))
        if 40 <= kind < 50 or not self.rows[entity]:
            return MISSING_ID
        if 50 <= kind < 70 and allow_none:
            return None
        return data.draw(st.sampled_from(sorted(self.rows[entity])))

    def draw_values(self, data: st.DataObject, entity: str) -> dict[str, Any]:
        if entity == "team":
            return {"name": data.draw(text)}
        if entity == "hero":
            return {
                "name": data.draw(text),
                "power": data.draw(text),
                "level": data.draw(levels),
                "team_id": self.some_id(data, "team", allow_none=True),
            }
        if entity == "item":
            return {
                "name": data.draw(text),
                "description": data.draw(optional_text),
                "price": data.draw(prices),
                "in_stock": data.draw(st.booleans()),
            }
        if entity == "user":
            return {"username": data.draw(usernames), "email": data.draw(emails)}
        return {
            "title": data.draw(text),
            "description": data.draw(optional_text),
            "status": data.draw(statuses),
            "owner_id": self.some_id(data, "user"),
        }

    # --- what the store must answer ------------------------------------------------------------------

    def problem(self, entity: str, values: dict[str, Any], row_id: int | None) -> type[Exception] | None:
        """The error the store must raise for these (validated) values, or None."""
        for reference in ENTITIES[entity].references:
            target = values.get(reference.field)
            if target is not None and target not in self.rows[reference.target]:
                return RelatedRowError
        for name in ENTITIES[entity].unique_fields:
            if name in values and any(
                other[name] == values[name]
                for other_id, other in self.rows[entity].items()
                if other_id != row_id
            ):
                return DuplicateError
        return None

    def expect_unchanged(self, error: type[Exception], action: Any) -> None:
        with pytest.raises(error):
            action()

    # --- rules ---------------------------------------------------------------------------------------

    @rule(entity=st.sampled_from(list(ENTITIES)), data=st.data())
    def create(self, entity: str, data: st.DataObject) -> None:
        values = self.draw_values(data, entity)
        repository = self.store.repository(entity)
        try:
            checked = ENTITIES[entity].create.model_validate(values).model_dump()
        except ValidationError:
            self.expect_unchanged(ValidationError, lambda: repository.create(values))
            return
        error = self.problem(entity, checked, None)
        if error is not None:
            self.expect_unchanged(error, lambda: repository.create(values))
            return
        created = as_row(repository.create(values))
        assert created["id"] not in self.rows[entity]
        expected = {**checked, "id": created["id"], "version": 1}
        if entity == "task":
            expected["created_at"] = created["created_at"]
            # Made done, it is completed now; otherwise not (the time itself is the store's).
            assert (created["completed_at"] is not None) == (created["status"] == "done")
            expected["completed_at"] = created["completed_at"]
        assert created == expected
        self.rows[entity][created["id"]] = created
        self.push(Command("create", entity, [created["id"]]))

    @rule(data=st.data(), parent=st.sampled_from(sorted(CHILDREN)), children=st.integers(1, 3))
    def create_family(self, data: st.DataObject, parent: str, children: int) -> None:
        """A team with heroes, or two users and tasks of the first: what deletes must take care of."""
        child, fk = CHILDREN[parent]
        number = len(self.rows[parent]) + data.draw(st.integers(0, 1_000))
        parents = [self.add(parent, self.valid_values(parent, number))]
        if parent == "user":
            parents.append(self.add(parent, self.valid_values(parent, number + 1)))
        for _ in range(children):
            self.add(child, {**self.valid_values(child, number), fk: parents[0]})

    @staticmethod
    def valid_values(entity: str, number: int) -> dict[str, Any]:
        return {
            "team": {"name": f"Team {number}"},
            "hero": {"name": f"Hero {number}", "power": "flight", "level": 5},
            "user": {"username": f"user{number}", "email": f"user{number}@example.com"},
            "task": {"title": f"Task {number}", "status": "todo"},
        }[entity]

    def add(self, entity: str, values: dict[str, Any]) -> int:
        if self.problem(entity, values, None) is not None:
            return next(iter(self.rows[entity]))  # a taken name: use a row that is there
        created = as_row(self.store.repository(entity).create(values))
        self.rows[entity][created["id"]] = created
        self.push(Command("create", entity, [created["id"]]))
        return int(created["id"])

    def some_entity(self, data: st.DataObject) -> str:
        """Mostly one that has rows: updating or deleting in an empty table only proves NotFoundError."""
        filled = [name for name in ENTITIES if self.rows[name]]
        if filled and not data.draw(one_in_ten()):
            return data.draw(st.sampled_from(filled))
        return data.draw(st.sampled_from(list(ENTITIES)))

    def has_rows(self) -> bool:
        return any(self.rows.values())

    @precondition(has_rows)
    @rule(data=st.data())
    def update(self, data: st.DataObject) -> None:
        entity = self.some_entity(data)
        row_id = self.some_id(data, entity)
        assert row_id is not None
        drawn = self.draw_values(data, entity)
        fields = data.draw(st.sets(st.sampled_from(sorted(drawn)), min_size=1))
        patch = {name: drawn[name] for name in fields}
        if data.draw(st.booleans()):
            patch[sorted(fields)[0]] = None  # clearing a required field
        repository = self.store.repository(entity)
        try:
            checked = ENTITIES[entity].update.model_validate(patch).model_dump(exclude_unset=True)
        except ValidationError:
            self.expect_unchanged(ValidationError, lambda: repository.update(row_id, patch))
            return
        if row_id not in self.rows[entity]:
            self.expect_unchanged(NotFoundError, lambda: repository.update(row_id, patch))
            return
        error = self.problem(entity, checked, row_id)
        if error is not None:
            self.expect_unchanged(error, lambda: repository.update(row_id, patch))
            return
        current = self.rows[entity][row_id]
        before = {name: current[name] for name in checked if current[name] != checked[name]}
        result = repository.update(row_id, patch)
        self.apply_update(entity, row_id, checked, result)
        if before:
            after = {name: checked[name] for name in before}
            self.push(Command("update", entity, [row_id], before=before, after=after))

    @precondition(has_rows)
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        entity = self.some_entity(data)
        count = data.draw(st.integers(min_value=1, max_value=2))
        ids = [self.some_id(data, entity) for _ in range(count)]
        referred = self.referred_ids(entity)
        if referred and data.draw(st.booleans()):
            ids[0] = data.draw(st.sampled_from(referred))  # the interesting case: rows others refer to
        reassign_to = self.some_id(data, entity, allow_none=True) if entity in CHILDREN else None
        clean_ids = [row_id for row_id in dict.fromkeys(ids) if row_id is not None]
        error = self.delete_problem(entity, clean_ids, reassign_to)
        repository = self.store.repository(entity)
        if error is not None:
            self.expect_unchanged(error, lambda: repository.delete_many(clean_ids, reassign_to=reassign_to))
            return
        deletion = repository.delete_many(clean_ids, reassign_to=reassign_to)
        self.apply_delete(entity, clean_ids, reassign_to, deletion)
        self.push(Command("delete", entity, clean_ids, deletion=deletion, reassign_to=reassign_to))

    @precondition(lambda self: bool(self.undo_stack))
    @rule()
    def undo(self) -> None:
        command = self.undo_stack.pop()
        repository = self.store.repository(command.entity)
        if command.kind == "create":
            command.deletion = repository.delete_many(command.ids)
            self.apply_delete(command.entity, command.ids, None, command.deletion)
        elif command.kind == "update":
            result = repository.update(command.ids[0], command.before)
            self.apply_update(command.entity, command.ids[0], command.before, result)
        else:
            assert command.deletion is not None
            self.store.restore(command.deletion)
            self.apply_restore(command.deletion)
        self.redo_stack.append(command)

    @precondition(lambda self: bool(self.redo_stack))
    @rule()
    def redo(self) -> None:
        command = self.redo_stack.pop()
        repository = self.store.repository(command.entity)
        if command.kind == "create":
            assert command.deletion is not None
            self.store.restore(command.deletion)
            self.apply_restore(command.deletion)
        elif command.kind == "update":
            result = repository.update(command.ids[0], command.after)
            self.apply_update(command.entity, command.ids[0], command.after, result)
        else:
            command.deletion = repository.delete_many(command.ids, reassign_to=command.reassign_to)
            self.apply_delete(command.entity, command.ids, command.reassign_to, command.deletion)
        self.undo_stack.append(command)

    # --- the oracle ----------------------------------------------------------------------------------

    def push(self, command: Command) -> None:
        self.undo_stack.append(command)
        self.redo_stack.clear()

    def apply_update(self, entity: str, row_id: int, values: dict[str, Any], result: SQLModel) -> None:
        row = self.rows[entity][row_id]
        old_status, old_completed = row.get("status"), row.get("completed_at")
        if any(row[name] != value for name, value in values.items()):
            row.update(values)
            row["version"] += 1
        if entity == "task":
            # completed_at follows the status: set on becoming done, cleared on leaving it, else kept.
            completed = as_row(result)["completed_at"]
            if row["status"] == old_status:
                assert completed == old_completed
            else:
                assert (completed is not None) == (row["status"] == "done")
            row["completed_at"] = completed

    def referred_ids(self, entity: str) -> list[int]:
        if entity not in CHILDREN:
            return []
        child, fk = CHILDREN[entity]
        return sorted({row[fk] for row in self.rows[child].values()} - {None})

    def children_of(self, entity: str, ids: list[int]) -> list[int]:
        if entity not in CHILDREN:
            return []
        child, fk = CHILDREN[entity]
        return [row_id for row_id, row in self.rows[child].items() if row[fk] in ids]

    def delete_problem(self, entity: str, ids: list[int], reassign_to: int | None) -> type[Exception] | None:
        if any(row_id not in self.rows[entity] for row_id in ids):
            return NotFoundError
        children = self.children_of(entity, ids)
        if children and reassign_to is None and entity == "user":
            return InUseError
        if (
            children
            and reassign_to is not None
            and (reassign_to in ids or reassign_to not in self.rows[entity])
        ):
            return RelatedRowError
        return None

    def apply_delete(self, entity: str, ids: list[int], reassign_to: int | None, deletion: Deletion) -> None:
        assert sorted(as_row(row)["id"] for row in deletion.rows) == sorted(ids)
        assert [as_row(row) for row in sorted(deletion.rows, key=lambda r: as_row(r)["id"])] == [
            self.rows[entity][row_id] for row_id in sorted(ids)
        ]
        if entity in CHILDREN:
            child, fk = CHILDREN[entity]
            for row_id in self.children_of(entity, ids):
                self.rows[child][row_id][fk] = reassign_to
                self.rows[child][row_id]["version"] += 1
        for row_id in ids:
            del self.rows[entity][row_id]

    def apply_restore(self, deletion: Deletion) -> None:
        for row in deletion.rows:
            values = as_row(row)
            self.rows[deletion.entity][values["id"]] = values
        for entity, row_id, fk, value in deletion.moved:
            self.rows[entity][row_id][fk] = value
            self.rows[entity][row_id]["version"] += 1

    @invariant()
    def the_database_holds_what_the_oracle_says(self) -> None:
        with self.store.engine.connect() as connection:
            for name, entity in ENTITIES.items():
                table = entity.sa_table
                stored = connection.execute(sa.select(table).order_by(table.c.id)).mappings().all()
                actual = {row["id"]: as_row(entity.read.model_validate(dict(row))) for row in stored}
                assert actual == self.rows[name], name


def examples_for(backend: str) -> int:
    override = os.environ.get("TASKFORCE_STATEFUL_EXAMPLES")
    return int(override) if override else CI_EXAMPLES[backend]


def test_random_operations_match_the_oracle(store: Store) -> None:
    machine = type("Machine", (StoreMachine,), {"store": store})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples_for(store.backend if store.backend != "mysql" else "mariadb"),
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
