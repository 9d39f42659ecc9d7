"""One router per entity, made from the registry: create, list, read, update and delete.

The routes and answers of the tutorial's Heroes and Task Manager APIs, for every entity: the same
paths, status codes and bodies, plus `version` and an ETag. Bodies are checked by the entity's own
Create and Update schemas (the rules the window's forms use), and the store does the work: the
repositories are the one implementation of the rules.

No `from __future__ import annotations` here: FastAPI reads the signatures at run time.
"""

import enum
import inspect
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Header, Query
from pydantic import ValidationError
from starlette.responses import Response

from desktop.api.errors import error_response, not_found
from desktop.api.workers import Workers
from desktop.errors import TaskforceError
from desktop.store import MAX_LIST_LIMIT, Entity, Repository, Store
from desktop.store.entities import OnDelete, references_to

StoreSource = Callable[[], Store]
F = TypeVar("F", bound=Callable[..., Any])
Refused = (TaskforceError, ValidationError, ValueError)
JSON = "application/json"
SEARCH_MAX = 200
NO_VERSION = -1

# Filters that are not a column of the entity, and the type of their value.
COMPUTED_FILTER_TYPES: dict[str, type] = {"has_team": bool, "min_price": float}
FILTER_HELP = {
    "has_team": "true: only heroes in a team; false: only heroes without one.",
    "min_price": "Only items whose price is at least this.",
}


def etag(row: Any) -> str:
    return f'"{row.version}"'


def expected_version(if_match: str | None) -> int | None:
    """The version an If-Match header names; None for no header or "*".

    A header that names no version of ours can match no row: -1, which no row has (412).
    """
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    return int(tag) if tag.isdigit() else NO_VERSION


def _typed(function: F, **parameters: Any) -> F:
    """The function with these parameters, as FastAPI should read its signature.

    Each is `name=annotation` (required) or `name=(annotation, default)`.
    """
    made = []
    for name, spec in parameters.items():
        annotation, default = spec if isinstance(spec, tuple) else (spec, inspect.Parameter.empty)
        made.append(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
        )
    function.__signature__ = inspect.Signature(made, return_annotation=Response)  # type: ignore[attr-defined]
    return function


def _delete_note(entity: Entity) -> str:
    """What deleting a row does to the rows that refer to it (the store's rule, said for the docs)."""
    notes = []
    for child, reference in references_to(entity.name):
        if reference.on_delete is OnDelete.SET_NULL:
            notes.append(
                f"Its {child.plural} stay, without a {entity.label.lower()} (or move to `reassign_to`)."
            )
        else:
            notes.append(
                f"One that still owns {child.plural} is refused with 409, unless `reassign_to` names "
                f"another {entity.label.lower()} to give them to."
            )
    return " ".join(notes)


def _children(entity: Entity) -> list[str]:
    """The entities whose rows refer to rows of this one (tasks to users, heroes to teams)."""
    return list(dict.fromkeys(child.plural for child, _reference in references_to(entity.name)))


def _filter_parameters(entity: Entity) -> dict[str, Any]:
    parameters: dict[str, Any] = {}
    for name in entity.filters:
        field = entity.read.model_fields.get(name)
        kind: Any = field.annotation if field is not None else COMPUTED_FILTER_TYPES.get(name, str)
        description = FILTER_HELP.get(name, f"Only {entity.plural} whose {name} is this.")
        parameters[name] = (Annotated[kind | None, Query(description=description)], None)
    return parameters


