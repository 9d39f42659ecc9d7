"""The rows of one entity as a table shows them: counted and paged in SQL, read off its owner's thread.

The core shows `row_count` rows (the store's count for the current query) but holds only the
windows of rows that were looked at, in a bounded LRU cache. A missing window is read on the
query pool; until it arrives its rows are None, then `rows_changed` tells the owner to repaint
them. Every query carries a generation: results of a query that was superseded (new sort,
filter, refresh or database) are dropped on arrival.

Threads: every method is called on the owner's thread (a GUI thread, or a test's), and every
event is told there. Statements run on the query pool only; their answers come back through
`post`, which must run a callable on the owner's thread later, never at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from sqlmodel import SQLModel

from desktop.store import ENTITIES, Cancel, Change, Entity, Record, Reference, Repository, Store
from desktop.table.events import TableEvents
from desktop.table.queries import (
    WINDOW_ROWS,
    Counted,
    Pending,
    Query,
    count_work,
    estimate_work,
    ids_work,
    locate_work,
    page_work,
    windows_work,
)
from desktop.table.workers import Result, run_and_wait, run_in_background

MAX_WINDOWS = 50  # at most 10,000 rows in memory, however long the table
MAX_PARALLEL_PAGES = 2
MAX_QUEUED_PAGES = 8  # while scrolling fast, only the latest requests are worth answering
PREFETCH_ROWS = 50  # about two screens: scrolling into the next window finds it read already
# When windows take longer than SLOW_READ_S to arrive (a far-away server), a row painted in the
# far half of its window asks for the window after the next too (and in the near half, for the one
# before the previous), and the next window is asked for from PREFETCH_ROWS into the window: paging
# as fast as the table paints (a window every 0.2-0.3 s) then still finds the next window read.
SLOW_READ_S = 0.1

T = TypeVar("T")
Cells = tuple[str | None, ...]
Post = Callable[[Callable[[], None]], None]


@dataclass
class _Window:
    generation: int
    records: list[Record[Any]]
    # Each row's display texts, formatted the first time the row is painted and kept for repaints.
    cells: list[Cells | None] = field(init=False)

    def __post_init__(self) -> None:
        self.cells = [None] * len(self.records)

    def replace(self, offset: int, record: Record[Any]) -> None:
        self.records[offset] = record
        self.cells[offset] = None


def _ignore(result: Result[None]) -> None:
    """Nothing waits for a count to be stopped: its own result says it was (and is ignored)."""


@dataclass(frozen=True)
class _CountTag:
    token: int
    query: Query
    reset: bool
    follow: int | None = None


@dataclass(frozen=True)
class _FirstTag:
    """The first window of a new query, read while it is being counted."""

    token: int
    query: Query
    asked_at: float


@dataclass(frozen=True)
class _RefreshTag:
    """The windows looked at last, read again after a change while the rows are counted again."""

    token: int
    row_count: int


@dataclass(frozen=True)
class _EstimateTag:
    """The table's own estimate of its rows, read while they are counted."""

    token: int


@dataclass(frozen=True)
class _PageTag:
    generation: int
    number: int


