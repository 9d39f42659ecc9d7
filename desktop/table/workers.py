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

T = TypeVar("T")

_executor: ThreadPoolExecutor | None = None
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


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _guard:
        if _executor is None:
            _executor = ThreadPoolExecutor(QUERY_THREADS, thread_name_prefix="taskforce-query")
        return _executor


def submit(work: Callable[[], T]) -> Future[T]:
    """Run work on the query pool as it is: the Future holds what it returned or what it raised.

    wait_for_queries() waits for it too, so a store is not closed under it.
    """
    future = _pool().submit(work)
    with _guard:
        _running.add(future)
    future.add_done_callback(_forget)
    return future


def run_in_background(work: Callable[[], T], deliver: Callable[[Result[T]], Any]) -> None:
    """Run work on the query pool; deliver(result) is called on that pool's thread when it is done."""

    def job() -> None:
        result = attempt(work)
        try:
            deliver(result)
        except Exception:
            log.exception("could not deliver a query's result")

    submit(job)


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
