"""The table core without Qt: cores owned by the test's thread, and no statement run on that thread."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from corehelpers import Owner, titles
from sqlalchemy.engine import Engine

from desktop.store import Store
from desktop.table import TableCore, wait_for_queries


@pytest.fixture
def owner() -> Iterator[Owner]:
    yield Owner()
    wait_for_queries()


@pytest.fixture
def make_core(owner: Owner) -> Iterator[Callable[..., TableCore]]:
    made: list[TableCore] = []

    def make(store: Store, entity: Any, **options: Any) -> TableCore:
        core = TableCore(store, entity, owner, owner.post, titles, **options)
        made.append(core)
        return core

    yield make
    for core in made:
        core.shutdown()


@pytest.fixture(autouse=True)
def no_statement_on_the_owners_thread() -> Iterator[None]:
    """The core never runs a statement on its owner's thread (the test's own setup and checks may)."""
    owner_thread = threading.get_ident()
    found: list[str] = []

    def probe(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.get_ident() != owner_thread:
            return
        frame: Any = sys._getframe(1)
        while frame is not None:
            if str(frame.f_globals.get("__name__", "")).startswith("desktop.table"):
                found.append(f"{frame.f_code.co_name}: {statement[:80]}")
                return
            frame = frame.f_back

    sa.event.listen(Engine, "before_cursor_execute", probe)
    try:
        yield
    finally:
        sa.event.remove(Engine, "before_cursor_execute", probe)
    assert found == [], "the core ran statements on its owner's thread"
