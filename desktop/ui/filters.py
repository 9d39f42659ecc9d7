"""The filter bar above each table: a search box and the filters the registry declares, applied in SQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QLineEdit, QToolBar, QWidget
from shiboken6 import isValid

from desktop.store import ENTITIES, Entity, Store
from desktop.store.entities import FilterKind, FilterSpec
from desktop.table.workers import submit
from desktop.ui.choices import Names, ReferenceNames
from desktop.ui.facets import Facet, FacetCounts
from desktop.ui.form_fields import FLOAT_RANGE
from desktop.ui.icons import icon

DEBOUNCE_MS = 200  # the pause after the last change before it is applied
# A search a search index serves is answered in milliseconds: the pause is most of the wait.
INDEXED_DEBOUNCE_MS = 60
ALL = "All"


class Filter:
    """One control of the bar: what it adds to the query, and how it is saved and cleared."""

    widget: QWidget

    def values(self) -> dict[str, Any]:
        raise NotImplementedError

    def save(self) -> Any:
        raise NotImplementedError

    def restore(self, saved: Any) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError


class SearchBox(QLineEdit):
    """Enter applies the search at once; Escape clears it."""

    submitted = Signal()

    def event(self, event: QEvent) -> bool:
        # Keep Return/Enter/Escape here rather than letting window shortcuts take them.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape):
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submitted.emit()
        elif event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
        else:
            super().keyPressEvent(event)


class SearchFilter(Filter):
    def __init__(self, entity: Entity, changed: Callable[[], None]) -> None:
        self.box = SearchBox()
        self.box.setObjectName(f"{entity.plural}Search")
        self.box.setPlaceholderText(f"Search {entity.plural}…")
        self.box.setClearButtonEnabled(True)
        self._icon = self.box.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.box.setMinimumWidth(240)
        self.box.setMaximumWidth(420)
        fields = " or ".join(entity.search_columns)
        self.box.setToolTip(f"Shows {entity.plural} whose {fields} contain the text")
        self.box.textChanged.connect(changed)
        self.widget = self.box

    def apply_icons(self) -> None:
        self._icon.setIcon(icon("search"))

    def text(self) -> str:
        return self.box.text()

    def values(self) -> dict[str, Any]:
        return {}

    def save(self) -> Any:
        return self.box.text()

    def restore(self, saved: Any) -> None:
        self.box.setText(str(saved or ""))

    def clear(self) -> None:
        self.box.clear()


def camel(field: str) -> str:
    """in_stock → InStock: how a field appears in objectNames."""
    return "".join(part.capitalize() for part in field.split("_"))


class ChoiceFilter(Filter):
    """All, or one member of an enum field."""

    def __init__(self, entity: Entity, spec: FilterSpec, changed: Callable[[], None]) -> None:
        self._key = spec.key
        self.field = spec.field
        self._members = entity.fields[spec.field].value_type
        self.combo = QComboBox()
        self.combo.setObjectName(f"{entity.plural}{camel(spec.field)}Filter")
        self.combo.setToolTip(spec.tooltip or f"Show only {entity.plural} with this {spec.label.lower()}")
        self.combo.addItem(ALL, None)
        for member, label in entity.fields[spec.field].choices:
            self.combo.addItem(label, member.value)
        self.combo.currentIndexChanged.connect(changed)
        self.widget = self.combo

    def values(self) -> dict[str, Any]:
        value = self.combo.currentData()
        return {self._key: None if value is None else self._members(value)}

    def save(self) -> Any:
        return self.combo.currentData()

    def restore(self, saved: Any) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(saved)))

    def clear(self) -> None:
        self.combo.setCurrentIndex(0)


class NamesCombo(QComboBox):
    """A combo box whose choices are read when first needed: its popup or keys may come first."""

    def __init__(self, fill: Callable[[], None]) -> None:
        super().__init__()
        self._fill = fill

    def showPopup(self) -> None:
        self._fill()
        super().showPopup()

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._fill()
        super().focusInEvent(event)


class ReferenceFilter(Filter):
    """All, (optionally) none, or one of the referenced rows by name; kept current as they change."""

    NONE = "none"

    def __init__(self, entity: Entity, spec: FilterSpec, store: Store, changed: Callable[[], None]) -> None:
        reference = entity.reference(spec.field)
        self.field = spec.field
        self._none_filter = spec.none_key(entity) if spec.none_label is not None else ""
        self.target = ENTITIES[reference.target]
        self._none_label = spec.none_label
        self.combo = NamesCombo(self.fill)
        self.combo.setObjectName(f"{entity.plural}{reference.label_key.capitalize()}Filter")
        self.combo.setToolTip(spec.tooltip or f"Show only {entity.plural} of this {reference.label_key}")
        self.combo.setMinimumContentsLength(10)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        # The names are read by fill(), once the window shows its first rows, on a query thread.
        self._asked = False  # fill() was called: the names are wanted
        self._wanted: int | None = None  # a row selected before its name had arrived
        self._names = ReferenceNames(store, reference, self.combo)
        self._names.arrived.connect(self._show_names)
        self._add_fixed_choices()
        self.combo.activated.connect(self._forget_wanted)  # a choice of the person's own
        self.combo.currentIndexChanged.connect(changed)
        self.widget = self.combo

    def _forget_wanted(self) -> None:
        self._wanted = None

    @property
    def filled(self) -> bool:
        """The names were asked for and have arrived."""
        return self._asked and not self._names.reading

    @property
    def loading(self) -> bool:
        return self._names.reading

    def set_store(self, store: Store) -> None:
        self._names.set_store(store)
        if self._asked:
            self.reload()

    def fill(self) -> None:
        """Read the names the first time they are needed."""
        if not self._asked:
            self._asked = True
            self.reload()

    def reload(self) -> None:
        """Read the choices again (off the GUI thread), keeping the current one when it still exists."""
        if not self._asked:
            return  # fill() reads them when they are first needed, current by then
        self._names.load()

    def _show_names(self, names: Names | None) -> None:
        if names is None or not isValid(self.combo):
            return  # not read (the reason is logged), or the window has gone
        wanted, self._wanted = self._wanted, None
        current = self.combo.currentData() if wanted is None else wanted
        blocked = self.combo.blockSignals(True)
        try:
            self.combo.clear()
            self._add_fixed_choices()
            for row_id, name in names:
                self.combo.addItem(name, row_id)
            self.combo.setCurrentIndex(max(0, self.combo.findData(current)))
        finally:
            self.combo.blockSignals(blocked)
        if self.combo.currentData() != current or wanted is not None:
            self.combo.currentIndexChanged.emit(self.combo.currentIndex())

    def _add_fixed_choices(self) -> None:
        self.combo.addItem(ALL, None)
        if self._none_label is not None:
            self.combo.addItem(self._none_label, self.NONE)

    def select(self, row_id: int | None) -> None:
        self.fill()
        index = self.combo.findData(row_id)
        # A row whose name is still being read is chosen when it arrives; the filter uses it now.
        self._wanted = row_id if index < 0 and self._names.reading and row_id is not None else None
        self.combo.setCurrentIndex(max(0, index))

    def values(self) -> dict[str, Any]:
        value = self._current()
        if value == self.NONE:
            return {self._none_filter: False}
        return {self.field: value}

    def _current(self) -> Any:
        return self.combo.currentData() if self._wanted is None else self._wanted

    def save(self) -> Any:
        return self._current()

    def restore(self, saved: Any) -> None:
        self.select(saved)

    def clear(self) -> None:
        self._wanted = None
        self.combo.setCurrentIndex(0)


class MinimumFilter(Filter):
    """Rows whose number is at least the one given; the lowest allowed value means any."""

    def __init__(self, entity: Entity, spec: FilterSpec, changed: Callable[[], None]) -> None:
        meta = entity.fields[spec.field]
        self._key = spec.key
        self.spin = QDoubleSpinBox()
        self.spin.setObjectName(f"{entity.plural}Min{camel(spec.field)}")
        self.spin.setDecimals(meta.decimals or 0)
        low = 0.0 if meta.minimum is None else float(meta.minimum)
        self.spin.setRange(low, FLOAT_RANGE[1] if meta.maximum is None else float(meta.maximum))
        self.spin.setGroupSeparatorShown(True)
        self.spin.setPrefix("from ")
        self.spin.setSpecialValueText(f"any {spec.label.lower()}")
        self.spin.setToolTip(
            spec.tooltip or f"Show only {entity.plural} whose {spec.label.lower()} is at least this much"
        )
        self.spin.setMinimumWidth(130)
        self.spin.valueChanged.connect(changed)
        self.widget = self.spin

    def values(self) -> dict[str, Any]:
        at_least = self.spin.value()
        return {self._key: None if at_least == self.spin.minimum() else at_least}

    def save(self) -> Any:
        return self.spin.value()

    def restore(self, saved: Any) -> None:
        try:
            self.spin.setValue(float(saved or 0))
        except (TypeError, ValueError):
            self.spin.setValue(0)

    def clear(self) -> None:
        self.spin.setValue(self.spin.minimum())


class FlagFilter(Filter):
    """Only the rows whose yes/no field says yes, while checked."""

    def __init__(self, entity: Entity, spec: FilterSpec, changed: Callable[[], None]) -> None:
        self._key = spec.key
        self.check = QCheckBox(spec.label)
        self.check.setObjectName(f"{entity.plural}{camel(spec.field)}Filter")
        if spec.tooltip:
            self.check.setToolTip(spec.tooltip)
        self.check.toggled.connect(changed)
        self.widget = self.check

    def values(self) -> dict[str, Any]:
        return {self._key: True if self.check.isChecked() else None}

    def save(self) -> Any:
        return self.check.isChecked()

    def restore(self, saved: Any) -> None:
        self.check.setChecked(saved in (True, "true", "1", 1))

    def clear(self) -> None:
        self.check.setChecked(False)


class FilterBar(QToolBar):
    """The controls that narrow one table; `applied(search, filters)` comes a pause after the last
    change: DEBOUNCE_MS, or INDEXED_DEBOUNCE_MS for search text that a search index serves."""

    applied = Signal(object, object)  # search text, filters

    def __init__(self, entity: Entity, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{entity.plural}FilterBar")
        self.setMovable(False)
        self.entity = entity
        self._store = store
        self._search_prepared = False
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_now)
        changed = self._changed
        self.search = SearchFilter(entity, self._search_changed)
        self.search.box.submitted.connect(self.apply_now)
        self.addWidget(self.search.widget)
        self.references: dict[str, ReferenceFilter] = {}
        self.filters: dict[str, Filter] = {}
        for spec in entity.filter_specs:
            self._add(spec, self._control(spec, store, changed))
        self.facets = FacetCounts(self, self, store, self._facets())
        self.applied.connect(self.facets.request)

    def _facets(self) -> list[Facet]:
        """The lists that show a count beside each choice: the choices (status) and the references."""
        return [
            Facet(control.field, control.combo, control)
            for control in self.filters.values()
            if isinstance(control, ChoiceFilter | ReferenceFilter)
        ]

    def _control(self, spec: FilterSpec, store: Store, changed: Callable[[], None]) -> Filter:
        if spec.kind is FilterKind.CHOICE:
            return ChoiceFilter(self.entity, spec, changed)
        if spec.kind is FilterKind.REFERENCE:
            control = ReferenceFilter(self.entity, spec, store, changed)
            self.references[spec.field] = control
            return control
        if spec.kind is FilterKind.MINIMUM:
            return MinimumFilter(self.entity, spec, changed)
        return FlagFilter(self.entity, spec, changed)

    def _add(self, spec: FilterSpec, control: Filter) -> None:
        if spec.kind is not FilterKind.FLAG:  # a check box carries its label itself
            caption = QLabel(f"{spec.label}:")
            caption.setBuddy(control.widget)
            caption.setContentsMargins(6, 0, 4, 0)
            self.addWidget(caption)
        self.addWidget(control.widget)
        self.filters[spec.key] = control

    def _changed(self) -> None:
        self._debounce.start(DEBOUNCE_MS)

    def _search_changed(self) -> None:
        self._debounce.start(self.pause_for(self.search.text()))

    def pause_for(self, search: str) -> int:
        """How long to wait for more typing before applying this search text (milliseconds).

        The store tells at once, without a statement, whether its index serves the text. Until
        it knows (the index's folding is worked out by the first search), it is worked out on a
        query thread, and the text waits as a scan would.
        """
        repository = self._store.repository(self.entity.name)
        served = repository.search_served(search)
        if served is None and not self._search_prepared:
            self._search_prepared = True
            submit(repository.prepare_search)
        return INDEXED_DEBOUNCE_MS if served else DEBOUNCE_MS

    @property
    def pause(self) -> int:
        """The pause of the change waiting to be applied, or of the last one (milliseconds)."""
        return self._debounce.interval()

    @property
    def pending(self) -> bool:
        """A change is waiting to be applied, or names are still being read."""
        return self._debounce.isActive() or any(control.loading for control in self.references.values())

    def values(self) -> tuple[str, dict[str, Any]]:
        filters: dict[str, Any] = {}
        for control in self.filters.values():
            filters.update(control.values())
        return self.search.text(), filters

    def apply_now(self) -> None:
        self._debounce.stop()
        search, filters = self.values()
        self.applied.emit(search, filters)

    def clear(self) -> None:
        for control in (self.search, *self.filters.values()):
            control.clear()

    def save(self) -> dict[str, Any]:
        saved = {key: control.save() for key, control in self.filters.items()}
        saved["search"] = self.search.save()
        return saved

    def restore(self, saved: dict[str, Any]) -> None:
        for key, control in self.filters.items():
            if key in saved:
                control.restore(saved[key])
        self.search.restore(saved.get("search", ""))

    def reload_choices(self, target: str) -> None:
        for control in self.references.values():
            if target in ("*", control.target.name):
                control.reload()

    def set_store(self, store: Store) -> None:
        self._store = store
        self._search_prepared = False
        for control in self.references.values():
            control.set_store(store)
        self.facets.set_store(store)

    def fill_choices(self) -> None:
        """Read the names the reference filters offer (once; changes reload them after that)."""
        for control in self.references.values():
            control.fill()
