"""Two people, one row: their saved value against yours, and a save that asks when they differ."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import SQLModel

from desktop.errors import ConflictError, TaskforceError
from desktop.store import ENTITIES, Entity, Store
from desktop.ui.loading import run_off_gui_thread


class ConflictChoice(Enum):
    RELOAD = "reload"
    OVERWRITE = "overwrite"
    CANCEL = "cancel"


def _shown(value: Any) -> str:
    if value is None:
        return "(empty)"
    label = getattr(value, "label", None)
    if isinstance(label, str):
        return label
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class ConflictDialog(QDialog):
    """Their value against yours, field by field: reload theirs, overwrite with yours, or go back."""

    def __init__(
        self,
        entity: Entity,
        theirs: SQLModel,
        yours: Mapping[str, Any],
        parent: QWidget | None = None,
        describe: Callable[[str, Any], str] | None = None,
        only: tuple[str, ...] = (),
    ) -> None:
        """only: the fields in conflict, where the edit was merged (the others are shown otherwise)."""
        super().__init__(parent)
        self.setObjectName("ConflictDialog")
        self.setWindowTitle(f"{entity.label} changed elsewhere")
        self.choice = ConflictChoice.CANCEL
        describe = describe or (lambda _field, value: _shown(value))
        label = entity.label.lower()
        intro = QLabel(
            f"Someone else changed this {label} after you opened it. Nothing has been overwritten yet."
        )
        intro.setObjectName("conflictText")
        intro.setWordWrap(True)
        fields = [name for name in (only or yours) if name in entity.update.model_fields]
        self.table = QTableWidget(len(fields), 3, self)
        self.table.setObjectName("conflictTable")
        self.table.setHorizontalHeaderLabels(["Field", "Their value (saved)", "Your value"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for row, name in enumerate(fields):
            their_value, your_value = getattr(theirs, name, None), yours[name]
            cells = [entity.fields[name].label, describe(name, their_value), describe(name, your_value)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column and their_value != your_value:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        # One line per field (a long value is cut short; its tooltip has all of it), and no empty
        # table space below the fields.
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setFixedHeight(
            self.table.horizontalHeader().sizeHint().height()
            + self.table.verticalHeader().length()
            + 2 * self.table.frameWidth()
        )
        self.setMinimumWidth(640)
        buttons = QDialogButtonBox(self)
        self.reload_button = self._button(buttons, "&Reload theirs", "reloadButton", ConflictChoice.RELOAD)
        self.overwrite_button = self._button(
            buttons, "&Overwrite with mine", "overwriteButton", ConflictChoice.OVERWRITE
        )
        self.cancel_button = self._button(buttons, "&Cancel", "cancelButton", ConflictChoice.CANCEL)
        self.reload_button.setToolTip(f"Forget your changes and show the {label} as it is saved now")
        self.overwrite_button.setToolTip("Save your values over theirs (only the fields you changed)")
        self.cancel_button.setToolTip("Go back to your edit without saving")
        self.cancel_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(buttons)

    def _button(self, box: QDialogButtonBox, text: str, name: str, choice: ConflictChoice) -> QPushButton:
        role = (
            QDialogButtonBox.ButtonRole.RejectRole
            if choice is ConflictChoice.CANCEL
            else QDialogButtonBox.ButtonRole.ActionRole
        )
        button = box.addButton(text, role)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(lambda: self._choose(choice))
        return button

    def _choose(self, choice: ConflictChoice) -> None:
        self.choice = choice
        if choice is ConflictChoice.CANCEL:
            self.reject()
        else:
            self.accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        entity: Entity,
        theirs: SQLModel,
        yours: Mapping[str, Any],
        describe: Callable[[str, Any], str] | None = None,
        only: tuple[str, ...] = (),
    ) -> ConflictChoice:
        dialog = cls(entity, theirs, yours, parent, describe, only)
        dialog.exec()
        return dialog.choice


def reference_describer(
    store: Store, entity: Entity, theirs: SQLModel, yours: Mapping[str, Any]
) -> Callable[[str, Any], str]:
    """Shows a reference by the name of the row it points at ("alice", not 3).

    The names of the rows theirs and yours point at are read here (on the query pool, as
    save_resolving_conflicts calls it); the describer only looks them up.
    """
    names: dict[tuple[str, Any], str] = {}
    for reference in entity.references:
        target = ENTITIES[reference.target]
        for value in {getattr(theirs, reference.field, None), yours.get(reference.field)}:
            if value is None:
                continue
            try:
                row = store.repository(target.name).get(value)
            except TaskforceError:
                names[reference.field, value] = f"{value} (deleted)"
            else:
                names[reference.field, value] = str(getattr(row, target.label_column))

    def describe(field: str, value: Any) -> str:
        return names[field, value] if (field, value) in names else _shown(value)

    return describe


def save_resolving_conflicts(
    parent: QWidget | None,
    store: Store,
    entity: Entity,
    patch: Mapping[str, Any],
    loaded_version: int,
    save: Callable[[Mapping[str, Any], int], SQLModel],
) -> SQLModel:
    """Save an edit made to a row loaded at `loaded_version`; on a conflict, ask the person.

    save(patch, expected_version) does the write (e.g. the undoable update). Overwrite saves the
    fields of the patch over their version; Reload returns the row as saved now, writing nothing;
    Cancel raises the ConflictError, so an edit dialog stays open with the person's values.
    A row deleted elsewhere raises NotFoundError ("… no longer exists").
    """
    expected = loaded_version
    while True:
        try:
            return save(patch, expected)
        except ConflictError as conflict:
            read_names = partial(reference_describer, store, entity, conflict.current, patch)
            describe = run_off_gui_thread(read_names, parent=parent, busy="Reading…")
            choice = ConflictDialog.ask(parent, entity, conflict.current, patch, describe, conflict.fields)
            if choice is ConflictChoice.OVERWRITE:
                expected = int(conflict.current.version)
                continue
            if choice is ConflictChoice.RELOAD:
                current: SQLModel = conflict.current
                return current
            raise
