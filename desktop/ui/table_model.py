"""One table model for every entity: counted and paged in SQL, loaded lazily in windows off the GUI thread.

The model shows `rowCount` rows (the store's count for the current query) but holds only
the windows of rows that were looked at, in a bounded LRU cache. A missing window is
fetched on the query pool; until it arrives its rows show placeholders, then
`dataChanged` repaints them. Every query carries a generation: results of a query that
was superseded (new sort, filter, refresh or database) are dropped on arrival.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from pydantic import ValidationError
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from sqlmodel import SQLModel

from desktop.errors import TaskforceError
from desktop.store import ENTITIES, Change, Entity, Record, Repository, Store
from desktop.store.entities import Align
from desktop.ui.columns import Column, Kind, display_text, entity_columns, tooltip_text
from desktop.ui.loading import Outcome, QueryRunner

WINDOW_ROWS = 200
MAX_WINDOWS = 50  # at most 10,000 rows in memory, however long the table
MAX_PARALLEL_PAGES = 2
MAX_QUEUED_PAGES = 8  # while scrolling fast, only the latest requests are worth answering
PREFETCH_ROWS = 50  # about two screens: scrolling into the next window finds it read already
PLACEHOLDER = "…"
# The view asks for seven roles of every cell on every paint, about a thousand calls: the roles are
# compared as plain ints (comparing with enum members costs an attribute lookup each time).
DISPLAY_ROLE = Qt.ItemDataRole.DisplayRole.value
ALIGNMENT_ROLE = Qt.ItemDataRole.TextAlignmentRole.value
EDIT_ROLE = Qt.ItemDataRole.EditRole.value
CHECK_ROLE = Qt.ItemDataRole.CheckStateRole.value
TOOLTIP_ROLE = Qt.ItemDataRole.ToolTipRole.value
OTHER_SERVED_ROLES = frozenset((EDIT_ROLE, CHECK_ROLE, TOOLTIP_ROLE, Qt.ItemDataRole.UserRole.value))
READ_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

AnyIndex = QModelIndex | QPersistentModelIndex


class Updater(Protocol):
    """Where inline edits go: the undo stack's commands, or the store itself."""

    def update(self, entity_name: str, row_id: int, patch: Mapping[str, Any]) -> SQLModel: ...


class _StoreUpdater:
    def __init__(self, store: Store) -> None:
        self._store = store

    def update(self, entity_name: str, row_id: int, patch: Mapping[str, Any]) -> SQLModel:
        updated: SQLModel = self._store.repository(entity_name).update(row_id, patch)
        return updated


@dataclass(frozen=True)
class Query:
    """What rows the model shows and in which order: WHERE and ORDER BY for the store."""

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


@dataclass
class _Window:
    generation: int
    records: list[Record[Any]]
    # Each row's display texts, formatted the first time the row is painted and kept for repaints.
    cells: list[tuple[str | None, ...] | None] = field(init=False)

    def __post_init__(self) -> None:
        self.cells = [None] * len(self.records)

    def replace(self, offset: int, record: Record[Any]) -> None:
        self.records[offset] = record
        self.cells[offset] = None


@dataclass(frozen=True)
class _CountTag:
    token: int
    query: Query
    reset: bool
    follow: int | None = None


@dataclass(frozen=True)
class _LocateTag:
    row_id: int
    query: Query


@dataclass(frozen=True)
class _FirstTag:
    """The first window of a new query, read while it is being counted."""

    token: int
    query: Query


@dataclass(frozen=True)
class _PageTag:
    generation: int
    number: int


@dataclass(frozen=True)
class _Counted:
    count: int
    total: int
    windows: dict[int, list[Record[Any]]] = field(default_factory=dict)
    position: int | None = None  # of the followed row
    key: tuple[Hashable, ...] | None = None  # (search, filters, data version) the counts are for


def validation_message(error: ValidationError, label: str) -> str:
    """The first complaint of a schema about one field, as the cell shows it ("Level: ...")."""
    message = str(error.errors()[0].get("msg", "is not valid")).removeprefix("Value error, ")
    return f"{label}: {message}"


