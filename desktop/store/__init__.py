"""The data store: everything the GUI does goes through here. No Qt."""

from desktop.errors import (
    CancelledError,
    ConflictError,
    DatabaseOpenError,
    DuplicateError,
    FieldProblem,
    InUseError,
    InvalidDataError,
    NotFoundError,
    RelatedRowError,
    StorageError,
    StorageKind,
    TaskforceError,
)
from desktop.store.cancel import Cancel
from desktop.store.entities import ENTITIES, Entity
from desktop.store.events import Change
from desktop.store.fields import Reference
from desktop.store.repository import MAX_LIST_LIMIT, MAX_PAGE_LIMIT, Deletion, Record, Repository
from desktop.store.store import Store

__all__ = [
    "ENTITIES",
    "MAX_LIST_LIMIT",
    "MAX_PAGE_LIMIT",
    "Cancel",
    "CancelledError",
    "Change",
    "ConflictError",
    "DatabaseOpenError",
    "Deletion",
    "DuplicateError",
    "Entity",
    "FieldProblem",
    "InUseError",
    "InvalidDataError",
    "NotFoundError",
    "Record",
    "Reference",
    "RelatedRowError",
    "Repository",
    "StorageError",
    "StorageKind",
    "Store",
    "TaskforceError",
]
