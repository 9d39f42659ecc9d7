"""Form fields built from the field metadata (desktop/store/fields.py): one editor widget per field.

A constraint is declared once, in desktop/models.py; here `max_length` becomes
QLineEdit.setMaxLength, `ge`/`le` a spin-box range, the declared decimals the spin box's,
an optional field one that may be left empty, an enum a combo box and a reference a combo
box of names read on the query thread. The cell editors configure their widgets with the
same functions.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

from desktop.store import ENTITIES, Store
from desktop.store.fields import FieldMeta, Kind
from desktop.store.messages import rule_broken
from desktop.ui.choices import LOADING, Names, ReferenceNames, fill_reference_combo, index_of

INT_RANGE = (-(2**31), 2**31 - 1)
FLOAT_RANGE = (-1e15, 1e15)


def configure_line_edit(edit: QLineEdit, meta: FieldMeta) -> None:
    if meta.max_length is not None:
        edit.setMaxLength(meta.max_length)


def configure_int_spin(spin: QSpinBox, meta: FieldMeta) -> None:
    low = INT_RANGE[0] if meta.minimum is None else math.ceil(meta.minimum)
    high = INT_RANGE[1] if meta.maximum is None else math.floor(meta.maximum)
    spin.setRange(low, high)


def configure_decimal_spin(spin: QDoubleSpinBox, meta: FieldMeta) -> None:
    spin.setDecimals(meta.decimals or 0)
    low = FLOAT_RANGE[0] if meta.minimum is None else float(meta.minimum)
    high = FLOAT_RANGE[1] if meta.maximum is None else float(meta.maximum)
    spin.setRange(low, high)
    spin.setGroupSeparatorShown(True)


# --- messages ----------------------------------------------------------------


def error_messages(error: ValidationError, labels: dict[str, str]) -> dict[str, str]:
    """One readable message per field name ("" for errors about the whole form), first error wins."""
    messages: dict[str, str] = {}
    for item in error.errors(include_url=False):
        loc = item["loc"]
        name = str(loc[0]) if loc and str(loc[0]) in labels else ""
        if name in messages:
            continue
        predicate = rule_broken(item)
        if predicate is None:
            messages[name] = str(item["msg"]).removeprefix("Value error, ")
        elif name:
            messages[name] = f"{labels[name]} {predicate}"
        else:
            messages[name] = predicate[:1].upper() + predicate[1:]
    return messages


# --- editors -----------------------------------------------------------------


class FieldEditor(ABC):
    """One widget that edits one field's value."""

    widget: QWidget

    @abstractmethod
    def value(self) -> Any: ...

    @abstractmethod
    def set_value(self, value: Any) -> None: ...

    @abstractmethod
    def on_change(self, callback: Callable[[], None]) -> None: ...


class LineEditor(FieldEditor):
    def __init__(self, spec: FieldMeta) -> None:
        self.widget = self.edit = QLineEdit()
        self.nullable = spec.optional
        configure_line_edit(self.edit, spec)
        if not spec.optional:
            self.edit.setPlaceholderText("Required")

    def value(self) -> Any:
        text = self.edit.text()
        return None if self.nullable and not text else text

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))

    def on_change(self, callback: Callable[[], None]) -> None:
        self.edit.textChanged.connect(lambda _text: callback())


class TextBox(QPlainTextEdit):
    """A multi-line text field a few lines high that Tab leaves, like every other field."""

    VISIBLE_LINES = 5
    MIN_LINES = 3

    def __init__(self) -> None:
        super().__init__()
        self.setTabChangesFocus(True)

    def _height(self, lines: int) -> int:
        margins = self.contentsMargins()
        chrome = (
            margins.top() + margins.bottom() + 2 * (self.frameWidth() + int(self.document().documentMargin()))
        )
        return self.fontMetrics().lineSpacing() * lines + chrome

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._height(self.VISIBLE_LINES))

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), self._height(self.MIN_LINES))


class TextBoxEditor(FieldEditor):
    def __init__(self, spec: FieldMeta) -> None:
        self.widget = self.box = TextBox()
        self.nullable = spec.optional

    def value(self) -> Any:
        text = self.box.toPlainText()
        return None if self.nullable and not text else text

    def set_value(self, value: Any) -> None:
        self.box.setPlainText("" if value is None else str(value))

    def on_change(self, callback: Callable[[], None]) -> None:
        self.box.textChanged.connect(callback)


class IntEditor(FieldEditor):
    def __init__(self, spec: FieldMeta) -> None:
        self.widget = self.spin = QSpinBox()
        configure_int_spin(self.spin, spec)
        self.spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)

    def value(self) -> Any:
        return self.spin.value()

    def set_value(self, value: Any) -> None:
        self.spin.setValue(self.spin.minimum() if value is None else int(value))

    def on_change(self, callback: Callable[[], None]) -> None:
        self.spin.valueChanged.connect(lambda _value: callback())


