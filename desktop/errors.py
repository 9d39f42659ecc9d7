"""Errors a person can cause or meet; each message is fit to show in a dialog.

Every error keeps its message (the first argument, shown to people) and says what it is about in
data attributes (the entity, the field, the value), so that a form can put it under the field it
names and a caller can decide what to do without reading the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Self

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError


class TaskforceError(Exception):
    """Base of every error that the GUI shows as a plain message."""

    @property
    def message(self) -> str:
        return str(self)


class NotFoundError(TaskforceError):
    """The row does not exist (any more)."""

    def __init__(self, message: str, *, entity: str, row_id: int | None) -> None:
        super().__init__(message)
        self.entity = entity
        self.row_id = row_id


class DuplicateError(TaskforceError):
    """A unique value (username, e-mail) is already taken; `field` is the field that holds it.

    `value` is None when only the database saw it (another program wrote it first).
    """

    def __init__(self, message: str, *, entity: str, field: str, value: Any) -> None:
        super().__init__(message)
        self.entity = entity
        self.field = field
        self.value = value


class RelatedRowError(TaskforceError):
    """A reference (`field`, pointing at a `target` entity) names a row that does not exist.

    `field` is "" when the database did not say which reference (SQLite names no foreign key).
    """

    def __init__(self, message: str, *, entity: str, field: str, target: str, value: Any) -> None:
        super().__init__(message)
        self.entity = entity
        self.field = field
        self.target = target
        self.value = value


class InUseError(TaskforceError):
    """The row is still referenced by `count` rows of `child` and cannot be deleted as asked."""

    def __init__(self, message: str, *, entity: str, count: int, child: str) -> None:
        super().__init__(message)
        self.entity = entity
        self.count = count
        self.child = child


class ConflictError(TaskforceError):
    """Someone else changed the row since it was loaded; `current` is the row as it is now.

    `fields` names the fields both changed to different values, where the edit was merged against
    the row as it was loaded (empty: the whole row is in question).
    """

    def __init__(
        self, message: str, *, entity: str, row_id: int, current: Any, fields: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.entity = entity
        self.row_id = row_id
        self.current = current
        self.fields = fields


class StorageKind(StrEnum):
    """What kind of trouble the database had."""

    DISK_FULL = "disk_full"
    IO = "io"
    BUSY = "busy"
    READ_ONLY = "read_only"
    CONNECTION = "connection"
    OUT_OF_RANGE = "out_of_range"
    CANCELLED = "cancelled"
    OTHER = "other"


class StorageError(TaskforceError):
    """The database refused a write or a read (disk full, locked, connection lost).

    retryable: the same request may succeed later unchanged (busy, locked, connection lost).
    """

    def __init__(
        self, message: str, *, kind: StorageKind = StorageKind.OTHER, retryable: bool = False
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.retryable = retryable


class CancelledError(StorageError):
    """A statement was stopped on purpose (a newer query replaced it); nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message, kind=StorageKind.CANCELLED)


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """What is wrong with one field ("" for the values as a whole)."""

    field: str
    message: str


class InvalidDataError(TaskforceError, ValidationError):
    """Values a schema refused: a TaskforceError with one FieldProblem per refusal.

    It is also a pydantic ValidationError with the same errors(), so code written against
    pydantic (a cell editor, an HTTP handler) reads it as it read the schema's own error.
    """

    entity: str
    problems: tuple[FieldProblem, ...]

    def __new__(
        cls, message: str, *pydantic_args: Any, entity: str = "", problems: Sequence[FieldProblem] = ()
    ) -> Self:
        if pydantic_args:  # ValidationError.from_exception_data() calls cls(title, line_errors, ...)
            return super().__new__(cls, message, *pydantic_args)
        return cls.from_exception_data(entity, [_line_error(problem) for problem in problems])

    def __init__(
        self, message: str, *pydantic_args: Any, entity: str = "", problems: Sequence[FieldProblem] = ()
    ) -> None:
        if pydantic_args:  # made by from_exception_data(): the title is the entity
            entity, problems = message, _problems(self)
            message = summary(entity, problems)
        Exception.__init__(self, message)
        self.entity = entity
        self.problems = tuple(problems)

    def __str__(self) -> str:
        return str(self.args[0])

    def __repr__(self) -> str:
        return f"InvalidDataError({self.message!r}, entity={self.entity!r}, problems={self.problems!r})"


def _line_error(problem: FieldProblem) -> InitErrorDetails:
    return {
        "type": PydanticCustomError("invalid_data", problem.message),
        "loc": (problem.field,) if problem.field else (),
        "input": None,
    }


def _problems(error: ValidationError) -> tuple[FieldProblem, ...]:
    return tuple(
        FieldProblem(
            ".".join(str(part) for part in item["loc"]), str(item["msg"]).removeprefix("Value error, ")
        )
        for item in error.errors(include_url=False)
    )


def field_words(field: str) -> str:
    """A field as a sentence names it: owner_id → owner, in_stock → in stock."""
    return field.removesuffix("_id").replace("_", " ")


def summary(entity: str, problems: Sequence[FieldProblem]) -> str:
    """One sentence for all the problems: "The user was not saved (username: must not be blank)."."""
    parts = [f"{field_words(p.field)}: {p.message}" if p.field else p.message for p in problems]
    what = f"The {entity}" if entity else "It"
    return f"{what} was not saved ({'; '.join(parts) or 'the values are not valid'})."


def invalid_data(entity: str, error: ValidationError) -> InvalidDataError:
    """A schema's ValidationError as an InvalidDataError, keeping pydantic's error types and limits."""
    if isinstance(error, InvalidDataError):
        return error
    details: list[InitErrorDetails] = [
        {
            "type": PydanticCustomError(item["type"], str(item["msg"]), item.get("ctx")),
            "loc": item["loc"],
            "input": item["input"],
        }
        for item in error.errors(include_url=False)
    ]
    made: InvalidDataError = InvalidDataError.from_exception_data(entity, details)
    return made


class DatabaseOpenError(TaskforceError):
    """The database cannot be opened: not ours, damaged, newer, or unreachable."""


class BackupError(TaskforceError):
    """A backup could not be made, verified or restored."""


class DatabaseInUseError(TaskforceError):
    """Another running Taskforce has this database file open."""
