"""The window's table model: inline edits never overwrite a change made elsewhere; none when read-only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from sqlmodel import SQLModel

from desktop.errors import ConflictError
from desktop.store import Entity, Record, Repository, Store
from desktop.ui.table_model import EntityTableModel
from desktop.ui.undo import StoreCommands

AnyIndex = QModelIndex | QPersistentModelIndex


class GuardedTableModel(EntityTableModel):
    """Rows of one entity whose cells are edited as undoable steps, each pinned to the row's version.

    An edit is saved only over the version of the row that the table showed: when someone else
    changed (or deleted) the row since, the edit is refused with a message and the row is shown
    as it is saved now. While the database is read-only no cell can be edited or ticked.
    """

    def __init__(
        self,
        store: Store,
        entity: Entity,
        commands: StoreCommands,
        parent: QObject | None = None,
        *,
        started: bool = True,
    ) -> None:
        self._commands = commands
        self._editing: Record[Any] | None = None  # the row as shown, during setData
        super().__init__(store, entity, updater=self, started=started, parent=parent)

    def set_commands(self, store: Store, commands: StoreCommands) -> None:
        """Show another database, whose edits go to these commands."""
        self._commands = commands
        self.set_store(store, self)

    def writing_allowed(self) -> bool:
        return not self.store.read_only

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        self._editing = self.record_at(index.row()) if index.isValid() else None
        try:
            return super().setData(index, value, role)
        finally:
            self._editing = None

    def update(self, entity_name: str, row_id: int, patch: Mapping[str, Any]) -> SQLModel:
        """The updater of the base model: called from setData with the edited cell's value."""
        shown = self._editing.read if self._editing is not None else None
        if shown is None or Repository.row_id(shown) != row_id:
            return self._commands.update(entity_name, row_id, patch)
        try:
            # Merged with what others changed since the row was shown: only the same field clashes.
            return self._commands.update(
                entity_name, row_id, patch, expected_version=shown.version, base=shown.model_dump()
            )
        except ConflictError as conflict:
            label = self.entity.label.lower()
            raise ConflictError(
                f"This {label} was changed elsewhere since it was shown, so your change was not saved. "
                "The row now shows what is saved; edit it again to change it.",
                entity=conflict.entity,
                row_id=conflict.row_id,
                current=conflict.current,
                fields=conflict.fields,
            ) from conflict
