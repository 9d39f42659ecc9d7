"""The API's routes on SQLAlchemy's AsyncSession with aiosqlite: a measurement prototype, not product code.

Taskforce's API runs the synchronous store on worker threads (desktop/api/workers.py). The other way
open was AsyncSession with an async driver; this module builds it just far enough to measure it under
`benchmarks/api_bench.py`'s workload: `POST /users/`, `POST /tasks/` and `GET /tasks/` with the same
Bearer token, Host and Origin guard (desktop.api.security.Guard), the same schemas (desktop.models, via
the registry), the same owner and unique checks, the same page query (built by the store's repository)
and the same error answers (desktop.api.errors), over a SQLite file made and migrated by desktop's own
Store.open, with desktop's pragmas (WAL, foreign keys, synchronous FULL, 5 s busy timeout) and BEGIN
IMMEDIATE for writes, one write at a time in the process as Store.writing() does.

The checks that need the database (the owner exists, a username is free) are written again here with
`await`: the store's repositories are synchronous. That copy is what the project rules out for the
product (one implementation of the rules); see docs/api.md, "Async".

Run by the benchmark as `uvicorn --factory benchmarks.async_variant:app_from_environment`, with the
database file in TASKFORCE_BENCH_DATABASE and the token in TASKFORCE_API_TOKEN;
TASKFORCE_BENCH_WRITE_TURNS=0 leaves the writers to SQLite's busy handler.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import FastAPI, Query
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from starlette.responses import Response

from desktop import db
from desktop.api.errors import error_response
from desktop.api.security import Guard
from desktop.errors import DuplicateError, RelatedRowError, StorageError, StorageKind, TaskforceError
from desktop.models import TaskCreate, TaskStatus, UserCreate
from desktop.store import ENTITIES, MAX_LIST_LIMIT, Entity, Repository, Store
from desktop.store.driver_errors import classify
from desktop.store.repository import storable_id

DATABASE_ENV = "TASKFORCE_BENCH_DATABASE"
TOKEN_ENV = "TASKFORCE_API_TOKEN"
# "0": writes wait for SQLite's lock in its busy handler instead of taking turns in the process.
WRITE_TURNS_ENV = "TASKFORCE_BENCH_WRITE_TURNS"
POOL_SIZE = 32  # connections (each an aiosqlite thread); with the overflow, as many as the threads of (a)
POOL_OVERFLOW = 8
JSON = "application/json"
Refused = (TaskforceError, ValidationError, ValueError)


class _QueryOnly:
    """What the repository's statement builders read of a store: the backend (never the engine here)."""

    backend = "sqlite"

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine.sync_engine


def async_engine(path: Path) -> AsyncEngine:
    """aiosqlite on the file, with the pragmas and BEGIN (IMMEDIATE for writes) of desktop.db."""
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{path}",
        connect_args={"timeout": db.BUSY_TIMEOUT_MS / 1000},
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
    )
    sa.event.listen(engine.sync_engine, "connect", db._set_sqlite_pragmas)
    sa.event.listen(engine.sync_engine, "begin", db._begin_sqlite)
    return engine


