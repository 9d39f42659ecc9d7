"""What a table core tells its owner: plain callbacks, which the Qt adapter turns into Qt's calls."""

from __future__ import annotations

from collections.abc import Callable

from desktop.store import Change
from desktop.table.queries import Pending


class TableEvents:
    """What a core tells its owner, always on the owner's thread. This base ignores everything.

    reset and resize hand over the change itself: the owner brackets it (Qt's begin/end calls).
    """

    def reset(self, apply: Callable[[], None]) -> None:
        apply()

    def resize(self, old_count: int, new_count: int, apply: Callable[[], None]) -> None:
        apply()

    def rows_changed(self, first: int, last: int) -> None:
        """Rows first..last (inclusive) hold new records."""

    def counts_changed(self, shown: int, total: int) -> None:
        """Rows shown, rows in the table."""

    def loaded(self) -> None:
        """Every requested query and window has arrived (or failed)."""

    def error(self, message: str) -> None:
        """A query failed; the message is fit for a person."""

    def store_changed(self, change: Change) -> None:
        """Every Change the store announced."""

    def row_followed(self, row_id: int, row: int) -> None:
        """The followed row's id and where it is after the data changed."""

    def row_located(self, row_id: int, row: int | None) -> None:
        """An id asked for with locate(), and its row (None: not shown)."""

    def estimated(self, count: int) -> None:
        """About how many rows the count being made will find: the table's own estimate, told
        while the count runs (the table is not filtered)."""

    def pending_changed(self, work: Pending | None) -> None:
        """What the rows shown are waiting for changed (None: nothing, they are current)."""
