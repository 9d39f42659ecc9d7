"""Three-way merge of an edit: the row as it was loaded, the row as it is now, and the person's changes.

Someone else's change to a field the person did not touch is kept; the person's change to a field
nobody else touched is written; only a field both changed, to different values, is a conflict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Merge:
    write: dict[str, Any]  # the person's changes to write over the row as it is now
    conflicts: tuple[str, ...]  # fields both changed, to different values, in the patch's order


def three_way(base: Mapping[str, Any], current: Mapping[str, Any], mine: Mapping[str, Any]) -> Merge:
    """Merge the patch `mine`, made to `base`, into `current`."""
    write: dict[str, Any] = {}
    conflicts: list[str] = []
    for field, value in mine.items():
        theirs = current.get(field)
        if field not in base or base[field] == theirs:
            write[field] = value  # nobody else changed it
        elif theirs != value:
            conflicts.append(field)
        # else both changed it to the same value: nothing to write, nothing to ask
    return Merge(write, tuple(conflicts))