class TableCore:
    """Window cache, query scheduling (a newer query stops the count of the one before), read-ahead,
    counting and position lookups for the rows of one entity; no Qt.

    synchronous=True waits for every query as it is asked (tests, scripts): the statements still
    run on the query pool.
    """

    def __init__(
        self,
        store: Store,
        entity: Entity,
        events: TableEvents,
        post: Post,
        format_row: Callable[[Record[Any]], Cells],
        *,
        synchronous: bool = False,
        started: bool = True,
    ) -> None:
        """started=False: no query until start() (a hidden tab waits for the shown one's first rows)."""
        self.entity = entity
        self.synchronous = synchronous
        self._store = store
        self._events = events
        self._post = post
        self._format_row = format_row
        self._owner = threading.get_ident()
        self._shown = Query()
        self._wanted = Query()
        self._row_count = 0
        self._total = 0
        self._counted = False
        self._generation = 0
        self._windows: OrderedDict[int, _Window] = OrderedDict()
        self._queued: OrderedDict[int, None] = OrderedDict()
        # The windows being read, by (generation, number), and when they were asked for.
        self._in_flight: dict[tuple[int, int], float] = {}
        self._read_seconds = 0.0  # how long the last windows took to arrive (a moving average)
        self._failed: set[int] = set()
        self._count_token = 0
        self._counting = False
        self._provisional = False  # the first rows of the query are shown, its count is coming
        self._first_pending = False  # the first window of a new query is read beside its count
        self._first_records: list[Record[Any]] | None = None
        self._stashed_count: tuple[_CountTag, Counted] | None = None
        self._estimate: int | None = None  # about how many rows the running count will find
        # After a change: the windows shown, read again before the count (row count they were read for).
        self._refreshing = False
        self._refreshed: tuple[int, dict[int, list[Record[Any]]]] | None = None
        # The count of the newest query, and its handle: a newer query stops it and starts its own
        # beside the stopped one while that finishes. Counts being stopped: a newer query waits
        # (only the last) while more than one is, so queries typed in a row do not pile up.
        self._count_running: tuple[_CountTag, Cancel] | None = None
        self._counts_stopping: set[_CountTag] = set()
        self._next_count: tuple[_CountTag, Callable[[], Counted], Cancel] | None = None
        self._data_version = 0  # +1 whenever the rows may have changed, so counts are taken again
        # The last count: for (search, filters, data version), the rows that match and all rows.
        self._last_count: tuple[tuple[Hashable, ...], int, int] | None = None
        self._reset_wanted = True
        self._count_scheduled = False  # a burst of changes is coalesced into one query
        self._problems: dict[tuple[int, str], str] = {}
        self._follow_id: int | None = None
        self._asking = 0  # locate, ids, names and labels asked for and not answered yet
        self._closed = False
        self._held = not started
        self._told_pending: Pending | None = None
        store.subscribe(self._relay_change)
        self._schedule(reset=True)

    # --- the store ------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self._store

    @property
    def repository(self) -> Repository[Any]:
        return self._store.repository(self.entity.name)

    def set_store(self, store: Store) -> None:
        """Show the same entity from another database; the old rows go at once."""
        self._store.unsubscribe(self._relay_change)
        self._store = store
        store.subscribe(self._relay_change)

        def forget() -> None:
            self._generation += 1
            self._data_version += 1
            self._row_count = self._total = 0
            self._counted = False
            self._forget_rows()

        self._events.reset(forget)
        self._events.counts_changed(0, 0)
        self._schedule(reset=True)

    def start(self) -> None:
        """Begin querying, for a core made with started=False; nothing when already started."""
        if self._held:
            self._held = False
            self._schedule(reset=True)

    @property
    def started(self) -> bool:
        return not self._held

    def shutdown(self) -> None:
        """Stop listening and querying (the window is closing or the store goes away)."""
        self._closed = True
        self._store.unsubscribe(self._relay_change)

    def _relay_change(self, change: Change) -> None:
        # Called by the store on the thread that wrote: handled at once on the owner's thread.
        if threading.get_ident() == self._owner:
            self._on_store_change(change)
        else:
            self._deliver(lambda: self._on_store_change(change))

    def _deliver(self, call: Callable[[], None]) -> None:
        """Have call run on the owner's thread; an owner that is gone (RuntimeError) ends the core."""
        try:
            self._post(call)
        except RuntimeError:
            self.shutdown()

    def _on_store_change(self, change: Change) -> None:
        if self._closed:
            return
        try:
            self._events.store_changed(change)
        except RuntimeError:  # the owner is gone (a Qt object deleted without shutdown): stop
            self.shutdown()
            return
        if self.depends_on(change.entity):
            self._data_version += 1
            self._schedule(reset=change.entity == "*")

    def depends_on(self, entity_name: str) -> bool:
        """Whether rows shown here change when rows of that entity change."""
        targets = {reference.target for reference in self.entity.references}
        return entity_name in ("*", self.entity.name) or entity_name in targets

    # --- what is shown ----------------------------------------------------------

    @property
    def row_count(self) -> int:
        return self._row_count

    @property
    def query(self) -> Query:
        """The query asked for last (it may still be loading)."""
        return self._wanted

    @property
    def total_count(self) -> int:
        """Rows in the whole table, whatever the filter."""
        return self._total

    @property
    def counted(self) -> bool:
        """Whether a count has arrived since the core (or its database) was set up."""
        return self._counted

    def set_filters(self, search: str | None = None, **filters: Any) -> None:
        """WHERE for the store: search text plus the entity's named filters (None: not filtered)."""
        search = (search or "").strip() or None
        self._request(replace(self._wanted, search=search, filters=tuple(sorted(filters.items()))))

    def set_order(self, order_by: str | None, descending: bool = False) -> None:
        self._request(replace(self._wanted, order_by=order_by, descending=descending))

    def refresh(self) -> None:
        """Read everything again (F5): failed windows are retried too."""
        self._failed.clear()
        self._data_version += 1
        self._schedule(reset=False)

    def is_idle(self) -> bool:
        """No query waiting (a core not started yet waits), running or queued."""
        busy = (
            self._count_scheduled or self._counting or self._first_pending or self._asking or self._refreshing
        )
        busy = busy or self._held
        return not (busy or self._in_flight or self._queued)

    def record_at(self, row: int) -> Record[Any] | None:
        """The row if it is loaded (it may be a little stale), without asking for it."""
        window = self._windows.get(row // WINDOW_ROWS)
        offset = row % WINDOW_ROWS
        if window is None or offset >= len(window.records) or row >= self._row_count:
            return None
        return window.records[offset]

    def record(self, row: int) -> Record[Any] | None:
        """The row if it is loaded; a missing or stale window is asked for."""
        found = self._window_of(row)
        return None if found is None else found[0].records[found[1]]

    def row_cells(self, row: int) -> Cells | None:
        """The row's display texts (formatted once), or None while its window is being read."""
        found = self._window_of(row)
        if found is None:
            return None
        window, offset = found
        cells = window.cells[offset]
        if cells is None:
            cells = window.cells[offset] = self._format_row(window.records[offset])
            self._prefetch_near(row)
        return cells

    def row_id(self, row: int) -> int | None:
        record = self.record_at(row)
        return None if record is None else Repository.row_id(record.read)

    @property
    def reset_pending(self) -> bool:
        """A new query (sort, filter, database) was asked for and its rows are not shown yet."""
        return self._reset_wanted or self._wanted != self._shown

    @property
    def count_pending(self) -> bool:
        """A count was asked for (new query, or data changed) and has not arrived yet."""
        return self.reset_pending or self._count_scheduled or self._counting

    @property
    def estimated_count(self) -> int | None:
        """About how many rows the table holds, while the count of the (unfiltered) rows runs and
        the database's own estimate has arrived; None otherwise. Never the row count: no rows
        are shown that the count has not found."""
        if self._wanted.narrowed or not self.count_pending:
            return None
        return self._estimate

    @property
    def pending(self) -> Pending | None:
        """What the rows shown wait for: a new query's rows (which differs from the shown one), a
        count or refresh, or nothing. A core not started yet waits for nothing."""
        if self._closed or self._held:
            return None
        if self.reset_pending:
            wanted, shown = self._wanted, self._shown
            if not self._counted and not self._windows:
                return Pending.LOAD
            if wanted.search != shown.search:
                return Pending.SEARCH
            if wanted.filters != shown.filters:
                return Pending.FILTER
            if (wanted.order_by, wanted.descending) != (shown.order_by, shown.descending):
                return Pending.SORT
            return Pending.LOAD
        if self._count_scheduled or self._counting:
            return Pending.COUNT
        return None

    def _tell_pending(self) -> None:
        pending = self.pending
        if pending != self._told_pending:
            self._told_pending = pending
            self._events.pending_changed(pending)

    # --- questions answered later -------------------------------------------------

    def ids_at(self, rows: Iterable[int], answer: Callable[[Result[list[int]]], None]) -> None:
        """The ids of these rows: at once when all are loaded, else once the others are read.

        A selection may reach far beyond the loaded windows. The rows are those of the query shown
        now; no answer comes when the database is changed meanwhile.
        """
        wanted = [(row, self.row_id(row)) for row in rows if 0 <= row < self._row_count]
        if all(row_id is not None for _, row_id in wanted):
            answer(Result(value=[row_id for _, row_id in wanted if row_id is not None]))
            return
        store, generation = self._store, self._generation
        work = ids_work(self.repository, self._shown, wanted, self._row_count)

        def arrived(result: Result[tuple[list[int], dict[int, list[Record[Any]]]]]) -> None:
            if store is not self._store:
                return
            if result.error is not None or result.value is None:
                answer(Result(error=result.error))
                return
            ids, windows = result.value
            if generation == self._generation:
                for number, records in windows.items():
                    self._keep_window(number, records)
            answer(Result(value=ids))

        self._ask(work, arrived)

    def locate(self, row_id: int) -> None:
        """Find that id's row under the current query, off the owner's thread; answers with row_located."""
        query = self._wanted

        def arrived(result: Result[int | None]) -> None:
            if result.error is not None:
                self._events.error(result.error)
            elif query != self._wanted:
                self.locate(row_id)  # the filters changed meanwhile: where is it now?
            else:
                self._events.row_located(row_id, result.value)

        self._ask(locate_work(self.repository, query, row_id), arrived)

    def read_row(self, row_id: int, answer: Callable[[Result[Any]], None]) -> None:
        """The row as it is saved now, not as it was loaded, read off the owner's thread."""
        repository = self.repository
        self._ask(lambda: repository.get(row_id), answer)

    def names(self, entity_name: str, answer: Callable[[Result[list[tuple[int, str]]]], None]) -> None:
        """(id, name) of every row of that entity, sorted by name, read off the owner's thread."""
        repository = self._store.repository(entity_name)
        self._ask(lambda: list(repository.names()), answer)

    def _ask(self, work: Callable[[], T], answer: Callable[[Result[T]], None]) -> None:
        """Run a read on the query pool and hand its result to answer on the owner's thread."""

        def arrived(result: Result[T]) -> None:
            self._asking -= 1
            if self._closed:
                return
            answer(result)
            if self.is_idle():
                self._events.loaded()

        self._asking += 1
        if self.synchronous:
            arrived(run_and_wait(work))
        else:
            run_in_background(work, lambda result: self._deliver(lambda: arrived(result)))

    # --- what a row shows after an edit --------------------------------------------

    def follow(self, row_id: int | None) -> None:
        """Report where this row goes (row_followed) when changed data moves it; None: follow none."""
        self._follow_id = row_id

    def show_saved(self, row: int, saved: SQLModel, reference: Reference | None = None) -> None:
        """Show a row as an edit saved it, at once; the refresh that the store's change starts confirms it.

        When the edit changed a reference, the name of the row it points at now is read first.
        """
        number, offset = divmod(row, WINDOW_ROWS)
        window = self._windows.get(number)
        if window is None or offset >= len(window.records):
            return
        old = window.records[offset]
        if reference is None:
            self._replace(window, row, old, dict(old.refs), saved)
            return
        target_id = getattr(saved, reference.field)
        if target_id is None:
            self._replace(window, row, old, {**old.refs, reference.label_key: None}, saved)
            return
        target = ENTITIES[reference.target]
        repository = self._store.repository(target.name)

        def arrived(result: Result[Any]) -> None:
            if result.error is not None:
                return  # the refresh after the edit shows the name
            name = getattr(result.value, target.label_column)
            self._replace(window, row, old, {**old.refs, reference.label_key: name}, saved)

        self._ask(lambda: repository.get(target_id), arrived)

    def _replace(
        self, window: _Window, row: int, old: Record[Any], refs: dict[str, Any], saved: SQLModel
    ) -> None:
        """Put the saved row in place of old, unless fresher rows were read meanwhile."""
        number, offset = divmod(row, WINDOW_ROWS)
        if self._windows.get(number) is not window or window.records[offset] is not old:
            return
        window.replace(offset, Record(read=saved, refs=refs))
        self._events.rows_changed(row, row)

    def problem(self, row_id: int, field_name: str) -> str | None:
        """Why the last edit of that cell was refused, until it is edited again or the rows change."""
        return self._problems.get((row_id, field_name))

    def set_problem(self, row_id: int, field_name: str, message: str | None) -> None:
        if message is None:
            self._problems.pop((row_id, field_name), None)
        else:
            self._problems[(row_id, field_name)] = message

    # --- loading ------------------------------------------------------------------

    def _request(self, query: Query) -> None:
        if query != self._wanted:
            self._wanted = query
            self._schedule(reset=True)

    def _schedule(self, *, reset: bool) -> None:
        if self._closed:
            return
        self._reset_wanted = self._reset_wanted or reset
        if self._held:
            return  # start() asks for everything
        if self.synchronous:
            self._start_count()
        elif not self._count_scheduled:
            self._count_scheduled = True
            self._deliver(self._scheduled_count)
        self._tell_pending()

    def _scheduled_count(self) -> None:
        self._count_scheduled = False
        if not self._closed:
            self._start_count()

    def _start_count(self) -> None:
        self._count_token += 1
        self._next_count = None  # a count still waiting to start is for an older query
        self._stop_running_count()
        query = self._wanted
        reset = self._reset_wanted or query != self._shown
        # Refresh what was looked at last, so it is current the moment the new count shows.
        windows = [0] if reset or not self._windows else list(self._windows)[-MAX_PARALLEL_PAGES:]
        follow = None if reset else self._follow_id
        # A new order of the same rows, or the same data: the counts are known, only rows are read.
        key = (query.search, query.filters, self._data_version)
        last = self._last_count
        known = (last[1], last[2]) if last is not None and last[0] == key else None
        same_data = last is not None and last[0][2] == self._data_version
        # Counting a million rows takes a while: the first rows are read beside the count
        # and shown as soon as they come; the count then adds the rows after them.
        first_window = reset and known is None and not self.synchronous
        self._first_pending, self._first_records, self._stashed_count = first_window, None, None
        self._provisional = False
        self._estimate = None
        total = last[2] if last is not None and same_data else None
        # Changed data: the rows looked at are read again at once, beside the count, so that an edit
        # shows without waiting for ten million rows to be counted.
        refresh_first = not reset and known is None and not self.synchronous
        self._refreshed, self._refreshing = None, refresh_first
        if refresh_first:
            refresh = _RefreshTag(self._count_token, self._row_count)
            self._run(refresh, windows_work(self.repository, query, windows, self._row_count))
        windows = [] if first_window else windows
        read_beside_for = self._row_count if refresh_first else None
        cancel = Cancel()
        work = count_work(self.repository, query, windows, follow, key, known, total, read_beside_for, cancel)
        tag = _CountTag(self._count_token, query, reset, follow)
        self._counting = True
        if known is None:
            self._submit_count(tag, work, cancel)
        else:
            self._run(tag, work)  # no counting: only windows to read
        if first_window:
            first = _FirstTag(self._count_token, query, time.monotonic())
            self._run(first, page_work(self.repository, query, 0, None))
        if known is None and not query.narrowed and not self.synchronous:
            # A million rows take a while to count: the database's estimate is said meanwhile.
            self._run(_EstimateTag(self._count_token), estimate_work(self.repository))

    def _run(self, tag: Hashable, work: Callable[[], Any]) -> None:
        if self.synchronous:
            self._on_result(tag, run_and_wait(work))
        else:
            run_in_background(work, lambda result: self._deliver(lambda: self._on_result(tag, result)))

    def _window_of(self, row: int) -> tuple[_Window, int] | None:
        """The window holding this row (asking for it when missing or stale), and the row's offset in it."""
        if not 0 <= row < self._row_count:
            return None
        number, offset = divmod(row, WINDOW_ROWS)
        window = self._windows.get(number)
        if window is not None:
            self._windows.move_to_end(number)
        if window is None or window.generation != self._generation:
            self._want_window(number)
            window = self._windows.get(number)
        if window is None or offset >= len(window.records):
            return None
        return window, offset

    @property
    def reads_slowly(self) -> bool:
        """Whether windows take long to arrive (then more of them are read ahead)."""
        return self._read_seconds > SLOW_READ_S

    def _prefetch_near(self, row: int) -> None:
        """A row near the edge of its window is on screen: read the next window before it is needed."""
        number, offset = divmod(row, WINDOW_ROWS)
        if self.reads_slowly:
            if offset >= WINDOW_ROWS // 2:
                self._want_neighbour(number + 2)
            else:
                self._want_neighbour(number - 2)
            # The nearest last: the queue answers the latest request first.
            if offset >= PREFETCH_ROWS:
                self._want_neighbour(number + 1)
            if offset < WINDOW_ROWS - PREFETCH_ROWS:
                self._want_neighbour(number - 1)
        elif offset >= WINDOW_ROWS - PREFETCH_ROWS:
            self._want_neighbour(number + 1)
        elif offset < PREFETCH_ROWS:
            self._want_neighbour(number - 1)

    def _want_neighbour(self, number: int) -> None:
        if number < 0 or number * WINDOW_ROWS >= self._row_count:
            return
        window = self._windows.get(number)
        if window is None or window.generation != self._generation:
            self._want_window(number)

    def _note_read_time(self, asked_at: float) -> None:
        seconds = time.monotonic() - asked_at
        self._read_seconds = seconds if not self._read_seconds else (self._read_seconds + seconds) / 2

    def _want_window(self, number: int) -> None:
        if number in self._failed or (self._generation, number) in self._in_flight or self._closed:
            return
        if self.synchronous:
            result = run_and_wait(self._page_work(number))
            if result.error is not None or result.value is None:
                self._failed.add(number)
                self._events.error(result.error or "")
            else:
                self._keep_window(number, result.value)
            return
        self._queued[number] = None
        self._queued.move_to_end(number)
        while len(self._queued) > MAX_QUEUED_PAGES:
            self._queued.popitem(last=False)
        self._pump()

    def _page_work(self, number: int) -> Callable[[], list[Record[Any]]]:
        return page_work(self.repository, self._shown, number, self._row_count)

    def _pump(self) -> None:
        while self._queued and len(self._in_flight) < MAX_PARALLEL_PAGES:
            number, _ = self._queued.popitem(last=True)
            window = self._windows.get(number)
            fresh = window is not None and window.generation == self._generation
            if fresh or number * WINDOW_ROWS >= self._row_count:
                continue
            self._in_flight[(self._generation, number)] = time.monotonic()
            self._run(_PageTag(self._generation, number), self._page_work(number))

    def _keep_window(self, number: int, records: list[Record[Any]]) -> None:
        self._windows[number] = _Window(self._generation, records)
        self._windows.move_to_end(number)
        while len(self._windows) > MAX_WINDOWS:
            self._windows.popitem(last=False)

    def _stop_running_count(self) -> None:
        """Stop the count of a superseded query (its result is ignored by token anyway)."""
        if self._count_running is None:
            return
        (superseded, cancel), self._count_running = self._count_running, None
        self._counts_stopping.add(superseded)
        # Stopping sends a request to the database (MariaDB: a statement): never on the owner's thread.
        run_in_background(cancel.cancel, _ignore)

    def _submit_count(self, tag: _CountTag, work: Callable[[], Counted], cancel: Cancel) -> None:
        """Start the count now, beside one count being stopped at most; else when one of those is done."""
        if len(self._counts_stopping) > 1:
            self._next_count = (tag, work, cancel)
            return
        self._count_running = (tag, cancel)
        self._run(tag, work)

    def _on_result(self, tag: Hashable, result: Result[Any]) -> None:
        if self._closed:
            return
        if isinstance(tag, _CountTag):
            if self._count_running is not None and tag is self._count_running[0]:
                self._count_running = None
            self._counts_stopping.discard(tag)
            if self._next_count is not None and len(self._counts_stopping) <= 1:
                waiting, self._next_count = self._next_count, None
                self._submit_count(*waiting)
            self._on_count(result, tag)
        elif isinstance(tag, _FirstTag):
            self._on_first_window(result, tag)
        elif isinstance(tag, _PageTag):
            self._on_page(result, tag)
        elif isinstance(tag, _RefreshTag):
            self._on_refresh(result, tag)
        elif isinstance(tag, _EstimateTag):
            self._on_estimate(result, tag)
            return  # nothing was waiting for it: the count still runs, or it is done
        self._tell_pending()
        if self.is_idle():
            self._events.loaded()

    def _on_first_window(self, result: Result[list[Record[Any]]], tag: _FirstTag) -> None:
        """Show the first rows of a query still being counted; its count adds the rest, without a reset."""
        if tag.token != self._count_token or not self._first_pending:
            return  # superseded by a newer query
        self._first_pending = False
        if result.error is None:
            self._note_read_time(tag.asked_at)
            self._first_records = result.value
        stashed, self._stashed_count = self._stashed_count, None
        if stashed is not None:
            self._show_count(*stashed)
        elif self._first_records is not None:
            first = self._first_records
            self._reset_to(tag.query, Counted(len(first), self._total, {0: first}))
            self._provisional = True

    def _on_refresh(self, result: Result[dict[int, list[Record[Any]]]], tag: _RefreshTag) -> None:
        """Show the rows read again after a change, whether their count is still coming (then they are
        kept when it comes) or came first without them; not if the count found another number (its
        own job read the rows for it)."""
        if tag.token != self._count_token:
            return  # superseded: a newer query's own refresh or count is on its way
        self._refreshing = False
        if result.value is None or tag.row_count != self._row_count:
            return  # failed, or counted anew with the rows read for the new count
        if self._counting:
            self._refreshed = (tag.row_count, result.value)
        for number, records in result.value.items():
            if number not in self._windows:
                continue  # scrolled away meanwhile
            self._keep_window(number, records)
            first = number * WINDOW_ROWS
            last = min(first + len(records), self._row_count) - 1
            if last >= first:
                self._events.rows_changed(first, last)

    def _on_estimate(self, result: Result[int | None], tag: _EstimateTag) -> None:
        if tag.token != self._count_token or not self._counting or result.value is None:
            return  # counted already, superseded, or no estimate (a failure here is no one's concern)
        self._estimate = result.value
        self._events.estimated(result.value)

    def _on_count(self, result: Result[Counted], tag: _CountTag) -> None:
        if tag.token != self._count_token:
            return  # superseded by a newer query
        self._counting = False
        self._estimate = None
        if result.error is not None or result.value is None:
            self._provisional = self._first_pending = False
            self._events.error(result.error or "")
            return
        if self._first_pending:
            self._stashed_count = (tag, result.value)  # the first window is coming: reset once, with it
            return
        self._show_count(tag, result.value)

    def _show_count(self, tag: _CountTag, counted: Counted) -> None:
        if self._first_records is not None:
            counted = replace(counted, windows={0: self._first_records, **counted.windows})
        self._first_records = None
        refreshed, self._refreshed = self._refreshed, None
        if refreshed is not None and refreshed[0] == counted.count:
            counted = replace(counted, windows={**refreshed[1], **counted.windows})
        provisional, self._provisional = self._provisional, False
        if tag.reset and not provisional:
            self._reset_to(tag.query, counted)
        else:
            self._update_to(counted)
        self._total = counted.total
        self._counted = True
        if counted.key is not None:
            self._last_count = (counted.key, counted.count, counted.total)
        self._events.counts_changed(self._row_count, self._total)
        if tag.follow is not None and tag.follow == self._follow_id and counted.position is not None:
            self._events.row_followed(tag.follow, counted.position)
        self._pump()

    def _reset_to(self, query: Query, counted: Counted) -> None:
        def show() -> None:
            self._shown = query
            self._reset_wanted = False
            self._generation += 1
            self._row_count = counted.count
            self._forget_rows()
            for number, records in counted.windows.items():
                self._keep_window(number, records)

        self._events.reset(show)

    def _update_to(self, counted: Counted) -> None:
        """Same query, changed data: keep stale windows on screen until fresh ones replace them."""
        self._generation += 1
        self._in_flight.clear()
        self._queued.clear()
        self._failed.clear()
        self._problems.clear()
        old_count, new_count = self._row_count, counted.count
        if new_count != old_count:

            def resize() -> None:
                self._row_count = new_count

            self._events.resize(old_count, new_count, resize)
        for number, records in counted.windows.items():
            self._keep_window(number, records)
        if min(old_count, new_count) > 0:
            self._events.rows_changed(0, min(old_count, new_count) - 1)

    def _forget_rows(self) -> None:
        self._windows.clear()
        self._queued.clear()
        self._in_flight.clear()
        self._failed.clear()
        self._problems.clear()

    def _on_page(self, result: Result[list[Record[Any]]], tag: _PageTag) -> None:
        generation, number = tag.generation, tag.number
        asked_at = self._in_flight.pop((generation, number), None)
        if generation != self._generation:
            self._pump()
            return  # rows of a superseded query
        if result.error is not None or result.value is None:
            self._failed.add(number)
            self._events.error(result.error or "")
        else:
            if asked_at is not None:
                self._note_read_time(asked_at)
            self._keep_window(number, result.value)
            first = number * WINDOW_ROWS
            last = min(first + len(result.value), self._row_count) - 1
            if last >= first:
                self._events.rows_changed(first, last)
        self._pump()
