"""Plain change notifications: the store announces, the Qt layer relays."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    entity: str  # "task", "user", ... or "*" for everything (a new database, sample data)
    kind: str  # "created", "updated", "deleted" or "reset"
    ids: tuple[int, ...] = ()


Listener = Callable[[Change], None]
