"""Form fields read from a pydantic schema: one editor widget per field, limits taken from FieldInfo.

A constraint is declared once, in desktop/models.py; here `max_length` becomes
QLineEdit.setMaxLength, `ge`/`le` a spin-box range, `X | None` a nullable field,
an enum a combo box and a foreign key a combo box of names from the store.
"""

from __future__ import annotations

import enum
import math
import types
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

import annotated_types
from pydantic import ValidationError
from pydantic.fields import FieldInfo
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

from desktop.store import ENTITIES, Entity, Reference, Store
from desktop.store.messages import rule_broken

LONG_TEXT_LIMIT = 1_000  # text fields allowed more characters than this get a multi-line editor
INT_RANGE = (-(2**31), 2**31 - 1)
FLOAT_RANGE = (-1e15, 1e15)
PRICE_DECIMALS = 2


@dataclass(frozen=True)
class FieldSpec:
    """What a form needs to know about one schema field."""

    name: str
    label: str
    value_type: Any  # the annotation without its "| None"
    nullable: bool
    default: Any  # None when the schema has no default
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    reference: Reference | None = None

    @property
    def is_long_text(self) -> bool:
        return self.value_type is str and (self.max_length or 0) > LONG_TEXT_LIMIT


def _without_none(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (Union, types.UnionType):
        args = get_args(annotation)
        rest = [arg for arg in args if arg is not type(None)]
        if len(rest) == 1 and len(rest) < len(args):
            return rest[0], True
    return annotation, False


def field_label(name: str, info: FieldInfo) -> str:
    """The schema's title, or the name made readable: owner_id → "Owner", in_stock → "In stock"."""
    if info.title:
        return info.title
    return name.removesuffix("_id").replace("_", " ").capitalize()


def field_spec(entity: Entity, name: str, info: FieldInfo) -> FieldSpec:
    value_type, nullable = _without_none(info.annotation)
    limits: dict[str, Any] = {}
    for item in info.metadata:
        if isinstance(item, annotated_types.MinLen):
            limits["min_length"] = item.min_length
        elif isinstance(item, annotated_types.MaxLen):
            limits["max_length"] = item.max_length
        elif isinstance(item, annotated_types.Ge):
            limits["minimum"] = item.ge
        elif isinstance(item, annotated_types.Gt):
            limits["minimum"] = item.gt
        elif isinstance(item, annotated_types.Le):
            limits["maximum"] = item.le
        elif isinstance(item, annotated_types.Lt):
            limits["maximum"] = item.lt
    reference = next((ref for ref in entity.references if ref.field == name), None)
    default = None if info.is_required() else info.get_default(call_default_factory=True)
    return FieldSpec(
        name, field_label(name, info), value_type, nullable, default, reference=reference, **limits
    )


def form_fields(entity: Entity, *, editing: bool) -> list[FieldSpec]:
    """The fields a form shows, in schema order.

    Editing shows the Update schema's fields, but their kind, nullability and limits come
    from the Create schema: on Update every field is optional in the sense "may be left out",
    not "may be cleared".
    """
    schema = entity.update if editing else entity.create
    specs = []
    for name, info in schema.model_fields.items():
        source = entity.create.model_fields.get(name, info)
        specs.append(field_spec(entity, name, source))
    return specs


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
    def __init__(self, spec: FieldSpec) -> None:
        self.widget = self.edit = QLineEdit()
        self.nullable = spec.nullable
        if spec.max_length is not None:
            self.edit.setMaxLength(spec.max_length)
        if not spec.nullable:
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
    def __init__(self, spec: FieldSpec) -> None:
        self.widget = self.box = TextBox()
        self.nullable = spec.nullable

    def value(self) -> Any:
        text = self.box.toPlainText()
        return None if self.nullable and not text else text

    def set_value(self, value: Any) -> None:
        self.box.setPlainText("" if value is None else str(value))

    def on_change(self, callback: Callable[[], None]) -> None:
        self.box.textChanged.connect(callback)


class IntEditor(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
        self.widget = self.spin = QSpinBox()
        low = INT_RANGE[0] if spec.minimum is None else math.ceil(spec.minimum)
        high = INT_RANGE[1] if spec.maximum is None else math.floor(spec.maximum)
        self.spin.setRange(low, high)
        self.spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)

    def value(self) -> Any:
        return self.spin.value()

    def set_value(self, value: Any) -> None:
        self.spin.setValue(self.spin.minimum() if value is None else int(value))

    def on_change(self, callback: Callable[[], None]) -> None:
        self.spin.valueChanged.connect(lambda _value: callback())


class FloatEditor(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
        self.widget = self.spin = QDoubleSpinBox()
        self.spin.setDecimals(PRICE_DECIMALS)
        low = FLOAT_RANGE[0] if spec.minimum is None else float(spec.minimum)
        high = FLOAT_RANGE[1] if spec.maximum is None else float(spec.maximum)
        self.spin.setRange(low, high)
        self.spin.setGroupSeparatorShown(True)
        self.spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)

    def value(self) -> Any:
        return self.spin.value()

    def set_value(self, value: Any) -> None:
        self.spin.setValue(self.spin.minimum() if value is None else float(value))

    def on_change(self, callback: Callable[[], None]) -> None:
        self.spin.valueChanged.connect(lambda _value: callback())


class BoolEditor(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
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


def enum_label(member: enum.Enum) -> str:
    label = getattr(member, "label", None)
    return label if isinstance(label, str) else str(member.value).replace("_", " ").capitalize()


def distinct_names(names: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """(id, name) pairs where equal names get their id, so that every choice can be told apart."""
    counts = Counter(name for _row_id, name in names)
    return [(row_id, name if counts[name] == 1 else f"{name} (#{row_id})") for row_id, name in names]


def reference_choices(store: Store, spec: FieldSpec) -> list[tuple[str, Any]]:
    assert spec.reference is not None
    target = ENTITIES[spec.reference.target]
    choices: list[tuple[str, Any]] = [(f"(no {target.label.lower()})", None)] if spec.nullable else []
    names = distinct_names(store.repository(target.name).names())
    return choices + [(name, row_id) for row_id, name in names]


def make_editor(spec: FieldSpec, store: Store) -> FieldEditor:
    """The editor for a field, chosen by its type."""
    if spec.reference is not None:
        target = ENTITIES[spec.reference.target]
        return ChoiceEditor(reference_choices(store, spec), f"Choose a {target.label.lower()}")
    kind = spec.value_type
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return ChoiceEditor([(enum_label(member), member) for member in kind])
    if kind is bool:
        return BoolEditor(spec)
    if kind is int and not spec.nullable:
        return IntEditor(spec)
    if kind is float and not spec.nullable:
        return FloatEditor(spec)
    if kind is str:
        return TextBoxEditor(spec) if spec.is_long_text else LineEditor(spec)
    raise TypeError(f"no form editor for field {spec.name!r} of type {kind!r}")


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
