"""In-place cell editors, built from the same field metadata as the edit dialog (desktop/store/fields.py)."""

from __future__ import annotations

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

from desktop.store.fields import FieldMeta
from desktop.ui.choices import Names, ReferenceNames, fill_reference_combo, index_of
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
        meta = column.meta
        if column.kind in (Kind.CHOICE, Kind.REFERENCE):
            combo = QComboBox(parent)
            combo.setObjectName("cellChoice")
            if column.kind is Kind.CHOICE:
                for value, label in meta.choices:
                    combo.addItem(label, value)
            else:
                self._offer_references(combo, model, meta, index)
            combo.activated.connect(lambda _row: self._commit_and_close(combo))
            return combo
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

    @staticmethod
    def _offer_references(
        combo: QComboBox, model: EntityTableModel, meta: FieldMeta, index: AnyIndex
    ) -> None:
        """The current row's name at once; every name once read on the query thread."""
        assert meta.reference is not None
        current = index.data(Qt.ItemDataRole.EditRole)
        shown = index.data(Qt.ItemDataRole.DisplayRole)
        fill_reference_combo(
            combo, [] if current is None else [(current, str(shown))], meta.none_label, current
        )
        names = ReferenceNames(model.store, meta.reference, combo)

        def offer(read: Names | None) -> None:
            if read is not None and isValid(combo):
                fill_reference_combo(combo, read, meta.none_label, combo.currentData())

        names.arrived.connect(offer)
        names.load()

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
