"""The FastAPI application over a Store: the entity routers, /health, and the guards in front."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.responses import Response

from desktop import __version__
from desktop.api.routes import EntityRoutes
from desktop.api.security import Guard
from desktop.api.workers import Workers
from desktop.store import ENTITIES, Store

DESCRIPTION = """\
Tasks, users, heroes, teams and items of the Taskforce database that this program has open, with the
routes of the SQLModel tutorial's Heroes and Task Manager APIs.

Every route but `/health` and these pages needs `Authorization: Bearer <token>` (the *Authorize*
button below takes it). Every row carries its `version`, which its `ETag` repeats; send it back
in `If-Match` and a change made meanwhile is not overwritten (412).
"""


def create_app(
    store: Store | Callable[[], Store],
    *,
    token: str,
    allowed_origins: Sequence[str] = (),
    threads: int | None = None,
) -> FastAPI:
    """The API over `store`, or over whatever store `store()` returns at each request (the window's).

    allowed_origins: web pages that may call the API from a browser (CORS); none by default.
    threads: how many requests use the database at once (default: desktop.api.workers.default_threads).
    """
    source: Callable[[], Store] = store if callable(store) else (lambda: store)
    app = FastAPI(title="Taskforce API", version=__version__, description=DESCRIPTION)
    workers = Workers(threads)
    for entity in ENTITIES.values():
        app.include_router(EntityRoutes(entity, source, workers).router())

    @app.get("/health", tags=["Health"], summary="Is the server up", openapi_extra={"security": []})
    def health() -> Response:
        """Answers without a token and says nothing about the data: `{"status": "ok"}`."""
        return Response(b'{"status":"ok"}', media_type="application/json")

    _document_bearer(app)
    if allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(allowed_origins),
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match"],
            expose_headers=["ETag", "Location"],
        )
    app.add_middleware(Guard, token=token, allowed_origins=allowed_origins)  # outermost: runs first
    return app


def _document_bearer(app: FastAPI) -> None:
    """Say in the OpenAPI document that the routes take a Bearer token, so /docs can send it."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            schema.setdefault("components", {})["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer"}
            }
            schema["security"] = [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
