"""In-place cell editors, built from the same field metadata as the edit dialog (desktop/store/fields.py)."""

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

from desktop.ui.choices import index_of
from desktop.ui.columns import Column, Kind
from desktop.ui.form_fields import configure_decimal_spin, configure_int_spin, configure_line_edit
from desktop.ui.table_model import EntityTableModel

AnyIndex = QModelIndex | QPersistentModelIndex
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
        meta = column.meta
        if column.kind is Kind.INTEGER:
            spin = QSpinBox(parent)
            configure_int_spin(spin, meta)
            return spin
        if column.kind is Kind.DECIMAL:
            decimal = QDoubleSpinBox(parent)
            configure_decimal_spin(decimal, meta)
            return decimal
        if column.kind is Kind.TEXT:
            line = QLineEdit(parent)
            configure_line_edit(line, meta)
            return line
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, index_of(editor, value)))
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
