"""Changes committed by other clients, heard on a worker thread and announced through the store.

Each database tells in its own way, and the watcher turns all three into the store's Change events,
the same path a local edit takes:
- PostgreSQL: NOTIFY from the triggers of revision 0006, with the table, operation and the
  (id, version) of each changed row; nothing is read while nothing changes.
- MariaDB: the rows those triggers add to `change_log`, read by id a few times a second.
- SQLite: PRAGMA data_version, which changes when another connection commits; it names no table,
  so every entity is announced as changed and the windows re-read what they show.
A lost connection is retried until it comes back; then everything is announced as changed, since
what happened meanwhile was not heard.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from desktop import db
from desktop.models import change_log
from desktop.store.entities import ENTITIES
from desktop.store.events import Change

if TYPE_CHECKING:
    from desktop.store.store import Store

log = logging.getLogger(__name__)

LISTEN = "LISTEN taskforce_changes"  # the channel of migrations/versions/0006_change_notifications.py
POLL_SECONDS = 0.25
RETRY_SECONDS = (0.5, 1.0, 2.0)
KEPT_LOG_ROWS = 100_000  # change_log rows kept for watchers that are behind
GATHER_SECONDS = 0.03
IDLE_WAKE_SECONDS = 1.0
PRESENCE_SECONDS = 15.0
MOST_ROWS_NAMED = 200  # past this many rows of a table, the table is announced as a whole
LOG_BATCH = 5_000
PRUNE_EVERY_POLLS = 400  # about every 100 s
KINDS = {"insert": "created", "update": "updated", "delete": "deleted"}


class WatchState(StrEnum):
    WATCHING = "watching"
    RECONNECTING = "reconnecting"
    STOPPED = "stopped"


StateListener = Callable[[WatchState, str], None]


class ChangeWatcher:
    """Hears what other clients commit to the store's database and announces it to its listeners."""

    def __init__(
        self,
        store: Store,
        *,
        poll_seconds: float = POLL_SECONDS,
        on_state: StateListener | None = None,
        on_others: Callable[[int], None] | None = None,
    ) -> None:
        """on_others(count) hears how many other Taskforce processes share the database, where it can tell."""
        self._store = store
        self._poll_seconds = poll_seconds
        self._on_state = on_state
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.state = WatchState.STOPPED
        self.queries = 0  # statements run to look for changes (none on PostgreSQL, which is told)
        self.others: int | None = None  # other Taskforce processes on the database; None: cannot tell
        self._on_others = on_others
        self._own = OwnConnections(store.engine)

    def start(self) -> ChangeWatcher:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="taskforce-watch", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._own.close()
        self._set_state(WatchState.STOPPED, "")

    # --- the loop ------------------------------------------------------------

    def _run(self) -> None:
        watch = {"postgresql": self._listen_postgres, "sqlite": self._poll_sqlite}.get(
            self._store.backend, self._poll_change_log
        )
        failures = 0
        while not self._stop.is_set():
            try:
                watch(caught_up=failures > 0)
            except Exception as error:  # any driver error: the connection is gone or unusable
                delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                log.warning("Watching for changes failed (%s); trying again in %s s", error, delay)
                self._set_state(WatchState.RECONNECTING, "The connection to the database was lost.")
                self._stop.wait(delay)
            else:
                return

    def _set_state(self, state: WatchState, detail: str) -> None:
        if state is self.state:
            return
        self.state = state
        if self._on_state is not None:
            self._on_state(state, detail)

    def _watching(self, caught_up: bool) -> None:
        """Connected again: say so, and announce everything, for what happened meanwhile was not heard."""
        self._set_state(WatchState.WATCHING, "")
        if caught_up:
            self._announce_all()

    def _announce_all(self) -> None:
        for name in ENTITIES:
            self._store.notify(Change(name, "updated"))

    # --- SQLite --------------------------------------------------------------

    def _poll_sqlite(self, *, caught_up: bool) -> None:
        path = self._store.path
        assert path is not None
        with closing(
            sqlite3.connect(db.read_only_uri(path), uri=True, check_same_thread=False)
        ) as connection:
            last = connection.execute("PRAGMA data_version").fetchone()[0]
            self._watching(caught_up)
            while not self._stop.wait(self._poll_seconds):
                version = connection.execute("PRAGMA data_version").fetchone()[0]
                self.queries += 1
                if version != last:
                    last = version
                    self._announce_all()

    # --- PostgreSQL --------------------------------------------------------

    def _listen_postgres(self, *, caught_up: bool) -> None:
        import psycopg  # only on PostgreSQL

        conninfo = sa.make_url(self._store.url).set(drivername="postgresql")
        with psycopg.connect(
            conninfo.render_as_string(hide_password=False), autocommit=True, application_name=db.CLIENT_NAME
        ) as connection:
            connection.execute(LISTEN)
            self._watching(caught_up)
            next_count = 0.0
            while not self._stop.is_set():
                if time.monotonic() >= next_count:
                    self._count_others(connection)
                    next_count = time.monotonic() + PRESENCE_SECONDS
                # Idle, it wakes once a second to see whether to stop; once a change arrives, what
                # follows within a short gather time is announced with it, by table.
                first = list(connection.notifies(timeout=IDLE_WAKE_SECONDS, stop_after=1))
                if not first:
                    continue
                notices = first + list(connection.notifies(timeout=GATHER_SECONDS, stop_after=1000))
                changed: list[tuple[str, str, int | None]] = []
                for notice in notices:
                    if notice.pid in self._own.ids:
                        continue
                    payload: dict[str, Any] = json.loads(notice.payload)
                    entity, operation = str(payload.get("entity")), str(payload.get("op"))
                    rows = payload.get("rows")
                    if rows is None:  # too many rows to name
                        changed.append((entity, operation, None))
                    else:
                        changed.extend((entity, operation, int(row[0])) for row in rows)
                self._announce_rows(changed)

    def _count_others(self, connection: Any) -> None:
        """How many other Taskforce processes are connected to this database (by application_name)."""
        row = connection.execute(
            "SELECT count(DISTINCT application_name) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name LIKE %s AND application_name <> %s",
            (db.CLIENT_PREFIX + "%", db.CLIENT_NAME),
        ).fetchone()
        others = int(row[0]) if row is not None else 0
        if others != self.others:
            self.others = others
            if self._on_others is not None:
                self._on_others(others)

    # --- MariaDB -------------------------------------------------------------

    def _poll_change_log(self, *, caught_up: bool) -> None:
        engine = db.create_engine(self._store.url)
        newest = sa.select(sa.func.coalesce(sa.func.max(change_log.c.id), 0))
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                last = int(connection.execute(newest).scalar_one())
                self._watching(caught_up)
                polls = 0
                while not self._stop.wait(self._poll_seconds):
                    rows = connection.execute(
                        sa.select(change_log)
                        .where(change_log.c.id > last)
                        .order_by(change_log.c.id)
                        .limit(LOG_BATCH)
                    ).all()
                    self.queries += 1
                    if len(rows) == LOG_BATCH:  # far behind (a bulk change): re-read everything
                        last = int(connection.execute(newest).scalar_one())
                        self._announce_all()
                        continue
                    if rows:
                        last = int(rows[-1].id)
                        self._announce_rows(
                            (row.entity, row.operation, int(row.row_id))
                            for row in rows
                            if row.connection_id not in self._own.ids
                        )
                    polls = (polls + 1) % PRUNE_EVERY_POLLS
                    if polls == 0:
                        connection.execute(
                            sa.delete(change_log).where(change_log.c.id <= last - KEPT_LOG_ROWS)
                        )
        finally:
            engine.dispose()

    def _announce_rows(self, rows: Iterable[tuple[str, str, int | None]]) -> None:
        """Announce changed rows by entity and kind; a table with too many to name, as a whole."""
        grouped: dict[tuple[str, str], list[int | None]] = {}
        for entity, operation, row_id in rows:
            if entity in ENTITIES:
                grouped.setdefault((entity, KINDS.get(operation, "updated")), []).append(row_id)
        whole = {
            entity for (entity, _kind), ids in grouped.items() if None in ids or len(ids) > MOST_ROWS_NAMED
        }
        for entity in whole:
            self._store.notify(Change(entity, "updated"))
        for (entity, kind), ids in grouped.items():
            if entity not in whole:
                self._store.notify(Change(entity, kind, tuple(i for i in ids if i is not None)))


class OwnConnections:
    """The server's ids of this engine's connections (PostgreSQL backend pids, MariaDB connection ids).

    What this process commits it has announced already; the watcher skips it when it comes back.
    A connection's id is asked once, the first time it is checked out after the watcher started.
    """

    QUERIES: ClassVar[dict[str, str]] = {
        "postgresql": "SELECT pg_backend_pid()",
        "mysql": "SELECT CONNECTION_ID()",
    }

    def __init__(self, engine: Engine) -> None:
        self.ids: set[int] = set()
        self._engine = engine
        self._query = self.QUERIES.get(engine.dialect.name)
        if self._query is not None:
            sa.event.listen(engine, "checkout", self._checked_out)

    def close(self) -> None:
        if self._query is not None and sa.event.contains(self._engine, "checkout", self._checked_out):
            sa.event.remove(self._engine, "checkout", self._checked_out)

    def _checked_out(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if "server_id" not in record.info:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute(self._query)
                record.info["server_id"] = int(cursor.fetchone()[0])
            finally:
                cursor.close()
        self.ids.add(record.info["server_id"])
