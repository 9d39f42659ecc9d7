"""In-place cell editors: combo boxes for statuses and references, bounded spin boxes, length-limited text."""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)
from shiboken6 import isValid

from desktop.ui.columns import Column, Kind
from desktop.ui.table_model import EntityTableModel

AnyIndex = QModelIndex | QPersistentModelIndex
INT_LIMIT = 2**31 - 1
COMMIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class EntityDelegate(QStyledItemDelegate):
    """Editors chosen from the column: what the schema allows is what the editor offers."""

    def _column(self, index: AnyIndex) -> tuple[EntityTableModel, Column] | None:
        model = index.model()
        if not isinstance(model, EntityTableModel):
            return None
        return model, model.columns[index.column()]

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> QWidget:
        found = self._column(index)
        if found is None:
            return super().createEditor(parent, option, index)
        model, column = found
        if model.has_choices(column):
            combo = QComboBox(parent)
            combo.setObjectName("cellChoice")
            model.choices(column, partial(_fill, combo, index.data(Qt.ItemDataRole.EditRole)))
            combo.activated.connect(lambda _row: self._commit_and_close(combo))
            return combo
        if column.kind is Kind.INTEGER:
            spin = QSpinBox(parent)
            low, high = _bounds(column)
            spin.setRange(int(low), int(high))
            return spin
        if column.kind is Kind.DECIMAL:
            decimal = QDoubleSpinBox(parent)
            decimal.setDecimals(2)
            decimal.setRange(*_bounds(column))
            decimal.setGroupSeparatorShown(True)
            return decimal
        if column.kind is Kind.TEXT:
            line = QLineEdit(parent)
            if column.max_length:
                line.setMaxLength(column.max_length)
            return line
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            current = next((i for i in range(editor.count()) if editor.itemData(i) == value), 0)
            editor.setCurrentIndex(current)
        elif isinstance(editor, QLineEdit):
            editor.setText("" if value is None else str(value))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        value: Any
        if isinstance(editor, QComboBox):
            if editor.count() == 0:
                return  # closed before its choices were read: nothing was chosen
            value = editor.currentData()
        elif isinstance(editor, (QSpinBox, QDoubleSpinBox)):
            editor.interpretText()
            value = editor.value()
        elif isinstance(editor, QLineEdit):
            value = editor.text()
        else:
            super().setModelData(editor, model, index)
            return
        if value != index.data(Qt.ItemDataRole.EditRole):
            model.setData(index, value, Qt.ItemDataRole.EditRole)

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:
        # Return commits the cell; without this the window's Edit shortcut would take the key.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if event.key() in COMMIT_KEYS:
                event.accept()
                return True
        return super().eventFilter(editor, event)

    def _commit_and_close(self, editor: QWidget) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)


def _fill(combo: QComboBox, current: Any, choices: list[tuple[Any, str]]) -> None:
    """Offer the choices once they are read, the cell's value chosen; nothing if the editor has closed."""
    if not isValid(combo):
        return
    for value, label in choices:
        combo.addItem(label, value)
    combo.setCurrentIndex(next((i for i, (value, _label) in enumerate(choices) if value == current), 0))


def _bounds(column: Column) -> tuple[float, float]:
    low = -INT_LIMIT if column.minimum is None else column.minimum
    high = INT_LIMIT if column.maximum is None else column.maximum
    return float(low), float(high)