class EntityRoutes:
    """The five routes of one entity over the store that `store()` returns at each request."""

    def __init__(self, entity: Entity, store: StoreSource, workers: Workers) -> None:
        self.entity = entity
        self._store = store
        self._workers = workers
        self._serializer = entity.read.__pydantic_serializer__
        self._order = enum.StrEnum(  # type: ignore[misc]
            f"{entity.label}Order", {name: name for name in entity.read.model_fields}
        )

    @property
    def repository(self) -> Repository[Any]:
        return self._store().repository(self.entity.name)

    def _one(self, row: Any, status: int = 200, **headers: str) -> Response:
        body = self._serializer.to_json(row)
        return Response(body, status, {"ETag": etag(row), **headers}, media_type=JSON)

    def _many(self, rows: Sequence[Any]) -> Response:
        body = b"[" + b",".join(self._serializer.to_json(row) for row in rows) + b"]"
        return Response(body, media_type=JSON)

    def router(self) -> APIRouter:
        entity = self.entity
        label, plural = entity.label.lower(), entity.plural
        router = APIRouter(prefix=f"/{plural}", tags=[entity.plural.capitalize()])
        item_path = "/{" + f"{entity.name}_id" + "}"
        not_found_response: dict[int | str, dict[str, Any]] = {404: {"description": not_found(entity)}}
        router.add_api_route(
            "/",
            self._create(),
            methods=["POST"],
            status_code=201,
            response_model=entity.read,
            summary=f"Create a {label}",
            description=(
                f"Checked by the same rules as the window's form; 201 with the new {label}, its "
                f"`version` and an `ETag`. 422 for a value the rules refuse"
                + (" or a reference to a row that does not exist" if entity.references else "")
                + (
                    f"; 409 for a {' or '.join(entity.unique_fields)} already taken"
                    if entity.unique_fields
                    else ""
                )
                + "."
            ),
        )
        router.add_api_route(
            "/",
            self._list(),
            methods=["GET"],
            response_model=list[entity.read],  # type: ignore[name-defined]
            summary=f"List {plural}",
            description=(
                f"A page of {plural} in id order (or by `order_by`), narrowed by the filters and by "
                f"`search` (the text anywhere in {', '.join(entity.search_columns)}, any case). "
                f"`skip` ≥ 0 and 1 ≤ `limit` ≤ {MAX_LIST_LIMIT}, otherwise 422."
            ),
        )
        router.add_api_route(
            item_path,
            self._read(),
            methods=["GET"],
            response_model=entity.read,
            responses=not_found_response,
            summary=f"Read a {label}",
            description=f"The {label} with its `version`, which its `ETag` repeats.",
        )
        router.add_api_route(
            item_path,
            self._update(),
            methods=["PATCH"],
            response_model=entity.read,
            responses={**not_found_response, 412: {"description": f"The {label} changed since that ETag"}},
            summary=f"Change a {label}",
            description=(
                "Only the fields sent change. With `If-Match: <ETag>`, a row changed since that read "
                "is not overwritten: 412 with the row as it is now in `current`."
            ),
        )
        router.add_api_route(
            item_path,
            self._delete(),
            methods=["DELETE"],
            responses={**not_found_response, 412: {"description": f"The {label} changed since that ETag"}},
            summary=f"Delete a {label}",
            description='`{"ok": true}` once deleted. With `If-Match: <ETag>`, a row changed since is kept '
            f"(412). {_delete_note(entity)}",
        )
        return router

    # --- the endpoints: the work runs on a worker thread (desktop.api.workers) -------------------

    def _endpoint(
        self, work: Callable[..., Response], *, write: bool = False, **parameters: Any
    ) -> Callable[..., Awaitable[Response]]:
        """An async route that runs work(**its parameters) off the event loop.

        The path parameter is named as the tutorial names it (hero_id, task_id); work calls it row_id.
        """
        id_name = f"{self.entity.name}_id"

        async def endpoint(**values: Any) -> Response:
            if id_name in values:
                values["row_id"] = values.pop(id_name)
            return await self._workers.run(partial(work, **values), write=write)

        endpoint.__name__ = work.__name__
        return _typed(endpoint, **parameters)

    def _id_parameter(self) -> dict[str, Any]:
        return {f"{self.entity.name}_id": int}

    def _create(self) -> Callable[..., Awaitable[Response]]:
        def create(*, body: Any) -> Response:
            try:
                row = self.repository.create(body)
            except Refused as error:
                return error_response(error, self.entity)
            location = f"/{self.entity.plural}/{Repository.row_id(row)}"
            return self._one(row, 201, Location=location)

        return self._endpoint(create, write=True, body=self.entity.create)

    def _list(self) -> Callable[..., Awaitable[Response]]:
        def list_rows(
            *,
            skip: int,
            limit: int,
            search: str | None,
            order_by: str | None,
            descending: bool,
            **filters: Any,
        ) -> Response:
            try:
                order = str(order_by or "id")
                records = self.repository.page(skip, limit, search, order, descending, **filters)
            except Refused as error:
                return error_response(error, self.entity)
            return self._many([record.read for record in records])

        return self._endpoint(
            list_rows,
            skip=(Annotated[int, Query(ge=0, description="Rows to pass over first.")], 0),
            limit=(Annotated[int, Query(ge=1, le=MAX_LIST_LIMIT, description="Rows at most.")], 10),
            search=(
                Annotated[str | None, Query(max_length=SEARCH_MAX, description="Text to find, any case.")],
                None,
            ),
            order_by=(Annotated[self._order | None, Query(description="Sort by this field, then id.")], None),
            descending=(Annotated[bool, Query(description="Sort from the last to the first.")], False),
            **_filter_parameters(self.entity),
        )

    def _read(self) -> Callable[..., Awaitable[Response]]:
        def read(*, row_id: int) -> Response:
            try:
                row = self.repository.get(row_id)
            except Refused as error:
                return error_response(error, self.entity)
            return self._one(row)

        return self._endpoint(read, **self._id_parameter())

    def _update(self) -> Callable[..., Awaitable[Response]]:
        def update(*, row_id: int, body: Any, if_match: str | None) -> Response:
            try:
                row = self.repository.update(row_id, body, expected_version=expected_version(if_match))
            except Refused as error:
                return error_response(error, self.entity)
            return self._one(row)

        return self._endpoint(
            update,
            write=True,
            **self._id_parameter(),
            body=self.entity.update,
            if_match=(_IF_MATCH, None),
        )

    def _delete(self) -> Callable[..., Awaitable[Response]]:
        def delete(*, row_id: int, if_match: str | None, reassign_to: int | None = None) -> Response:
            try:
                self.repository.delete(
                    row_id, reassign_to=reassign_to, expected_version=expected_version(if_match)
                )
            except Refused as error:
                return error_response(error, self.entity, ("query", "reassign_to"))
            return Response(b'{"ok":true}', media_type=JSON)

        children = _children(self.entity)
        parameters: dict[str, Any] = {**self._id_parameter(), "if_match": (_IF_MATCH, None)}
        if children:
            label = self.entity.label.lower()
            help_text = f"Move its {' and '.join(children)} to this {label} first, instead."
            parameters["reassign_to"] = (Annotated[int | None, Query(description=help_text)], None)
        return self._endpoint(delete, write=True, **parameters)


_IF_MATCH = Annotated[
    str | None,
    Header(description="The ETag of the row as read: refuse the change (412) if it changed since."),
]
