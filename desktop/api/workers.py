"""Where the routes' database work runs: on worker threads, never on the event loop.

The store is synchronous (one implementation of the rules, shared with the window); each call runs
on a worker thread, as FastAPI runs a plain `def` route, with one pool for reads and one for writes.
On a SQLite file the store takes the writes one at a time (Store.writing()). docs/api.md gives the
measurements behind this, and why AsyncSession was not taken.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")

THREADS_ENV = "TASKFORCE_API_THREADS"
DEFAULT_THREADS = 40


def default_threads() -> int:
    """Threads per pool: TASKFORCE_API_THREADS, else as many as FastAPI's own pool has (40)."""
    configured = os.environ.get(THREADS_ENV, "")
    return int(configured) if configured.isdigit() and int(configured) > 0 else DEFAULT_THREADS


class Workers:
    """Runs blocking calls on bounded pools of threads: one for reads, one for writes.

    Writes have threads of their own, so that a write never waits behind a queue of reads (on a
    SQLite file the store then takes them one at a time: Store.writing()).
    """

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or default_threads()
        # Made on first use, inside the server's event loop.
        self._limiters: dict[bool, anyio.CapacityLimiter] | None = None

    async def run(self, call: Callable[[], T], *, write: bool = False) -> T:
        """call() on a worker thread of the pool for reads, or for writes."""
        if self._limiters is None:
            self._limiters = {
                False: anyio.CapacityLimiter(self.threads),
                True: anyio.CapacityLimiter(self.threads),
            }
        return await anyio.to_thread.run_sync(call, limiter=self._limiters[write])