class AsyncApi:
    """The three routes over one async engine."""

    def __init__(self, engine: AsyncEngine, *, write_turns: bool = True) -> None:
        self.engine = engine
        self.write_turns = write_turns
        self.writer = engine.execution_options(**{db.WRITE_OPTION: True})
        self._write_turn = asyncio.Lock()  # Store.writing(): one write transaction at a time
        self.tasks = ENTITIES["task"]
        self.users = ENTITIES["user"]
        self._task_query: Repository[Any] = Repository(_QueryOnly(engine), self.tasks)  # type: ignore[arg-type]

    @asynccontextmanager
    async def transaction(self, entity: Entity, *, write: bool = False) -> AsyncIterator[AsyncSession]:
        try:
            if not write:
                async with AsyncSession(self.engine, expire_on_commit=False) as session, session.begin():
                    yield session
                return
            if not self.write_turns:
                async with AsyncSession(self.writer, expire_on_commit=False) as session, session.begin():
                    yield session
                return
            try:
                async with asyncio.timeout(db.BUSY_TIMEOUT_MS / 1000):
                    await self._write_turn.acquire()
            except TimeoutError:
                raise StorageError("The database is busy.", kind=StorageKind.BUSY, retryable=True) from None
            try:
                async with AsyncSession(self.writer, expire_on_commit=False) as session, session.begin():
                    yield session
            finally:
                self._write_turn.release()
        except sa.exc.DBAPIError as error:
            raise classify(error, entity) from error

    async def _checked(self, session: AsyncSession, entity: Entity, values: dict[str, Any]) -> None:
        """Repository._checked with await: dangling references and taken unique values."""
        for reference in entity.references:
            target_id = values.get(reference.field)
            if target_id is None:
                continue
            target = ENTITIES[reference.target]
            if not storable_id(target_id, "sqlite") or await session.get(target.table, target_id) is None:
                raise RelatedRowError(
                    f"There is no {target.label.lower()} with id {target_id}.",
                    entity=entity.name,
                    field=reference.field,
                    target=target.name,
                    value=target_id,
                )
        table = entity.sa_table
        for name in entity.unique_fields:
            if name in values:
                stmt = sa.select(table.c.id).where(table.c[name] == values[name]).limit(1)
                if (await session.execute(stmt)).first() is not None:
                    raise DuplicateError(
                        f"{name.capitalize()} {values[name]!r} is already taken by another "
                        f"{entity.label.lower()}.",
                        entity=entity.name,
                        field=name,
                        value=values[name],
                    )

    async def create(self, entity: Entity, body: Any) -> Response:
        """Repository.create with await: validate through the Create schema, check, insert."""
        try:
            checked = entity.create.model_validate(body.model_dump())
            row = entity.table.model_validate(checked)
            async with self.transaction(entity, write=True) as session:
                await self._checked(session, entity, checked.model_dump())
                session.add(row)
                await session.flush()
                created = entity.read.model_validate(row.model_dump())
        except Refused as error:
            return error_response(error, entity)
        body_bytes = entity.read.__pydantic_serializer__.to_json(created)
        headers = {"ETag": f'"{created.version}"', "Location": f"/{entity.plural}/{created.id}"}  # type: ignore[attr-defined]
        return Response(body_bytes, 201, headers, media_type=JSON)

    async def list_tasks(self, skip: int, limit: int, **filters: Any) -> Response:
        """Repository.page's one query (built by the repository itself), run on the async session."""
        query, table = self._task_query, self.tasks.sa_table
        try:
            stmt, names = query._select_records()
            ordering = query._ordering("id", False, names)
            window = query._where(sa.select(table.c.id), None, filters).order_by(*ordering)
            window_ids = window.offset(skip).limit(limit).subquery("window_ids")
            stmt = stmt.join(window_ids, window_ids.c.id == table.c.id).order_by(*ordering)
            async with self.transaction(self.tasks) as session:
                rows = (await session.execute(stmt)).all()
        except Refused as error:
            return error_response(error, self.tasks)
        serializer = self.tasks.read.__pydantic_serializer__
        body = b"[" + b",".join(serializer.to_json(query._construct(row)) for row in rows) + b"]"
        return Response(body, media_type=JSON)


def create_app(engine: AsyncEngine, *, token: str, write_turns: bool = True) -> FastAPI:
    api = AsyncApi(engine, write_turns=write_turns)
    app = FastAPI(title="Taskforce API (AsyncSession prototype)")

    @app.post("/users/", status_code=201)
    async def create_user(body: UserCreate) -> Response:
        return await api.create(api.users, body)

    @app.post("/tasks/", status_code=201)
    async def create_task(body: TaskCreate) -> Response:
        return await api.create(api.tasks, body)

    @app.get("/tasks/")
    async def list_tasks(
        skip: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_LIST_LIMIT)] = 10,
        status: TaskStatus | None = None,
        owner_id: int | None = None,
    ) -> Response:
        return await api.list_tasks(skip, limit, status=status, owner_id=owner_id)

    app.add_middleware(Guard, token=token)
    return app


def app_from_environment() -> FastAPI:
    """The app over the file TASKFORCE_BENCH_DATABASE names, made and migrated by desktop's Store."""
    path = Path(os.environ[DATABASE_ENV])
    Store.open(db.sqlite_url(path)).close()
    sys.setswitchinterval(0.001)  # as `taskforce serve` sets it
    write_turns = os.environ.get(WRITE_TURNS_ENV, "1") != "0"
    return create_app(async_engine(path), token=os.environ[TOKEN_ENV], write_turns=write_turns)
