"""Where the routes' database work runs: on worker threads, never on the event loop.

The store is synchronous (one implementation of the rules, shared with the window); each call runs
on one of a few threads, as FastAPI runs a plain `def` route, but with a pool sized for this work.
Measured (docs/api.md): FastAPI's default of 40 threads lets a burst of 32 requests fight over two
processor cores and the interpreter lock, and a write that waits keeps its place in SQLite's busy
loop; a small pool and writes taken in turn give a shorter tail for the same throughput.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")

THREADS_ENV = "TASKFORCE_API_THREADS"


def default_threads() -> int:
    """Threads for the store's calls: a few per processor core (they wait on the database, too)."""
    configured = os.environ.get(THREADS_ENV, "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(4, 2 * (os.cpu_count() or 1))


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
