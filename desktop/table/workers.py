"""Store queries off the thread that asked: one small shared pool, answers handed back as Results."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from desktop.errors import TaskforceError

log = logging.getLogger(__name__)

QUERY_THREADS = 4  # paged reads are short: a few threads serve every table
# Summaries (a filter list's counts, the overview's charts) read every row: seconds at ten million.
# They take turns on a thread of their own, so that they never hold up a table's rows.
SUMMARY_THREADS = 1

T = TypeVar("T")

_executors: dict[bool, ThreadPoolExecutor] = {}
_running: set[Future[Any]] = set()
_guard = threading.Lock()


@dataclass(frozen=True)
class Result(Generic[T]):
    """What a query returned (value), or why it failed (error, a message fit for a person)."""

    value: T | None = None
    error: str | None = None


def attempt(work: Callable[[], T]) -> Result[T]:
    """Run work, turning a failure into a Result with a message (logged when it is not the store's own)."""
    try:
        return Result(value=work())
    except TaskforceError as error:
        return Result(error=error.message)
    except Exception as error:
        log.exception("query failed")
        return Result(error=f"Reading the data failed: {error}")


def _pool(summary: bool = False) -> ThreadPoolExecutor:
    with _guard:
        executor = _executors.get(summary)
        if executor is None:
            threads, name = (SUMMARY_THREADS, "summary") if summary else (QUERY_THREADS, "query")
            executor = _executors[summary] = ThreadPoolExecutor(
                threads, thread_name_prefix=f"taskforce-{name}"
            )
        return executor


def submit(work: Callable[[], T], *, summary: bool = False) -> Future[T]:
    """Run work on the query pool (summary: on the summaries' thread) as it is: the Future holds what
    it returned or what it raised.

    wait_for_queries() waits for it too, so a store is not closed under it.
    """
    future = _pool(summary).submit(work)
    with _guard:
        _running.add(future)
    future.add_done_callback(_forget)
    return future


def run_in_background(
    work: Callable[[], T], deliver: Callable[[Result[T]], Any], *, summary: bool = False
) -> Future[None]:
    """Run work on the query pool; deliver(result) is called on that pool's thread when it is done.

    Cancelling the returned Future before the work has started drops it, and nothing is delivered.
    """

    def job() -> None:
        result = attempt(work)
        try:
            deliver(result)
        except Exception:
            log.exception("could not deliver a query's result")

    return submit(job, summary=summary)


def run_and_wait(work: Callable[[], T]) -> Result[T]:
    """Run work on the query pool and wait for it (the caller's thread runs no statement)."""
    return _pool().submit(attempt, work).result()


def _forget(future: Future[Any]) -> None:
    with _guard:
        _running.discard(future)


def wait_for_queries(seconds: float = 30.0) -> bool:
    """Block until the queries submitted so far are done (before a store is closed); False on timeout."""
    with _guard:
        running = set(_running)
    return not wait(running, timeout=seconds).not_done
