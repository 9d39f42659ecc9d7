"""Stopping a statement that is running on another thread: a count nobody wants any more.

A `Cancel` is handed to the work that runs the statement; the work registers the DBAPI connection
running it for the time of the statement (`running`), and `cancel()` interrupts only a statement
still registered. The lock is held while the interruption is sent, so the connection cannot be
given back to the pool and take other work meanwhile. A handle once cancelled stays cancelled: a
statement registered on it afterwards is refused before it starts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.errors import CancelledError
from desktop.store.driver_errors import CANCELLED


class Cancel:
    """A handle to stop the statement registered on it; safe to call from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._running: tuple[sa.Engine, Any] | None = None  # the engine and the DBAPI connection

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def busy(self) -> bool:
        """Whether a statement is registered (running) now."""
        return self._running is not None

    @contextmanager
    def running(self, session: Session) -> Iterator[None]:
        """Register the connection the session runs its statements on, for the time of the block."""
        connection = session.connection()
        with self._lock:
            if self._cancelled:
                raise CancelledError(CANCELLED)
            self._running = (connection.engine, connection.connection.dbapi_connection)
        try:
            yield
        finally:
            with self._lock:
                self._running = None

    def cancel(self) -> None:
        """Stop the registered statement, if one runs; refuse any registered from now on."""
        with self._lock:
            self._cancelled = True
            if self._running is not None:
                interrupt(*self._running)


def interrupt(engine: sa.Engine, dbapi_connection: Any) -> None:
    """Ask the database to stop the statement running on this connection (it then raises there)."""
    backend = engine.dialect.name
    if backend == "sqlite":
        dbapi_connection.interrupt()
    elif backend == "postgresql":
        dbapi_connection.cancel_safe()
    elif backend in ("mysql", "mariadb"):
        # The connection is busy with the statement: the server is told on another one.
        with engine.connect() as other:
            other.execute(sa.text("KILL QUERY :thread"), {"thread": dbapi_connection.thread_id()})
    else:
        raise NotImplementedError(f"no way to interrupt a statement on {backend}")
