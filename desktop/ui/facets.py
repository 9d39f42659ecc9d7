"""How many rows each choice of a filter list has, given the other filters ("Done (550,123)").

As Datasette's facets: the count beside a choice leaves out its own list's filter and keeps all
the others, so it says how many rows choosing it would show. Counts are read on a query thread
after every change of the filters or the data, while the filter bar is shown; "…" until they arrive.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from enum import Enum
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget
from shiboken6 import isValid

from desktop.store import Change, Entity, Store
from desktop.ui.loading import Outcome, QueryRunner

log = logging.getLogger(__name__)

COUNT_ROLE = Qt.ItemDataRole.UserRole + 1  # the count beside a choice; None while it is read
NO_REFERENCE = "none"  # ReferenceFilter.NONE: the rows that reference nothing
PENDING = "…"


def with_count(text: str, count: object) -> str:
    return f"{text} ({PENDING if not isinstance(count, int) else f'{count:,}'})"


class CountedChoices(QStyledItemDelegate):
    """Draws a filter list's choices with their counts; the choices' own texts stay their names."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.text = with_count(option.text, index.data(COUNT_ROLE))


def _plain(value: object) -> Hashable:
    return value.value if isinstance(value, Enum) else value


class Facet:
    """One filter list: the field it filters, its combo box, and the bar's control it belongs to."""

    def __init__(self, field: str, combo: QComboBox, control: object) -> None:
        self.field = field
        self.combo = combo
        self.control = control
        self.counts: dict[Hashable, int] | None = None  # by stored value; None: being read
        combo.setItemDelegate(CountedChoices(combo))
        combo.model().rowsInserted.connect(self._on_rows_inserted)  # names read again: counts on them too

    def count_of(self, choice: object) -> int | None:
        if self.counts is None:
            return None
        if choice is None:  # "All"
            return sum(self.counts.values())
        return self.counts.get(None if choice == NO_REFERENCE else _plain(choice), 0)

    def show_counts(self, first: int = 0, last: int | None = None) -> None:
        if not isValid(self.combo):
            return
        for row in range(first, self.combo.count() if last is None else last + 1):
            self.combo.setItemData(row, self.count_of(self.combo.itemData(row)), COUNT_ROLE)

    def _on_rows_inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        # One name at a time as the list is filled: only the new rows (a thousand owners, not a million).
        self.show_counts(first, last)

    def shown_text(self, row: int) -> str:
        """What the list shows for that choice: its name and its count."""
        return with_count(self.combo.itemText(row), self.combo.itemData(row, COUNT_ROLE))


class Control(Protocol):
    def values(self) -> dict[str, Any]: ...


class Controls(Protocol):
    """What the counts need of the filter bar (desktop.ui.filters.FilterBar)."""

    entity: Entity
    filters: dict[str, Any]

    def values(self) -> tuple[str, dict[str, Any]]: ...


class FacetCounts(QObject):
    """Keeps the counts of a filter bar's lists current; the bar calls request() when it applies."""

    def __init__(self, bar: QWidget, controls: Controls, store: Store, facets: list[Facet]) -> None:
        super().__init__(bar)
        self._widget = bar
        self._bar = controls
        self._store = store
        self.facets = facets
        self._generation = 0
        self._waiting = 0
        self._stale = True
        self._runner = QueryRunner(summaries=True)
        self._runner.finished.connect(self._on_outcome)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)  # a burst of changes is counted once
        self._timer.timeout.connect(self._read)
        bar.installEventFilter(self)

    @property
    def pending(self) -> bool:
        return bool(self._waiting) or self._timer.isActive()

    def set_store(self, store: Store) -> None:
        self._store = store
        self.request()

    def on_store_change(self, change: Change) -> None:
        entity = self._bar.entity
        targets = {reference.target for reference in entity.references}
        if change.entity in ("*", entity.name) or change.entity in targets:
            self.request()

    def request(self) -> None:
        """Count again now if the lists are shown; else when they are shown next."""
        self._stale = True
        if self.facets and self._widget.isVisible():
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Show and self._stale:
            self._timer.start()
        return False

    def _read(self) -> None:
        self._stale = False
        self._generation += 1
        self._runner.drop_waiting()  # counts for filters no longer applied
        search, _all = self._bar.values()
        repository = self._store.repository(self._bar.entity.name)
        self._waiting = len(self.facets)
        for n, facet in enumerate(self.facets):
            others: dict[str, Any] = {}
            control: Control
            for control in self._bar.filters.values():
                if control is not facet.control:
                    others.update(control.values())
            facet.counts = None
            facet.show_counts()

            def work(field: str = facet.field, filters: dict[str, Any] = others) -> dict[Hashable, int]:
                counted = repository.counts_by(field, search or None, **filters)
                return {_plain(value): count for value, count in counted.items()}

            self._runner.submit((self._generation, n), work)

    def _on_outcome(self, outcome: Outcome) -> None:
        tag: tuple[int, int] = outcome.tag  # type: ignore[assignment]
        generation, n = tag
        if generation != self._generation or not isValid(self._widget):
            return
        self._waiting -= 1
        if outcome.error is not None:
            log.warning("Could not count the %s filter's choices: %s", self.facets[n].field, outcome.error)
            return
        self.facets[n].counts = outcome.value
        self.facets[n].show_counts()
