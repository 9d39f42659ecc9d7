"""Undo and redo of an import: remove exactly the imported rows, and put them back with their ids."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from desktop.store import ENTITIES, Change, Deletion, Entity, Store

CHUNK = 500  # ids per statement: far below every database's limit on bound values


@dataclass
class RemovedRows:
    """What removing imported rows took away: the rows as stored, and references it cleared."""

    entity: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    moved: list[tuple[str, int, str, int | None]] = field(default_factory=list)


def remove_rows(store: Store, entity_name: str, ids: Sequence[int]) -> RemovedRows:
    """Delete these rows in one transaction; rows of others that point at them are handled as a delete is."""
    entity = ENTITIES[entity_name]
    table = entity.sa_table
    repository = store.repository(entity_name)
    removed = RemovedRows(entity_name)
    store.ensure_writable()
    with repository.transaction(write=True) as session:
        for start in range(0, len(ids), CHUNK):
            chunk = list(ids[start : start + CHUNK])
            rows = [
                dict(row) for row in session.execute(sa.select(table).where(table.c.id.in_(chunk))).mappings()
            ]
            if len(rows) != len(chunk):
                raise _gone(entity)
            deletion = Deletion(entity_name, [])
            store.detach_children(session, entity, chunk, None, deletion)
            removed.moved.extend(deletion.moved)
            session.execute(sa.delete(table).where(table.c.id.in_(chunk)))
            removed.rows.extend(rows)
    store.notify(Change(entity_name, "reset"))
    for child in {moved[0] for moved in removed.moved}:
        store.notify(Change(child, "reset"))
    return removed


def put_back(store: Store, removed: RemovedRows) -> None:
    """Insert the removed rows again with their ids and versions, and restore the cleared references."""
    entity = ENTITIES[removed.entity]
    table = entity.sa_table
    repository = store.repository(removed.entity)
    store.ensure_writable()
    with repository.transaction(write=True) as session:
        for start in range(0, len(removed.rows), CHUNK):
            session.execute(sa.insert(table), removed.rows[start : start + CHUNK])
        store.put_references_back(session, removed.moved)
    store.notify(Change(removed.entity, "reset"))
    for child_name in {moved[0] for moved in removed.moved}:
        store.notify(Change(child_name, "reset"))


def _gone(entity: Entity) -> Exception:
    from desktop.errors import NotFoundError

    return NotFoundError(
        f"Some of the imported {entity.plural} were deleted or changed elsewhere since.",
        entity=entity.name,
        row_id=None,
    )
