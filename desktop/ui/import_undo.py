"""An import as one step on the undo stack: undo removes exactly the imported rows, redo puts them back."""

from __future__ import annotations

from collections.abc import Sequence

from desktop.store import Entity
from desktop.transfer.undoing import RemovedRows, put_back, remove_rows
from desktop.ui.undo import StoreCommand, StoreCommands


class ImportCommand(StoreCommand):
    """Pushed after the import committed, so its first redo() does nothing (see StoreCommand)."""

    def __init__(self, owner: StoreCommands, entity: Entity, ids: Sequence[int]) -> None:
        count = len(ids)
        what = entity.label.lower() if count == 1 else entity.plural
        super().__init__(owner, entity, f"Import {count:,} {what}")
        self.ids = list(ids)
        self.removed: RemovedRows | None = None

    def revert(self) -> None:
        self.removed = remove_rows(self.owner.store, self.entity.name, self.ids)

    def apply(self) -> None:
        assert self.removed is not None
        put_back(self.owner.store, self.removed)
        self.removed = None
