"""Errors a person can cause or meet; each message is fit to show in a dialog."""

from __future__ import annotations

from typing import Any


class TaskforceError(Exception):
    """Base of every error that the GUI shows as a plain message."""

    @property
    def message(self) -> str:
        return str(self)


class NotFoundError(TaskforceError):
    """The row does not exist (any more)."""


class DuplicateError(TaskforceError):
    """A unique value (username, e-mail) is already taken."""


class RelatedRowError(TaskforceError):
    """A reference points at a row that does not exist."""


class InUseError(TaskforceError):
    """The row is still referenced and cannot be deleted as asked."""

    def __init__(self, message: str, count: int) -> None:
        super().__init__(message)
        self.count = count


class StorageError(TaskforceError):
    """The database refused a write or a read (disk full, locked, connection lost)."""


class DatabaseOpenError(TaskforceError):
    """The database cannot be opened: not ours, damaged, newer, or unreachable."""


class ConflictError(TaskforceError):
    """Someone else changed the row since it was loaded; `current` is the row as it is now."""

    def __init__(self, message: str, current: Any) -> None:
        super().__init__(message)
        self.current = current


class BackupError(TaskforceError):
    """A backup could not be made, verified or restored."""


class DatabaseInUseError(TaskforceError):
    """Another running Taskforce has this database file open."""
