"""What a table asks the store for: the query it shows, and the reads that run on the query pool."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from desktop.store import Cancel, Record, Repository

WINDOW_ROWS = 200


class Pending(StrEnum):
    """What the rows a table shows are waiting for."""

    SEARCH = "search"  # the rows of new search text (the rows shown are outdated)
    FILTER = "filter"  # the rows of new filters (outdated)
    SORT = "sort"  # the same rows in a new order (outdated)
    LOAD = "load"  # the rows of another database, or the first ones (outdated)
    COUNT = "count"  # the count of the rows shown, or their refresh after a change

    @property
    def outdated(self) -> bool:
        """Whether the rows on screen belong to another query."""
        return self is not Pending.COUNT


@dataclass(frozen=True)
class Query:
    """What rows a table shows and in which order: WHERE and ORDER BY for the store."""

    search: str | None = None
    order_by: str | None = None
    descending: bool = False
    filters: tuple[tuple[str, Any], ...] = ()

    @property
    def filter_values(self) -> dict[str, Any]:
        return dict(self.filters)

    @property
    def narrowed(self) -> bool:
        return bool(self.search) or any(value is not None for _, value in self.filters)


@dataclass(frozen=True)
class Counted:
    """A count's answer, with the windows read beside it and where the followed row went."""

    count: int
    total: int
    windows: dict[int, list[Record[Any]]] = field(default_factory=dict)
    position: int | None = None  # of the followed row
    key: tuple[Hashable, ...] | None = None  # (search, filters, data version) the counts are for


def read_window(
    repository: Repository[Any], query: Query, number: int, total: int | None
) -> list[Record[Any]]:
    return repository.page(
        number * WINDOW_ROWS,
        WINDOW_ROWS,
        query.search,
        query.order_by,
        query.descending,
        total=total,
        **query.filter_values,
    )


def count_work(
    repository: Repository[Any],
    query: Query,
    windows: list[int],
    follow: int | None,
    key: tuple[Hashable, ...],
    known: tuple[int, int] | None,
    known_total: int | None,
    read_beside_for: int | None = None,
    cancel: Cancel | None = None,
) -> Callable[[], Counted]:
    """Count (unless the counts are known: same WHERE, same data), read the windows, find the followed row.

    read_beside_for: the windows are being read beside this count for that many rows; they are read
    here only if the count found another number (those read beside it do not fit).
    cancel: stops the counting from another thread (the work then fails with CancelledError).
    """

    def work() -> Counted:
        filters = query.filter_values
        if known is not None:
            count, total = known
        else:
            count = repository.count(query.search, cancel=cancel, **filters)
            if not query.narrowed:
                total = count
            else:
                total = known_total if known_total is not None else repository.count(cancel=cancel)
        wanted = windows if count != read_beside_for else []
        pages = {
            number: read_window(repository, query, number, count)
            for number in wanted
            if number * WINDOW_ROWS < count
        }
        position = None
        if follow is not None:
            position = repository.position(follow, query.search, query.order_by, query.descending, **filters)
        return Counted(count, total, pages, position, key)

    return work


def windows_work(
    repository: Repository[Any], query: Query, windows: list[int], total: int
) -> Callable[[], dict[int, list[Record[Any]]]]:
    """These windows read again as the rows are counted (total: the row count shown meanwhile)."""
    return lambda: {
        number: read_window(repository, query, number, total)
        for number in windows
        if number * WINDOW_ROWS < total
    }


def estimate_work(repository: Repository[Any]) -> Callable[[], int | None]:
    return repository.estimated_count


def locate_work(repository: Repository[Any], query: Query, row_id: int) -> Callable[[], int | None]:
    return lambda: repository.position(
        row_id, query.search, query.order_by, query.descending, **query.filter_values
    )


def page_work(
    repository: Repository[Any], query: Query, number: int, total: int | None
) -> Callable[[], list[Record[Any]]]:
    return lambda: read_window(repository, query, number, total)


def ids_work(
    repository: Repository[Any], query: Query, rows: list[tuple[int, int | None]], total: int
) -> Callable[[], tuple[list[int], dict[int, list[Record[Any]]]]]:
    """The ids of rows (row, id if loaded), reading the windows of those not loaded; and those windows."""

    def work() -> tuple[list[int], dict[int, list[Record[Any]]]]:
        read: dict[int, list[Record[Any]]] = {}
        ids = []
        for row, known in rows:
            if known is None:
                number, offset = divmod(row, WINDOW_ROWS)
                if number not in read:
                    read[number] = read_window(repository, query, number, total)
                if offset >= len(read[number]):
                    continue  # rows deleted meanwhile: the window came back shorter
                known = Repository.row_id(read[number][offset].read)
            ids.append(known)
        return ids, read

    return work
