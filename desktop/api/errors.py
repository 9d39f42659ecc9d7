"""The one place where the store's errors become HTTP status codes and bodies."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.responses import JSONResponse, Response

from desktop.errors import (
    ConflictError,
    DuplicateError,
    InUseError,
    NotFoundError,
    RelatedRowError,
    StorageError,
    TaskforceError,
)
from desktop.store import Entity


def not_found(entity: Entity) -> str:
    """The tutorial's detail: "Hero not found", "Task not found"."""
    return f"{entity.label} not found"


def status_for(error: TaskforceError) -> int:
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, (DuplicateError, InUseError)):
        return 409
    if isinstance(error, ConflictError):
        return 412
    if isinstance(error, RelatedRowError):
        return 422
    if isinstance(error, StorageError):
        return 503
    return 400


def error_response(
    error: TaskforceError | ValidationError | ValueError,
    entity: Entity,
    reference_location: tuple[str, str] | None = None,
) -> Response:
    """The response for an error the store raised while serving a request about `entity`.

    reference_location: where the request named the row a RelatedRowError is about, when not in
    the body (the reassign_to of a DELETE).
    """
    if isinstance(error, ValidationError):
        return JSONResponse({"detail": error.errors(include_url=False, include_context=False)}, 422)
    if not isinstance(error, TaskforceError):
        return JSONResponse({"detail": str(error)}, 422)
    status = status_for(error)
    body: dict[str, Any] = {"detail": not_found(entity) if status == 404 else error.message}
    if isinstance(error, RelatedRowError):
        # As FastAPI words a refused field, so that clients read both kinds of 422 alike.
        location = reference_location or ("body", getattr(error, "field", None) or _reference_field(entity))
        body["detail"] = [{"loc": list(location), "msg": error.message, "type": "related_row"}]
    if isinstance(error, ConflictError) and error.current is not None:
        body["current"] = error.current.model_dump(mode="json")
    headers = {"Retry-After": "1"} if status == 503 else None
    return JSONResponse(body, status, headers=headers)


def _reference_field(entity: Entity) -> str:
    return entity.references[0].field if len(entity.references) == 1 else "body"
