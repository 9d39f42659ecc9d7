"""Undoable store writes: create, edit and delete as QUndoCommands on a QUndoStack.

Each write runs against the store first, so its errors reach the caller and nothing is
pushed when it fails. The pushed command's first redo() does nothing: the work is done.
Every write, undo and redo included, runs on the query pool (`run_off_gui_thread`).

When undo or redo fails later (the row was deleted elsewhere, the database is locked),
nothing is raised through Qt. The store call ran in one transaction, so the data is as it
was; what happens to the history depends on the failure:

- a database that is busy, locked, full or unreachable may recover: the step stays where it
  was in the history, so Undo or Redo offers the same step again;
- any other failure means the step no longer fits the data (the row is gone, a name or an
  id is taken again): the step is removed from the history and the rest is kept.

Either way `error` is emitted with a message that says which of the two happened, once the
stack has settled, so a slot may show a modal message box safely.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from sqlmodel import SQLModel

from desktop.errors import NotFoundError, StorageError, StorageKind, TaskforceError
from desktop.store import ENTITIES, Deletion, Entity, Repository, Store
from desktop.ui.loading import run_off_gui_thread

log = logging.getLogger(__name__)


def describe(error: Exception) -> str:
    """A sentence for a person; unexpected errors are logged with their traceback instead."""
    if isinstance(error, TaskforceError):
        message = error.message
    elif isinstance(error, ValidationError):
        message = "; ".join(str(item["msg"]).removeprefix("Value error, ") for item in error.errors())
    else:
        log.error("undo/redo failed unexpectedly", exc_info=error)
        message = "An unexpected error occurred"
    return message if message.endswith((".", "!", "?")) else f"{message}."


# What the database was going through, not what the data is: once it is over, the same step may succeed.
PASSING = frozenset(
    {StorageKind.BUSY, StorageKind.CONNECTION, StorageKind.DISK_FULL, StorageKind.IO, StorageKind.READ_ONLY}
)


def may_pass(error: Exception) -> bool:
    """A refusal that may not happen again (busy, locked, full, offline), unlike a conflict with the data."""
    return isinstance(error, StorageError) and (error.retryable or error.kind in PASSING)


class StoreCommand(QUndoCommand):
    """A store write that has already happened; undo() reverts it, redo() repeats it.

    `applied` says whether the write's effect is in the database. undo() and redo() act
    only when it disagrees with them, which makes the first redo() a no-op and lets the
    history be realigned after a failed attempt without touching the data.
    """

    def __init__(self, owner: StoreCommands, entity: Entity, text: str) -> None:
        super().__init__(text)
        self.owner = owner
        self.entity = entity
        self.applied = True

    @property
    def repository(self) -> Repository[Any]:
        return self.owner.store.repository(self.entity.name)

    def apply(self) -> None:
        raise NotImplementedError(type(self).__name__)

    def revert(self) -> None:
        raise NotImplementedError(type(self).__name__)

    def redo(self) -> None:
        if not self.applied:
            self._attempt("redo", self.apply)

    def undo(self) -> None:
        if self.applied:
            self._attempt("undo", self.revert)

    def _attempt(self, verb: str, action: Callable[[], None]) -> None:
        try:
            run_off_gui_thread(action, busy=f"{verb.capitalize()}ing “{self.text()}”…")
        except Exception as error:  # a failure must not escape into Qt's undo stack
            message = f"Could not {verb} “{self.text()}”: {describe(error)}"
            if may_pass(error):
                self.owner.failed(self, message, keep=True)
            else:
                self.setObsolete(True)
                self.owner.failed(self, f"{message} It was removed from the undo history.", keep=False)
        else:
            self.applied = not self.applied


class CreateCommand(StoreCommand):
    """Undo deletes the new row; redo puts it back with the same id (and what pointed at it)."""

    def __init__(self, owner: StoreCommands, entity: Entity, row_id: int) -> None:
        super().__init__(owner, entity, f"Create {entity.label.lower()}")
        self.row_id = row_id
        self.deletion: Deletion | None = None

    def revert(self) -> None:
        self.deletion = self.repository.delete_many([self.row_id])

    def apply(self) -> None:
        assert self.deletion is not None
        self.owner.store.restore(self.deletion)


class EditCommand(StoreCommand):
    """Undo writes back the earlier values of exactly the fields that were changed.

    Fields someone else changed afterwards are theirs: if one of ours was changed elsewhere
    since, undo (or redo) refuses rather than overwrite it.
    """

    def __init__(
        self, owner: StoreCommands, entity: Entity, row_id: int, before: dict[str, Any], after: dict[str, Any]
    ) -> None:
        super().__init__(owner, entity, f"Edit {entity.label.lower()}")
        self.row_id = row_id
        self.before = before
        self.after = after

    def revert(self) -> None:
        self._write(self.before, expected=self.after)

    def apply(self) -> None:
        self._write(self.after, expected=self.before)

    def _write(self, values: dict[str, Any], expected: dict[str, Any]) -> None:
        current = self.repository.get(self.row_id)
        moved = [name for name, value in expected.items() if getattr(current, name) != value]
        if moved:
            fields = " and ".join(name.removesuffix("_id").replace("_", " ") for name in moved)
            noun = self.entity.label.lower()
            raise TaskforceError(
                f"The {fields} of this {noun} {'was' if len(moved) == 1 else 'were'} changed elsewhere since."
            )
        # The version read above: a change slipping in between is refused, not overwritten.
        self.repository.update(self.row_id, values, expected_version=getattr(current, "version", None))


class DeleteCommand(StoreCommand):
    """Undo restores the rows with their ids and relationships; redo deletes them again."""

    def __init__(
        self, owner: StoreCommands, entity: Entity, deletion: Deletion, reassign_to: int | None
    ) -> None:
        count = len(deletion.rows)
        what = entity.label.lower() if count == 1 else entity.count_label(count)
        super().__init__(owner, entity, f"Delete {what}")
        self.ids = [Repository.row_id(row) for row in deletion.rows]
        self.deletion = deletion
        self.reassign_to = reassign_to

    def revert(self) -> None:
        self.owner.store.restore(self.deletion)

    def apply(self) -> None:
        self.deletion = self.repository.delete_many(self.ids, reassign_to=self.reassign_to)


class StoreCommands(QObject):
    """The GUI's way to write: every create, edit and delete becomes one undoable step."""

    error = Signal(str)

    def __init__(self, store: Store, stack: QUndoStack, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.stack = stack

    def create(self, entity_name: str, data: Mapping[str, Any]) -> SQLModel:
        entity = ENTITIES[entity_name]
        repository = self.store.repository(entity_name)
        created: SQLModel = run_off_gui_thread(lambda: repository.create(data))
        self.stack.push(CreateCommand(self, entity, Repository.row_id(created)))
        return created

    def update(
        self,
        entity_name: str,
        row_id: int,
        patch: Mapping[str, Any],
        *,
        expected_version: int | None = None,
        base: Mapping[str, Any] | None = None,
    ) -> SQLModel:
        """Edit a row as one undoable step.

        Given expected_version (the version the person saw), a row changed since raises
        ConflictError and a row deleted since raises NotFoundError ("… no longer exists"); given
        also base (the values the person saw), it is merged field by field (Repository.update).
        """
        entity = ENTITIES[entity_name]
        repository = self.store.repository(entity_name)

        def save() -> tuple[SQLModel, SQLModel]:
            try:
                before_row = repository.get(row_id)
            except NotFoundError:
                if expected_version is not None:
                    # Says "deleted elsewhere" and tells the views, which still show the row.
                    repository.update(row_id, patch, expected_version=expected_version)
                raise
            # Pinned to a version, so that the values kept for undo are the ones replaced.
            version = (
                expected_version if expected_version is not None else getattr(before_row, "version", None)
            )
            return before_row, repository.update(row_id, patch, expected_version=version, base=base)

        before_row, updated = run_off_gui_thread(save)
        changed = [
            name
            for name in patch
            if name in entity.update.model_fields and getattr(before_row, name) != getattr(updated, name)
        ]
        if changed:
            before = {name: getattr(before_row, name) for name in changed}
            after = {name: getattr(updated, name) for name in changed}
            self.stack.push(EditCommand(self, entity, row_id, before, after))
        return updated

    def delete(self, entity_name: str, ids: Sequence[int], reassign_to: int | None = None) -> Deletion:
        entity = ENTITIES[entity_name]
        repository = self.store.repository(entity_name)
        deletion = run_off_gui_thread(
            lambda: repository.delete_many(ids, reassign_to=reassign_to), busy=f"Deleting {entity.plural}…"
        )
        self.stack.push(DeleteCommand(self, entity, deletion, reassign_to))
        return deletion

    # --- failures inside undo() / redo() ---------------------------------------

    def failed(self, command: StoreCommand, message: str, *, keep: bool) -> None:
        """Called from inside QUndoStack.undo()/redo(): settle the stack afterwards, then report."""

        def settle() -> None:
            if keep:
                self._realign(command)
            self.error.emit(message)

        QTimer.singleShot(0, self, settle)

    def _realign(self, command: StoreCommand) -> None:
        """Put the stack's index back on the side of the command that matches the data.

        QUndoStack moves its index even when the step failed; stepping back across the
        command calls its undo() or redo(), which does nothing because `applied` already
        agrees with the database.
        """
        position = next((i for i in range(self.stack.count()) if self.stack.command(i) is command), None)
        if position is None:
            return
        target = position + 1 if command.applied else position
        if self.stack.index() in (position, position + 1) and self.stack.index() != target:
            self.stack.setIndex(target)
