"""One table model for every entity: a Qt adapter over the table core (desktop/table).

The core counts, pages, caches and looks rows up on the query pool; this model only relays:
the core's answers are brought to the GUI thread by a queued signal and become Qt's resets,
row insertions and dataChanged, and Qt's questions (data, flags, setData) are answered from the
core's loaded rows. No statement runs here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from pydantic import ValidationError
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from sqlmodel import SQLModel

from desktop.errors import TaskforceError
from desktop.store import Change, Entity, Record, Repository, Store
from desktop.store.entities import Align
from desktop.store.fields import distinct_names
from desktop.table import MAX_WINDOWS, WINDOW_ROWS, Pending, Query, Result, TableCore, TableEvents
from desktop.ui.columns import Column, Kind, display_text, entity_columns, tooltip_text
from desktop.ui.loading import run_off_gui_thread

__all__ = [
    "CHECK_ROLE",
    "MAX_WINDOWS",
    "PLACEHOLDER",
    "WINDOW_ROWS",
    "EntityTableModel",
    "Query",
    "Updater",
    "cell_alignment",
]

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
ChoiceList = list[tuple[Any, str]]


class Updater(Protocol):
    """Where inline edits go: the undo stack's commands, or the store itself."""

    def update(self, entity_name: str, row_id: int, patch: Mapping[str, Any]) -> SQLModel: ...


class _StoreUpdater:
    def __init__(self, store: Store) -> None:
        self._store = store

    def update(self, entity_name: str, row_id: int, patch: Mapping[str, Any]) -> SQLModel:
        repository = self._store.repository(entity_name)
        updated: SQLModel = run_off_gui_thread(lambda: repository.update(row_id, patch))
        return updated


def validation_message(error: ValidationError, label: str) -> str:
    """The first complaint of a schema about one field, as the cell shows it ("Level: ...")."""
    message = str(error.errors()[0].get("msg", "is not valid")).removeprefix("Value error, ")
    return f"{label}: {message}"


class _Relay(TableEvents):
    """The core's events as Qt calls on the model; resets and resizes are bracketed even when they fail."""

    def __init__(self, model: EntityTableModel) -> None:
        self._model = model

    def reset(self, apply: Callable[[], None]) -> None:
        self._model.beginResetModel()
        try:
            apply()
        finally:
            self._model.endResetModel()

    def resize(self, old_count: int, new_count: int, apply: Callable[[], None]) -> None:
        model = self._model
        if new_count > old_count:
            model.beginInsertRows(QModelIndex(), old_count, new_count - 1)
            try:
                apply()
            finally:
                model.endInsertRows()
        else:
            model.beginRemoveRows(QModelIndex(), new_count, old_count - 1)
            try:
                apply()
            finally:
                model.endRemoveRows()

    def rows_changed(self, first: int, last: int) -> None:
        model = self._model
        model.dataChanged.emit(model.index(first, 0), model.index(last, len(model.columns) - 1))

    def counts_changed(self, shown: int, total: int) -> None:
        self._model.counts_changed.emit(shown, total)

    def loaded(self) -> None:
        self._model.loaded.emit()

    def error(self, message: str) -> None:
        self._model.error.emit(message)

    def store_changed(self, change: Change) -> None:
        self._model.store_changed.emit(change)

    def row_followed(self, row_id: int, row: int) -> None:
        self._model.row_followed.emit(row_id, row)

    def row_located(self, row_id: int, row: int | None) -> None:
        self._model.row_located.emit(row_id, row)

    def pending_changed(self, work: Pending | None) -> None:
        self._model.pending_changed.emit(work)

    def estimated(self, count: int) -> None:
        self._model.estimate_changed.emit(count)


