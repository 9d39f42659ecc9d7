"""In-place cell editors, built from the same field metadata as the edit dialog (desktop/store/fields.py)."""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
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
from desktop.ui.table_model import CHECK_ROLE, PLACEHOLDER, EntityTableModel, cell_alignment

AnyIndex = QModelIndex | QPersistentModelIndex
COMMIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
Feature = QStyleOptionViewItem.ViewItemFeature
NO_FEATURES = Feature.None_
ALTERNATE = Feature.Alternate
HAS_DISPLAY = Feature.HasDisplay
ALTERNATE_DISPLAY = ALTERNATE | HAS_DISPLAY
# The alignment a view gives every cell's option before its delegate fills it in.
VIEW_ALIGNMENT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
LINE_BREAK, LINE_SEPARATOR = "\n", "\u2028"


class EntityDelegate(QStyledItemDelegate):
    """Paints the cells of an EntityTableModel from its formatted rows, and edits them with editors
    chosen from the column: what the schema allows is what the editor offers.

    Qt's own delegate asks the model seven roles of every cell on every paint, each a call from
    C++ into Python; this one fills the cell's style option in one call, with what the model
    serves (text, alignment, check state) and what Qt would do with the rest (nothing: the model
    serves no font, colours, background or icon). Greyed rows come from the view's palette.
    """

    def __init__(self, model: EntityTableModel, parent: QAbstractItemView | None = None) -> None:
        """The delegate of a view of that model (it paints that model's cells only)."""
        super().__init__(parent)
        self._model = model
        self._row_cells = model.row_cells
        # Only alignments other than the view's default are set on the option.
        self._alignments: list[Qt.AlignmentFlag | None] = []
        for column in model.columns:
            alignment = cell_alignment(column)
            self._alignments.append(None if alignment == VIEW_ALIGNMENT else alignment)
        self._checked_columns = frozenset(
            number for number, column in enumerate(model.columns) if column.kind is Kind.FLAG
        )

    def initStyleOption(self, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        row, column = index.row(), index.column()
        cells = self._row_cells(row)
        option.index = index  # type: ignore[assignment]
        option.styleObject = None  # type: ignore[assignment]  # no style animations, as in Qt's delegate
        alignment = self._alignments[column]
        if alignment is not None:
            option.displayAlignment = alignment
        if column in self._checked_columns:
            self._init_check(option, index)
        if cells is not None:
            text = cells[column]
        else:
            text = PLACEHOLDER if column == 0 else None  # a row whose window is being read
        if text is None:
            return
        features = option.features
        if features is NO_FEATURES:
            option.features = HAS_DISPLAY
        elif features is ALTERNATE:
            option.features = ALTERNATE_DISPLAY
        else:
            option.features = features | HAS_DISPLAY
        option.text = text.replace(LINE_BREAK, LINE_SEPARATOR) if LINE_BREAK in text else text

    def _init_check(self, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        state = self._model.data(index, CHECK_ROLE)
        if state is not None:
            option.features = option.features | Feature.HasCheckIndicator
            option.checkState = state

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
