"""One tab: the filter bar, the table (or a friendly empty state) and what it remembers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.store import Change, Record, Repository
from desktop.table import Pending, Result
from desktop.ui.columns import Column
from desktop.ui.delegates import EntityDelegate
from desktop.ui.filters import FilterBar
from desktop.ui.icons import icon
from desktop.ui.table_model import EntityTableModel

CELL_PADDING = 16
HEADER_PADDING = 34  # the sort arrow sits beside the title


BUSY_AFTER_MS = 150  # an answer slower than this shows that it is coming
BUSY_TEXTS = {
    Pending.SEARCH: "Searching…",
    Pending.FILTER: "Filtering…",
    Pending.SORT: "Sorting…",
    Pending.LOAD: "Loading…",
}


def rounded(estimate: int) -> int:
    """An estimate to two significant digits (1,234,567 → 1,200,000): it is only about that many."""
    if estimate < 100:
        return estimate
    scale = int(10 ** (len(str(estimate)) - 2))
    return round(estimate / scale) * scale


class EmptyState(QWidget):
    """Shown instead of an empty grid: what this tab is for and how to fill it."""

    def __init__(self, model: EntityTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        entity = model.entity
        self.setObjectName(f"{entity.plural}EmptyState")
        title = QLabel(f"No {entity.plural} yet")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel(
            f"Add the first {entity.label.lower()}, or load the sample data to look around.\n"
            "Sample data adds a few tasks, users, heroes, teams and items."
        )
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.new_button = QPushButton(f"New {entity.label.lower()}…")
        self.new_button.setObjectName(f"{entity.plural}EmptyNew")
        self.new_button.setDefault(True)
        self.sample_button = QPushButton("Load sample data")
        self.sample_button.setObjectName(f"{entity.plural}EmptyLoadSample")
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.sample_button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(title)
        layout.addSpacing(8)
        layout.addWidget(hint)
        layout.addSpacing(16)
        layout.addLayout(buttons)
        layout.addStretch(3)
        self.apply_icons()

    def apply_icons(self) -> None:
        self.new_button.setIcon(icon("new"))
        self.sample_button.setIcon(icon("sample"))


class EntityTable(QTableView):
    """A table whose type-ahead goes to the search box: the store searches all rows, not just loaded ones."""

    typed = Signal(str)
    end_before_counted = Signal()  # Ctrl+End while only the first rows are known: the end is further

    def keyboardSearch(self, search: str) -> None:
        self.typed.emit(search)

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        model = self.model()
        if (
            cursorAction == QAbstractItemView.CursorAction.MoveEnd
            and isinstance(model, EntityTableModel)
            and model.count_pending
        ):
            self.end_before_counted.emit()
        return super().moveCursor(cursorAction, modifiers)


class EntityView(QWidget):
    """The tab of one entity. Knows its table and filters; actions live in the main window."""

    new_requested = Signal()
    sample_requested = Signal()
    selection_changed = Signal()
    context_menu_requested = Signal(QPoint)
    row_missing = Signal()  # a row asked for with select_row_id() does not exist
    busy_changed = Signal()  # the view began or stopped showing that it is working (busy_text)

    def __init__(self, model: EntityTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.entity = model.entity
        self.busy: Pending | None = None  # what the view shows it is waiting for
        self.setObjectName(f"{self.entity.plural}View")
        self._pending_row: int | None = None
        self._wanted_id: int | None = None
        # Ctrl+End before the count went to the last row known then: the real last one once it is counted.
        self._end_known: int | None = None

        self.filter_bar = FilterBar(self.entity, model.store, self)
        self.filter_bar.applied.connect(self._apply_filters)
        self.table = self._build_table()
        self.empty_state = EmptyState(model, self)
        self.empty_state.new_button.clicked.connect(self.new_requested)
        self.empty_state.sample_button.clicked.connect(self.sample_requested)
        # An answer slower than BUSY_AFTER_MS shows that it is coming: a busy bar, the rows shown
        # greyed while they belong to the previous query, and the count label says what is done.
        self.busy_indicator = QProgressBar(self)
        self.busy_indicator.setObjectName("busyIndicator")
        self.busy_indicator.setRange(0, 0)  # no end known: Qt's busy animation
        self.busy_indicator.setTextVisible(False)
        self.busy_indicator.setMaximumHeight(4)
        self.busy_indicator.hide()
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_AFTER_MS)
        self._busy_timer.timeout.connect(self._show_busy)
        self._palette = self.table.palette()
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_state)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.busy_indicator)
        layout.addWidget(self.stack)
        model.pending_changed.connect(self._on_pending_changed)
        model.estimate_changed.connect(self._on_estimate)

        model.counts_changed.connect(self._show_empty_state_if_empty)
        model.store_changed.connect(self._on_store_change)
        model.counts_changed.connect(self._select_pending_row)
        model.counts_changed.connect(self._go_to_end_if_wanted)
        self.table.end_before_counted.connect(self._want_end)
        model.row_followed.connect(self._on_row_followed)
        model.row_located.connect(self._on_row_located)
        self.selection_changed.connect(self._follow_selected_row)
        self._show_empty_state_if_empty()

    @property
    def busy_text(self) -> str | None:
        """What the count label says while the view shows that it is working, else None."""
        if self.busy is None:
            return None
        if self.busy is Pending.COUNT:
            estimate = self.model.estimated_count
            if estimate is not None:
                return f"about {rounded(estimate):,} {self.entity.plural}"
            return f"Counting {self.entity.plural}…"
        return BUSY_TEXTS[self.busy]

    @property
    def rows_outdated(self) -> bool:
        """Whether the rows shown are marked (greyed) as belonging to the previous query."""
        return self.busy is not None and self.busy.outdated

    def _on_pending_changed(self, work: Pending | None) -> None:
        if work is None:
            self._busy_timer.stop()
            self._set_busy(None)
        elif self.busy is not None:
            self._set_busy(work)  # already shown: say what it waits for now
        elif not self._busy_timer.isActive():
            self._busy_timer.start()

    def _on_estimate(self) -> None:
        if self.busy is Pending.COUNT:
            self.busy_changed.emit()  # the count label says the estimate until the count comes

    def _show_busy(self) -> None:
        self._set_busy(self.model.pending)

    def _set_busy(self, work: Pending | None) -> None:
        if work == self.busy:
            return
        self.busy = work
        self.busy_indicator.setVisible(work is not None)
        palette = QPalette(self._palette)
        if work is not None and work.outdated:
            grey = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            palette.setColor(QPalette.ColorGroup.Active, QPalette.ColorRole.Text, grey)
            palette.setColor(QPalette.ColorGroup.Inactive, QPalette.ColorRole.Text, grey)
        self.table.setPalette(palette)
        self.busy_changed.emit()

    def _build_table(self) -> EntityTable:
        table = EntityTable(self)
        table.typed.connect(self._type_into_search)
        table.setObjectName(f"{self.entity.plural}Table")
        table.setModel(self.model)
        table.setItemDelegate(EntityDelegate(self.model, table))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # Double-click and Enter open the edit dialog; a click on a selected cell edits in place.
        table.setEditTriggers(QAbstractItemView.EditTrigger.SelectedClicked)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(
            lambda pos: self.context_menu_requested.emit(table.viewport().mapToGlobal(pos))
        )
        rows = table.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # measuring a million rows is not an option
        rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(
            lambda pos: self.header_menu().exec(header.mapToGlobal(pos))
        )
        for section, column in enumerate(self.model.columns):
            header.resizeSection(section, self._default_width(table, column))
        default = self.model.column_of(self.entity.default_order)
        header.setSortIndicator(default, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        table.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed.emit())
        table.selectionModel().currentRowChanged.connect(lambda *_: self.selection_changed.emit())
        return table

    @staticmethod
    def _default_width(table: QTableView, column: Column) -> int:
        metrics = table.fontMetrics()
        content = metrics.horizontalAdvance(column.width_sample) + CELL_PADDING
        title = metrics.horizontalAdvance(column.header) + HEADER_PADDING
        return max(content, title)

    # --- what is selected ----------------------------------------------------------

    def selected_rows(self) -> list[int]:
        return sorted(index.row() for index in self.table.selectionModel().selectedRows())

    def selected_ids(self, answer: Callable[[Result[list[int]]], None]) -> None:
        """The ids of the selected rows: at once when they are loaded, else once read off the GUI thread."""
        self.model.ids_at(self.selected_rows(), answer)

    def selected_count(self) -> int:
        """How many rows are selected, without listing them (a selection may span a million rows)."""
        ranges = self.table.selectionModel().selection()
        return sum(ranges.at(i).height() for i in range(ranges.count()))

    def has_selection(self) -> bool:
        return self.table.selectionModel().hasSelection()

    def current_record(self) -> Record[Any] | None:
        """The row actions act on: the current row if selected, else the first selected one."""
        selection = self.table.selectionModel()
        index = self.table.currentIndex()
        if index.isValid() and selection.isRowSelected(index.row()):
            return self.model.record_at(index.row())
        ranges = selection.selection()
        tops = [ranges.at(i).top() for i in range(ranges.count())]
        return self.model.record_at(min(tops)) if tops else None

    def select_row_id(self, row_id: int) -> None:
        """Select and show that row once it is found, clearing the filters if they hide it."""
        self._wanted_id = row_id
        self.model.locate(row_id)

    def _on_row_located(self, row_id: int, row: int | None) -> None:
        if row_id != self._wanted_id:
            return
        if row is None and self.model.query.narrowed:
            self.filter_bar.clear()
            self.filter_bar.apply_now()
            self.model.locate(row_id)
            return
        self._wanted_id = None
        if row is None:
            self.row_missing.emit()
        else:
            self._pending_row = row
            self._select_pending_row()

    def _follow_selected_row(self) -> None:
        """One selected row stays selected when changes elsewhere move it up or down."""
        record = self.current_record() if self.selected_count() == 1 else None
        self.model.follow(None if record is None else Repository.row_id(record.read))

    def _on_row_followed(self, row_id: int, row: int) -> None:
        if self.selected_count() == 1 and self.table.currentIndex().row() != row:
            self._select_row(row, scroll=False)
        self.model.follow(row_id)

    def _select_pending_row(self) -> None:
        if self._pending_row is None or self.model.count_pending:
            return  # after the rows being counted arrive
        row, self._pending_row = self._pending_row, None
        self._select_row(row, scroll=True)

    def _want_end(self) -> None:
        self._end_known = self.model.rowCount() - 1

    def _go_to_end_if_wanted(self) -> None:
        if self._end_known is None or self.model.count_pending:
            return
        known, self._end_known = self._end_known, None
        if self.table.currentIndex().row() == known:  # not moved elsewhere meanwhile
            self._select_row(self.model.rowCount() - 1, scroll=True)

    def _select_row(self, row: int, *, scroll: bool) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        index = self.model.index(row, max(0, self.table.currentIndex().column()))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)
        if scroll:
            self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    # --- filters ------------------------------------------------------------------

    def _apply_filters(self, search: str, filters: dict[str, Any]) -> None:
        self.model.set_filters(search, **filters)

    def filter_to(self, field: str, row_id: int) -> None:
        """Show only the rows whose reference (owner_id, team_id) is that row."""
        self.filter_bar.clear()
        self.filter_bar.references[field].select(row_id)
        self.filter_bar.apply_now()

    def show_only(self, filters: dict[str, Any]) -> None:
        """Show only the rows these filter values choose (as FilterBar.save() gives them); no search."""
        self.filter_bar.clear()
        self.filter_bar.restore(filters)
        self.filter_bar.apply_now()

    def apply_icons(self) -> None:
        self.empty_state.apply_icons()
        self.filter_bar.search.apply_icons()

    def _type_into_search(self, text: str) -> None:
        self.focus_search()
        self.filter_bar.search.box.insert(text)

    def focus_search(self) -> None:
        self.filter_bar.search.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_bar.search.box.selectAll()

    def _on_store_change(self, change: Change) -> None:
        self.filter_bar.reload_choices(change.entity)
        self.filter_bar.facets.on_store_change(change)

    def set_store_choices(self) -> None:
        self.filter_bar.set_store(self.model.store)

    # --- empty state ------------------------------------------------------------

    @property
    def showing_empty_state(self) -> bool:
        return self.stack.currentWidget() is self.empty_state

    def _show_empty_state_if_empty(self) -> None:
        empty = self.model.counted and self.model.total_count == 0
        had_focus = self.table.hasFocus()
        self.stack.setCurrentWidget(self.empty_state if empty else self.table)
        self.filter_bar.setVisible(not empty)
        if not empty and had_focus:
            self.table.setFocus()

    # --- columns ----------------------------------------------------------------

    def header_menu(self) -> QMenu:
        """Show or hide columns; the last visible one stays."""
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        menu.setObjectName(f"{self.entity.plural}ColumnsMenu")
        visible = [s for s in range(header.count()) if not header.isSectionHidden(s)]
        for section, column in enumerate(self.model.columns):
            action = menu.addAction(column.header)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(section))
            action.setEnabled(visible != [section])
            action.toggled.connect(lambda shown, s=section: header.setSectionHidden(s, not shown))
        return menu

    # --- remembered state -----------------------------------------------------------

    def _settings_key(self, name: str) -> str:
        return f"views/{self.entity.name}/{name}"

    def _column_signature(self) -> str:
        return ",".join(column.field for column in self.model.columns)

    def save_state(self, settings: QSettings) -> None:
        settings.setValue(self._settings_key("header"), self.table.horizontalHeader().saveState())
        settings.setValue(self._settings_key("columns"), self._column_signature())
        settings.setValue(self._settings_key("filters"), json.dumps(self.filter_bar.save()))

    def restore_state(self, settings: QSettings) -> None:
        header = self.table.horizontalHeader()
        state = settings.value(self._settings_key("header"))
        if settings.value(self._settings_key("columns")) == self._column_signature() and state:
            header.restoreState(state)
            self.table.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())
        try:
            saved = json.loads(str(settings.value(self._settings_key("filters"), "{}")))
        except ValueError:
            saved = {}
        if isinstance(saved, dict):
            self.filter_bar.restore(saved)
            self.filter_bar.apply_now()