class EntityTableModel(QAbstractTableModel):
    """The rows of one entity for a QTableView; the core reads them, this model answers Qt."""

    loaded = Signal()  # every requested query and window has arrived (or failed)
    counts_changed = Signal(int, int)  # rows shown, rows in the table
    error = Signal(str)  # a query or an edit failed; the message is fit for a person
    store_changed = Signal(object)  # every Change the store announced, on the GUI thread
    row_followed = Signal(int, int)  # the followed row's id and where it is after the data changed
    row_located = Signal(int, object)  # an id asked for with locate(), and its row (None: not shown)
    pending_changed = Signal(object)  # what the rows shown wait for (a Pending), or None
    estimate_changed = Signal(object)  # about how many rows the running count will find
    _posted = Signal(object)  # a call of the core's, brought to the GUI thread

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
        """started=False: no query until start() (a hidden tab waits for the shown one's first rows).

        synchronous=True waits for every query as it is asked (tests); it still runs on the query pool.
        """
        super().__init__(parent)
        self.entity = entity
        self.columns: list[Column] = entity_columns(entity)
        self._updater: Updater = updater or _StoreUpdater(store)
        # Answers for every cell of a column, computed once (see DISPLAY_ROLE).
        self._alignments = [cell_alignment(column).value for column in self.columns]
        # Queued even from the GUI thread: the core's calls always run after the current event.
        self._posted.connect(self._run_posted, Qt.ConnectionType.QueuedConnection)
        self._core = TableCore(
            store,
            entity,
            _Relay(self),
            self._posted.emit,
            self._format,
            synchronous=synchronous,
            started=started,
        )
        # A row's display texts (formatted once), or None while its window is being read.
        self.row_cells: Callable[[int], tuple[str | None, ...] | None] = self._core.row_cells
        self._cell_flags = self._flag_table()

    def _run_posted(self, call: Callable[[], None]) -> None:
        call()

    # --- the store ------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self._core.store

    @property
    def repository(self) -> Repository[Any]:
        return self._core.repository

    @property
    def synchronous(self) -> bool:
        return self._core.synchronous

    def set_store(self, store: Store, updater: Updater | None = None) -> None:
        """Show the same entity from another database; the old rows go at once."""
        self._updater = updater or _StoreUpdater(store)
        self._core.set_store(store)
        self._cell_flags = self._flag_table()

    def start(self) -> None:
        """Begin querying, for a model made with started=False; nothing when already started."""
        self._core.start()

    @property
    def started(self) -> bool:
        return self._core.started

    def shutdown(self) -> None:
        """Stop listening and querying (the window is closing or the store goes away)."""
        self._core.shutdown()

    def depends_on(self, entity_name: str) -> bool:
        """Whether rows shown here change when rows of that entity change."""
        return self._core.depends_on(entity_name)

    # --- what is shown ----------------------------------------------------------

    @property
    def query(self) -> Query:
        """The query asked for last (it may still be loading)."""
        return self._core.query

    @property
    def total_count(self) -> int:
        """Rows in the whole table, whatever the filter."""
        return self._core.total_count

    @property
    def counted(self) -> bool:
        """Whether a count has arrived since the model (or its database) was set up."""
        return self._core.counted

    def set_filters(self, search: str | None = None, **filters: Any) -> None:
        """WHERE for the store: search text plus the entity's named filters (None: not filtered)."""
        self._core.set_filters(search, **filters)

    def set_order(self, order_by: str | None, descending: bool = False) -> None:
        self._core.set_order(order_by, descending)

    def refresh(self) -> None:
        """Read everything again (F5): failed windows are retried too."""
        self._core.refresh()

    def is_idle(self) -> bool:
        """No query waiting (a model not started yet waits), running or queued."""
        return self._core.is_idle()

    def record_at(self, row: int) -> Record[Any] | None:
        """The row if it is loaded (it may be a little stale), without asking for it."""
        return self._core.record_at(row)

    @property
    def reset_pending(self) -> bool:
        """A new query (sort, filter, database) was asked for and its rows are not shown yet."""
        return self._core.reset_pending

    @property
    def count_pending(self) -> bool:
        """A count was asked for (new query, or data changed) and has not arrived yet."""
        return self._core.count_pending

    @property
    def pending(self) -> Pending | None:
        """What the rows shown wait for: a new query's rows, their count, or nothing."""
        return self._core.pending

    @property
    def estimated_count(self) -> int | None:
        """About how many rows the table holds while they are counted (the database's estimate)."""
        return self._core.estimated_count

    def ids_at(self, rows: Iterable[int], answer: Callable[[Result[list[int]]], None]) -> None:
        """The ids of these rows: at once when all are loaded, else once the rest are read."""
        self._core.ids_at(rows, answer)

    def read_row(self, row_id: int, answer: Callable[[Result[Any]], None]) -> None:
        """The row as it is saved now, not as it was loaded, read off the GUI thread."""
        self._core.read_row(row_id, answer)

    def follow(self, row_id: int | None) -> None:
        """Report where this row goes (row_followed) when changed data moves it; None: follow none."""
        self._core.follow(row_id)

    def row_id(self, row: int) -> int | None:
        return self._core.row_id(row)

    def locate(self, row_id: int) -> None:
        """Find that id's row under the current query, off the GUI thread; answers with row_located."""
        self._core.locate(row_id)

    def column_of(self, field_name: str) -> int:
        return next(i for i, column in enumerate(self.columns) if column.field == field_name)

    @staticmethod
    def has_choices(column: Column) -> bool:
        """Whether an editor of this column offers a list: an enum's members, or the referenced rows."""
        return column.kind in (Kind.CHOICE, Kind.REFERENCE)

    def choices(self, column: Column, answer: Callable[[ChoiceList], None]) -> None:
        """What an editor of this column offers, as the field metadata says; the names of referenced
        rows are read off the GUI thread, equal names told apart by their id."""
        if column.kind is Kind.CHOICE:
            answer(list(column.meta.choices))
            return
        if column.reference is None:
            return
        none_label = column.meta.none_label

        def arrived(result: Result[list[tuple[int, str]]]) -> None:
            if result.error is not None or result.value is None:
                self.error.emit(result.error or "")
                return
            names: ChoiceList = list(distinct_names(result.value))
            answer(names if none_label is None else [(None, none_label), *names])

        self._core.names(column.reference.target, arrived)

    # --- Qt model interface -------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._core.row_count

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
        if flags is not READ_FLAGS and self._core.record_at(index.row()) is None:
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
            row = index.row()
            cells = self.row_cells(row)
            if cells is None:
                return PLACEHOLDER if index.column() == 0 and 0 <= row < self._core.row_count else None
            return cells[index.column()] if index.isValid() else None
        if role == ALIGNMENT_ROLE:
            return self._alignments[index.column()] if index.isValid() else None
        if role not in OTHER_SERVED_ROLES or not index.isValid():
            return None
        column = self.columns[index.column()]
        if role == CHECK_ROLE and column.kind is not Kind.FLAG:
            return None  # asked for every cell on every paint
        record = self._core.record(index.row())
        if record is None:
            return None
        value = getattr(record.read, column.field)
        if role == EDIT_ROLE:
            return value
        if role == CHECK_ROLE:
            return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
        if role == TOOLTIP_ROLE:
            problem = self._core.problem(Repository.row_id(record.read), column.field)
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
        self._core.set_problem(row_id, column.field, None)
        self._core.show_saved(row, updated, column.reference)
        return True

    def _refuse(self, row: int, column: Column, key: tuple[int, str], message: str) -> bool:
        self._core.set_problem(*key, message)
        index = self.index(row, self.columns.index(column))
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.ToolTipRole])
        self.error.emit(message)
        return False

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


def cell_alignment(column: Column) -> Qt.AlignmentFlag:
    horizontal = Qt.AlignmentFlag.AlignRight if column.align is Align.RIGHT else Qt.AlignmentFlag.AlignLeft
    return horizontal | Qt.AlignmentFlag.AlignVCenter


def _checked(value: Any) -> bool:
    if isinstance(value, Qt.CheckState):
        return value == Qt.CheckState.Checked
    return int(value) == Qt.CheckState.Checked.value
