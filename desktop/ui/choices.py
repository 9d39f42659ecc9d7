"""The rows a reference may point at, read on the query pool, for the dialog's fields and the filter bar.

They offer the same (id, name) choices as the cell editors (which ask their table core), equal
names told apart by their id ("Avengers (#3)").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox
from shiboken6 import isValid

from desktop.store import ENTITIES, Reference, Store
from desktop.store.fields import distinct_names
from desktop.ui.loading import Outcome, QueryRunner

log = logging.getLogger(__name__)

LOADING = "Loading…"
Names = list[tuple[int, str]]


def names_work(store: Store, reference: Reference) -> Callable[[], Names]:
    """What the query thread runs: every row of the target by name, equal names with their id."""
    repository = store.repository(reference.target)
    return lambda: distinct_names(repository.names())


class ReferenceNames(QObject):
    """Reads the names a reference may take on the query thread; `arrived` brings the newest read.

    arrived(names) carries the (id, name) list, or None when they could not be read (logged).
    """

    arrived = Signal(object)

    def __init__(self, store: Store, reference: Reference, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.target = ENTITIES[reference.target]
        self._reference = reference
        self._store = store
        self._runner = QueryRunner()
        self._runner.finished.connect(self._on_finished)
        self._reads = 0
        self._reading = 0  # the newest read asked for; 0 once it has arrived

    @property
    def reading(self) -> bool:
        return bool(self._reading)

    def set_store(self, store: Store) -> None:
        """Read from another database from now on; a read still running for the old one is ignored."""
        self._store = store
        self._reading = 0

    def load(self) -> None:
        self._reads += 1
        self._reading = self._reads
        self._runner.submit(self._reads, names_work(self._store, self._reference))

    def _on_finished(self, outcome: Outcome) -> None:
        if outcome.tag != self._reading or not isValid(self):
            return  # a newer read is coming, or the widget has gone
        self._reading = 0
        if outcome.error is not None:
            log.warning("Could not read the %s to choose from: %s", self.target.plural, outcome.error)
            self.arrived.emit(None)
            return
        self.arrived.emit(list(outcome.value))


def index_of(combo: QComboBox, value: Any) -> int:
    """The entry whose data is value (None included, which QComboBox.findData does not find)."""
    return next((i for i in range(combo.count()) if combo.itemData(i) == value), -1)


def fill_reference_combo(combo: QComboBox, names: Names, none_label: str | None, current: Any) -> None:
    """Offer "none" (when allowed) and the names, keeping `current` chosen; no signal while filling."""
    blocked = combo.blockSignals(True)
    try:
        combo.clear()
        if none_label is not None:
            combo.addItem(none_label, None)
        for row_id, name in names:
            combo.addItem(name, row_id)
        combo.setCurrentIndex(index_of(combo, current))
    finally:
        combo.blockSignals(blocked)
