"""Plain change notifications: the store announces, the Qt layer relays."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

ChangeKind = Literal["created", "updated", "deleted", "reset"]


@dataclass(frozen=True)
class Change:
    entity: str  # "task", "user", ... or "*" for everything (a new database, sample data)
    kind: str
    ids: tuple[int, ...] = ()


Listener = Callable[[Change], None]
