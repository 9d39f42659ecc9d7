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

    Writes have threads of their own, so that a write never waits behind a queue of reads; on a
    SQLite file, which takes one writer at a time anyway, that is one thread: writes wait here, in
    order, rather than in SQLite's busy handler, which sleeps and retries (up to 100 ms a try).
    """

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or default_threads()
        # Made on first use, inside the server's event loop.
        self._limiters: dict[str, anyio.CapacityLimiter] | None = None

    async def run(self, call: Callable[[], T], *, write: bool = False, one_writer: bool = False) -> T:
        """call() on a worker thread; write and one_writer (a SQLite file): after the writes before it."""
        if self._limiters is None:
            self._limiters = {
                "read": anyio.CapacityLimiter(self.threads),
                "write": anyio.CapacityLimiter(self.threads),
                "one writer": anyio.CapacityLimiter(1),
            }
        kind = ("one writer" if one_writer else "write") if write else "read"
        return await anyio.to_thread.run_sync(call, limiter=self._limiters[kind])