class EntityTableModel(QAbstractTableModel):
    """The rows of one entity for a QTableView; no SQL here, only the store's count/page/update."""

    loaded = Signal()  # every requested query and window has arrived (or failed)
    counts_changed = Signal(int, int)  # rows shown, rows in the table
    error = Signal(str)  # a query or an edit failed; the message is fit for a person
    store_changed = Signal(object)  # every Change the store announced, on the GUI thread
    row_followed = Signal(int, int)  # the followed row's id and where it is after the data changed
    row_located = Signal(int, object)  # an id asked for with locate(), and its row (None: not shown)
    _store_event = Signal(object)

    def __init__(
        self,
        store: Store,
        entity: Entity,
        *,
        synchronous: bool = False,
        updater: Updater | None = None,
        started: bool = True,
        parent: QObject | None = None,
    ) -> None:
        """started=False: no query until start() (a hidden tab waits for the shown one's first rows)."""
        super().__init__(parent)
        self.entity = entity
        self.columns: list[Column] = entity_columns(entity)
        self.synchronous = synchronous
        self._store = store
        self._updater: Updater = updater or _StoreUpdater(store)
        # Answers for every cell of a column, computed once (see DISPLAY_ROLE).
        self._alignments = [_alignment(column).value for column in self.columns]
        self._cell_flags = self._flag_table()
        self._shown = Query()
        self._wanted = Query()
        self._row_count = 0
        self._total = 0
        self._counted = False
        self._generation = 0
        self._windows: OrderedDict[int, _Window] = OrderedDict()
        self._queued: OrderedDict[int, None] = OrderedDict()
        self._in_flight: set[tuple[int, int]] = set()
        self._failed: set[int] = set()
        self._count_token = 0
        self._counting = False
        self._provisional = False  # the first rows of the query are shown, its count is coming
        self._first_pending = False  # the first window of a new query is read beside its count
        self._first_records: list[Record[Any]] | None = None
        self._stashed_count: tuple[_CountTag, _Counted] | None = None
        # One count at a time: a query asked for while one is counted waits for it (only the last).
        self._count_running: _CountTag | None = None
        self._next_count: tuple[_CountTag, Any] | None = None
        self._data_version = 0  # +1 whenever the rows may have changed, so counts are taken again
        # The last count: for (search, filters, data version), the rows that match and all rows.
        self._last_count: tuple[tuple[Hashable, ...], int, int] | None = None
        self._reset_wanted = True
        self._cell_errors: dict[tuple[int, str], str] = {}
        self._follow_id: int | None = None
        self._locating = 0
        self._closed = False
        self._held = not started
        self._runner = QueryRunner()
        self._runner.finished.connect(self._on_outcome)
        self._query_timer = QTimer(self)
        self._query_timer.setSingleShot(True)
        self._query_timer.setInterval(0)  # coalesce a burst of changes into one query
        self._query_timer.timeout.connect(self._start_count)
        self._store_event.connect(self._on_store_change)
        store.subscribe(self._relay_change)
        self._schedule(reset=True)

    # --- the store ------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self._store

    @property
    def repository(self) -> Repository[Any]:
        return self._store.repository(self.entity.name)

    def set_store(self, store: Store, updater: Updater | None = None) -> None:
        """Show the same entity from another database; the old rows go at once."""
        self._store.unsubscribe(self._relay_change)
        self._store = store
        self._updater = updater or _StoreUpdater(store)
        store.subscribe(self._relay_change)
        self._cell_flags = self._flag_table()
        self.beginResetModel()
        try:
            self._generation += 1
            self._data_version += 1
            self._row_count = self._total = 0
            self._counted = False
            self._forget_rows()
        finally:
            self.endResetModel()
        self.counts_changed.emit(0, 0)
        self._schedule(reset=True)

    def start(self) -> None:
        """Begin querying, for a model made with started=False; nothing when already started."""
        if self._held:
            self._held = False
            self._schedule(reset=True)

    @property
    def started(self) -> bool:
        return not self._held

    def shutdown(self) -> None:
        """Stop listening and querying (the window is closing or the store goes away)."""
        if self._closed:
            return
        self._closed = True
        self._query_timer.stop()
        self._store.unsubscribe(self._relay_change)
        self._runner.finished.disconnect(self._on_outcome)

    def _relay_change(self, change: Change) -> None:
        # Called by the store on the thread that wrote; the signal brings it to the GUI thread.
        try:
            self._store_event.emit(change)
        except RuntimeError:  # the Qt side of this model is gone: stop listening
            self._store.unsubscribe(self._relay_change)

    def _on_store_change(self, change: Change) -> None:
        if self._closed:
            return
        self.store_changed.emit(change)
        if self.depends_on(change.entity):
            self._data_version += 1
            self._schedule(reset=change.entity == "*")

    def depends_on(self, entity_name: str) -> bool:
        """Whether rows shown here change when rows of that entity change."""
        targets = {reference.target for reference in self.entity.references}
        return entity_name in ("*", self.entity.name) or entity_name in targets

    # --- what is shown ----------------------------------------------------------

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
        """Whether a count has arrived since the model (or its database) was set up."""
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
        """No query waiting (a model not started yet waits), running or queued."""
        busy = self._query_timer.isActive() or self._counting or self._first_pending or self._locating
        busy = busy or self._held
        return not (busy or self._in_flight or self._queued)

    def record_at(self, row: int) -> Record[Any] | None:
        """The row if it is loaded (it may be a little stale), without asking for it."""
        window = self._windows.get(row // WINDOW_ROWS)
        offset = row % WINDOW_ROWS
        if window is None or offset >= len(window.records) or row >= self._row_count:
            return None
        return window.records[offset]

    @property
    def reset_pending(self) -> bool:
        """A new query (sort, filter, database) was asked for and its rows are not shown yet."""
        return self._reset_wanted or self._wanted != self._shown

    @property
    def count_pending(self) -> bool:
        """A count was asked for (new query, or data changed) and has not arrived yet."""
        return self.reset_pending or self._query_timer.isActive() or self._counting

    def ids_at(self, rows: Iterable[int]) -> list[int]:
        """The ids of these rows, reading any that are not loaded (a selection may reach far)."""
        ids = []
        for row in rows:
            record = self.record_at(row)
            if record is None and 0 <= row < self._row_count:
                self._keep_window(row // WINDOW_ROWS, self._page_work(row // WINDOW_ROWS)())
                record = self.record_at(row)
            if record is not None:
                ids.append(Repository.row_id(record.read))
        return ids

    def follow(self, row_id: int | None) -> None:
        """Report where this row goes (row_followed) when changed data moves it; None: follow none."""
        self._follow_id = row_id

    def row_id(self, row: int) -> int | None:
        record = self.record_at(row)
        return None if record is None else Repository.row_id(record.read)

    def locate(self, row_id: int) -> None:
        """Find that id's row under the current query, off the GUI thread; answers with row_located."""
        query = self._wanted
        work = _locate_work(self.repository, query, row_id)
        tag = _LocateTag(row_id, query)
        if self.synchronous:
            self._on_outcome(_run_now(tag, work))
        else:
            self._locating += 1
            self._runner.submit(tag, work)

    def column_of(self, field_name: str) -> int:
        return next(i for i, column in enumerate(self.columns) if column.field == field_name)

    # --- Qt model interface -------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._row_count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            # Centred rather than right-aligned: the sort arrow is drawn at the right edge.
            return Qt.AlignmentFlag.AlignCenter
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = self._cell_flags[index.column()]
        # Only rows that are loaded can be edited (the edit is pinned to what was shown).
        if flags is not READ_FLAGS and self.record_at(index.row()) is None:
            return READ_FLAGS
        return flags

    def writing_allowed(self) -> bool:
        """Whether cells may be edited at all; subclasses say no for a read-only database."""
        return True

    def _flag_table(self) -> list[Qt.ItemFlag]:
        writable = self.writing_allowed()
        table = []
        for column in self.columns:
            # Paragraphs are edited in the dialog, not in a one-line cell.
            if not writable or not column.editable or column.kind is Kind.LONG_TEXT:
                table.append(READ_FLAGS)
            elif column.kind is Kind.FLAG:
                table.append(READ_FLAGS | Qt.ItemFlag.ItemIsUserCheckable)
            else:
                table.append(READ_FLAGS | Qt.ItemFlag.ItemIsEditable)
        return table

    def data(self, index: AnyIndex, role: int = DISPLAY_ROLE) -> Any:
        if role == DISPLAY_ROLE:
            cells = self._row_cells(index.row())
            if cells is None:
                return PLACEHOLDER if index.column() == 0 and 0 <= index.row() < self._row_count else None
            return cells[index.column()] if index.isValid() else None
        if role == ALIGNMENT_ROLE:
            return self._alignments[index.column()] if index.isValid() else None
        if role not in OTHER_SERVED_ROLES or not index.isValid():
            return None
        column = self.columns[index.column()]
        if role == CHECK_ROLE and column.kind is not Kind.FLAG:
            return None  # asked for every cell on every paint
        record = self._record(index.row())
        if record is None:
            return None
        value = getattr(record.read, column.field)
        if role == EDIT_ROLE:
            return value
        if role == CHECK_ROLE:
            return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
        if role == TOOLTIP_ROLE:
            problem = self._cell_errors.get((Repository.row_id(record.read), column.field))
            return problem or tooltip_text(column, value)
        return record.read  # UserRole

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not self.flags(index) & (
            Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable
        ):
            return False
        column = self.columns[index.column()]
        if column.kind is Kind.FLAG:
            if role != Qt.ItemDataRole.CheckStateRole:
                return False
            value = _checked(value)
        elif role != Qt.ItemDataRole.EditRole:
            return False
        row_id = self.row_id(index.row())
        assert row_id is not None  # flags() allows edits of loaded rows only
        return self._write(index.row(), row_id, column, value)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(self.columns):
            self.set_order(self.columns[column].sort_key, order == Qt.SortOrder.DescendingOrder)

    # --- edits ------------------------------------------------------------------

    def _write(self, row: int, row_id: int, column: Column, value: Any) -> bool:
        key = (row_id, column.field)
        try:
            updated = self._updater.update(self.entity.name, row_id, {column.field: value})
        except ValidationError as error:
            return self._refuse(row, column, key, validation_message(error, column.header))
        except TaskforceError as error:
            return self._refuse(row, column, key, error.message)
        self._cell_errors.pop(key, None)
        self._replace_loaded(row, updated, column)
        return True

    def _refuse(self, row: int, column: Column, key: tuple[int, str], message: str) -> bool:
        self._cell_errors[key] = message
        index = self.index(row, self.columns.index(column))
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.ToolTipRole])
        self.error.emit(message)
        return False

    def _replace_loaded(self, row: int, updated: SQLModel, column: Column) -> None:
        """Show an edit at once; the refresh that the store's change starts confirms it."""
        window = self._windows.get(row // WINDOW_ROWS)
        if window is None or row % WINDOW_ROWS >= len(window.records):
            return
        old = window.records[row % WINDOW_ROWS]
        refs = dict(old.refs)
        if column.reference is not None:
            target_id = getattr(updated, column.field)
            target = ENTITIES[column.reference.target]
            refs[column.reference.label_key] = (
                None
                if target_id is None
                else getattr(self._store.repository(target.name).get(target_id), target.label_column)
            )
        window.replace(row % WINDOW_ROWS, Record(read=updated, refs=refs))
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

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
        else:
            self._query_timer.start()

    def _start_count(self) -> None:
        self._count_token += 1
        self._next_count = None  # a count still waiting to start is for an older query
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
        total = last[2] if last is not None and same_data else None
        windows = [] if first_window else windows
        work = _count_work(self.repository, query, windows, follow, key, known, total)
        tag = _CountTag(self._count_token, query, reset, follow)
        if self.synchronous:
            self._on_outcome(_run_now(tag, work))
            return
        self._counting = True
        if known is None:
            self._submit_count(tag, work)
        else:
            self._runner.submit(tag, work)  # no counting: only windows to read
        if first_window:
            first = _FirstTag(self._count_token, query)
            self._runner.submit(first, _page_work(self.repository, query, 0, None))

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

    def _record(self, row: int) -> Record[Any] | None:
        found = self._window_of(row)
        return None if found is None else found[0].records[found[1]]

    def _row_cells(self, row: int) -> tuple[str | None, ...] | None:
        found = self._window_of(row)
        if found is None:
            return None
        window, offset = found
        cells = window.cells[offset]
        if cells is None:
            cells = window.cells[offset] = self._format(window.records[offset])
            self._prefetch_near(row)
        return cells

    def _prefetch_near(self, row: int) -> None:
        """A row near the edge of its window is on screen: read the next window before it is needed."""
        number, offset = divmod(row, WINDOW_ROWS)
        if offset >= WINDOW_ROWS - PREFETCH_ROWS:
            neighbour = number + 1
        elif offset < PREFETCH_ROWS:
            neighbour = number - 1
        else:
            return
        if neighbour < 0 or neighbour * WINDOW_ROWS >= self._row_count:
            return
        window = self._windows.get(neighbour)
        if window is None or window.generation != self._generation:
            self._want_window(neighbour)

    def _format(self, record: Record[Any]) -> tuple[str | None, ...]:
        read, refs = record.read, record.refs
        return tuple(
            display_text(
                column,
                getattr(read, column.field),
                refs.get(column.reference.label_key) if column.reference is not None else None,
            )
            for column in self.columns
        )

    def _want_window(self, number: int) -> None:
        if number in self._failed or (self._generation, number) in self._in_flight or self._closed:
            return
        if self.synchronous:
            outcome = _run_now(_PageTag(self._generation, number), self._page_work(number))
            if outcome.error is None:
                self._keep_window(number, outcome.value)
            else:
                self._failed.add(number)
                self.error.emit(outcome.error)
            return
        self._queued[number] = None
        self._queued.move_to_end(number)
        while len(self._queued) > MAX_QUEUED_PAGES:
            self._queued.popitem(last=False)
        self._pump()

    def _page_work(self, number: int) -> Any:
        return _page_work(self.repository, self._shown, number, self._row_count)

    def _pump(self) -> None:
        while self._queued and len(self._in_flight) < MAX_PARALLEL_PAGES:
            number, _ = self._queued.popitem(last=True)
            window = self._windows.get(number)
            fresh = window is not None and window.generation == self._generation
            if fresh or number * WINDOW_ROWS >= self._row_count:
                continue
            self._in_flight.add((self._generation, number))
            self._runner.submit(_PageTag(self._generation, number), self._page_work(number))

    def _keep_window(self, number: int, records: list[Record[Any]]) -> None:
        self._windows[number] = _Window(self._generation, records)
        self._windows.move_to_end(number)
        while len(self._windows) > MAX_WINDOWS:
            self._windows.popitem(last=False)

    def _submit_count(self, tag: _CountTag, work: Any) -> None:
        """Counts of superseded queries cannot be stopped: queries typed in a row must not pile up."""
        if self._count_running is not None:
            self._next_count = (tag, work)
            return
        self._count_running = tag
        self._runner.submit(tag, work)

    def _on_outcome(self, outcome: Outcome) -> None:
        if self._closed:
            return
        if isinstance(outcome.tag, _CountTag):
            if outcome.tag is self._count_running:
                self._count_running = None
            if self._count_running is None and self._next_count is not None:
                waiting, self._next_count = self._next_count, None
                self._submit_count(*waiting)
            self._on_count(outcome, outcome.tag)
        elif isinstance(outcome.tag, _FirstTag):
            self._on_first_window(outcome, outcome.tag)
        elif isinstance(outcome.tag, _PageTag):
            self._on_page(outcome, outcome.tag)
        elif isinstance(outcome.tag, _LocateTag):
            self._on_located(outcome, outcome.tag)
        if self.is_idle():
            self.loaded.emit()

    def _on_first_window(self, outcome: Outcome, tag: _FirstTag) -> None:
        """Show the first rows of a query still being counted; its count adds the rest, without a reset."""
        if tag.token != self._count_token or not self._first_pending:
            return  # superseded by a newer query
        self._first_pending = False
        if outcome.error is None:
            self._first_records = outcome.value
        stashed, self._stashed_count = self._stashed_count, None
        if stashed is not None:
            self._show_count(*stashed)
        elif self._first_records is not None:
            self._reset_to(
                tag.query, _Counted(len(self._first_records), self._total, {0: self._first_records})
            )
            self._provisional = True

    def _on_count(self, outcome: Outcome, tag: _CountTag) -> None:
        if tag.token != self._count_token:
            return  # superseded by a newer query
        self._counting = False
        if outcome.error is not None:
            self._provisional = self._first_pending = False
            self.error.emit(outcome.error)
            return
        if self._first_pending:
            self._stashed_count = (tag, outcome.value)  # the first window is coming: reset once, with it
            return
        self._show_count(tag, outcome.value)

    def _show_count(self, tag: _CountTag, counted: _Counted) -> None:
        if self._first_records is not None:
            counted = replace(counted, windows={0: self._first_records, **counted.windows})
        self._first_records = None
        provisional, self._provisional = self._provisional, False
        if tag.reset and not provisional:
            self._reset_to(tag.query, counted)
        else:
            self._update_to(counted)
        self._total = counted.total
        self._counted = True
        if counted.key is not None:
            self._last_count = (counted.key, counted.count, counted.total)
        self.counts_changed.emit(self._row_count, self._total)
        if tag.follow is not None and tag.follow == self._follow_id and counted.position is not None:
            self.row_followed.emit(tag.follow, counted.position)
        self._pump()

    def _on_located(self, outcome: Outcome, tag: _LocateTag) -> None:
        if not self.synchronous:
            self._locating -= 1
        if outcome.error is not None:
            self.error.emit(outcome.error)
        elif tag.query != self._wanted:
            self.locate(tag.row_id)  # the filters changed meanwhile: where is it now?
        else:
            self.row_located.emit(tag.row_id, outcome.value)

    def _reset_to(self, query: Query, counted: _Counted) -> None:
        self.beginResetModel()
        try:
            self._shown = query
            self._reset_wanted = False
            self._generation += 1
            self._row_count = counted.count
            self._forget_rows()
            for number, records in counted.windows.items():
                self._keep_window(number, records)
        finally:
            self.endResetModel()

    def _update_to(self, counted: _Counted) -> None:
        """Same query, changed data: keep stale windows on screen until fresh ones replace them."""
        self._generation += 1
        self._in_flight.clear()
        self._queued.clear()
        self._failed.clear()
        self._cell_errors.clear()
        old_count, new_count = self._row_count, counted.count
        if new_count > old_count:
            self.beginInsertRows(QModelIndex(), old_count, new_count - 1)
            self._row_count = new_count
            self.endInsertRows()
        elif new_count < old_count:
            self.beginRemoveRows(QModelIndex(), new_count, old_count - 1)
            self._row_count = new_count
            self.endRemoveRows()
        for number, records in counted.windows.items():
            self._keep_window(number, records)
        if min(old_count, new_count) > 0:
            last = self.index(min(old_count, new_count) - 1, len(self.columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def _forget_rows(self) -> None:
        self._windows.clear()
        self._queued.clear()
        self._in_flight.clear()
        self._failed.clear()
        self._cell_errors.clear()

    def _on_page(self, outcome: Outcome, tag: _PageTag) -> None:
        generation, number = tag.generation, tag.number
        self._in_flight.discard((generation, number))
        if generation != self._generation:
            self._pump()
            return  # rows of a superseded query
        if outcome.error is not None:
            self._failed.add(number)
            self.error.emit(outcome.error)
        else:
            self._keep_window(number, outcome.value)
            first = number * WINDOW_ROWS
            last = min(first + len(outcome.value), self._row_count) - 1
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))
        self._pump()


def _alignment(column: Column) -> Qt.AlignmentFlag:
    horizontal = Qt.AlignmentFlag.AlignRight if column.align is Align.RIGHT else Qt.AlignmentFlag.AlignLeft
    return horizontal | Qt.AlignmentFlag.AlignVCenter


def _checked(value: Any) -> bool:
    if isinstance(value, Qt.CheckState):
        return value == Qt.CheckState.Checked
    return int(value) == Qt.CheckState.Checked.value


def _count_work(
    repository: Repository[Any],
    query: Query,
    windows: list[int],
    follow: int | None,
    key: tuple[Hashable, ...],
    known: tuple[int, int] | None,
    known_total: int | None,
) -> Any:
    """Count (unless the counts are known: same WHERE, same data), read the windows, find the followed row."""

    def work() -> _Counted:
        filters = query.filter_values
        if known is not None:
            count, total = known
        else:
            count = repository.count(query.search, **filters)
            if not query.narrowed:
                total = count
            else:
                total = known_total if known_total is not None else repository.count()
        pages = {
            number: _read_window(repository, query, number, count)
            for number in windows
            if number * WINDOW_ROWS < count
        }
        position = None
        if follow is not None:
            position = repository.position(follow, query.search, query.order_by, query.descending, **filters)
        return _Counted(count, total, pages, position, key)

    return work


def _locate_work(repository: Repository[Any], query: Query, row_id: int) -> Any:
    return lambda: repository.position(
        row_id, query.search, query.order_by, query.descending, **query.filter_values
    )


def _page_work(repository: Repository[Any], query: Query, number: int, total: int | None) -> Any:
    return lambda: _read_window(repository, query, number, total)


def _read_window(
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


def _run_now(tag: Hashable, work: Any) -> Outcome:
    try:
        return Outcome(tag, value=work())
    except TaskforceError as error:
        return Outcome(tag, error=error.message)