class FloatEditor(FieldEditor):
    def __init__(self, spec: FieldMeta) -> None:
        self.widget = self.spin = QDoubleSpinBox()
        configure_decimal_spin(self.spin, spec)
        self.spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)

    def value(self) -> Any:
        return self.spin.value()

    def set_value(self, value: Any) -> None:
        self.spin.setValue(self.spin.minimum() if value is None else float(value))

    def on_change(self, callback: Callable[[], None]) -> None:
        self.spin.valueChanged.connect(lambda _value: callback())


class BoolEditor(FieldEditor):
    def __init__(self, spec: FieldMeta) -> None:
        self.widget = self.check = QCheckBox()
        # As wide as the box itself, so the form does not stretch an invisible click area.
        self.check.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def value(self) -> Any:
        return self.check.isChecked()

    def set_value(self, value: Any) -> None:
        self.check.setChecked(bool(value))

    def on_change(self, callback: Callable[[], None]) -> None:
        self.check.toggled.connect(lambda _checked: callback())


class ChoiceEditor(FieldEditor):
    """A combo box of (label, value) choices; nothing chosen (index -1) means None."""

    def __init__(self, choices: list[tuple[str, Any]], placeholder: str = "") -> None:
        self.widget = self.combo = QComboBox()
        self.combo.setPlaceholderText(placeholder)
        # Values are kept here, not as item data, so that they compare as Python values.
        self.values = [value for _label, value in choices]
        self.combo.addItems([label for label, _value in choices])
        self.combo.setCurrentIndex(-1)

    def value(self) -> Any:
        index = self.combo.currentIndex()
        return self.values[index] if index >= 0 else None

    def set_value(self, value: Any) -> None:
        self.combo.setCurrentIndex(self.values.index(value) if value in self.values else -1)

    def on_change(self, callback: Callable[[], None]) -> None:
        self.combo.currentIndexChanged.connect(lambda _index: callback())


class ReferenceEditor(FieldEditor):
    """The rows of the target by name, read on the query thread; "(no team)" when the field is optional.

    Until the names arrive, or when they could not be read, the value set stays the value: a form
    opened on a row does not count it as changed, and never saves a reference it could not show.
    """

    def __init__(self, spec: FieldMeta, store: Store) -> None:
        assert spec.reference is not None
        self.widget = self.combo = QComboBox()
        self._prompt = f"Choose a {ENTITIES[spec.reference.target].label.lower()}"
        self._none_label = spec.none_label
        self._wanted: Any = None
        self._offered = False  # the names arrived and the combo box offers them
        self.combo.setPlaceholderText(LOADING)
        self.names = ReferenceNames(store, spec.reference, self.combo)
        self.names.arrived.connect(self._offer)
        self.names.load()

    @property
    def loading(self) -> bool:
        return self.names.reading

    def _offer(self, names: Names | None) -> None:
        if names is None:
            self.combo.setPlaceholderText(f"The {self.names.target.plural} could not be read")
            return
        self.combo.setPlaceholderText(self._prompt)
        fill_reference_combo(self.combo, names, self._none_label, self._wanted)
        self._offered = True

    def value(self) -> Any:
        if not self._offered:
            return self._wanted
        return self.combo.currentData() if self.combo.currentIndex() >= 0 else None

    def set_value(self, value: Any) -> None:
        self._wanted = value
        if self._offered:
            self.combo.setCurrentIndex(index_of(self.combo, value))

    def on_change(self, callback: Callable[[], None]) -> None:
        self.combo.currentIndexChanged.connect(lambda _index: callback())


def make_editor(spec: FieldMeta, store: Store) -> FieldEditor:
    """The editor for a field, chosen by its kind."""
    if spec.kind is Kind.REFERENCE:
        return ReferenceEditor(spec, store)
    if spec.kind is Kind.CHOICE:
        return ChoiceEditor([(label, member) for member, label in spec.choices])
    if spec.kind is Kind.FLAG:
        return BoolEditor(spec)
    if spec.kind is Kind.INTEGER and not spec.optional:
        return IntEditor(spec)
    if spec.kind is Kind.DECIMAL and not spec.optional:
        return FloatEditor(spec)
    if spec.kind is Kind.TEXT:
        return LineEditor(spec)
    if spec.kind is Kind.LONG_TEXT:
        return TextBoxEditor(spec)
    raise TypeError(f"no form editor for field {spec.name!r} of type {spec.value_type!r}")


# --- error label ---------------------------------------------------------------


def error_color(palette: QPalette) -> QColor:
    """A red that reads well on the palette's window colour, light or dark."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return QColor("#ff8a80") if dark else QColor("#b3261e")


class ErrorLabel(QLabel):
    """A wrapped message line in the palette's error red; hidden while it has nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.hide()
        self._recolor()

    def show_message(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._recolor()

    def _recolor(self) -> None:
        palette = self.palette()
        color = error_color(palette)
        if palette.color(QPalette.ColorRole.WindowText) != color:
            palette.setColor(QPalette.ColorRole.WindowText, color)
            self.setPalette(palette)
