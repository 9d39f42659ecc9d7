"""The one edit dialog: a form generated from an entity's Create or Update schema, checked as one types."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from itertools import pairwise
from typing import Any

from pydantic import BaseModel, ValidationError
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import SQLModel

from desktop.errors import DuplicateError, RelatedRowError, TaskforceError
from desktop.store import Entity, Repository, Store
from desktop.store.fields import FieldMeta
from desktop.ui.form_fields import (
    ErrorLabel,
    FieldEditor,
    ReferenceEditor,
    error_messages,
    make_editor,
)
from desktop.ui.loading import run_off_gui_thread

Submit = Callable[[dict[str, Any]], object]


def with_mnemonic(label: str, taken: set[str]) -> str:
    """The label with an Alt-key marker on its first letter not used by an earlier label."""
    for position, char in enumerate(label):
        if char.isalpha() and char.lower() not in taken:
            taken.add(char.lower())
            return f"{label[:position]}&{label[position:]}"
    return label


class EditDialog(QDialog):
    """New or edit form for any entity. OK stays disabled while the schema refuses the input.

    New rows are checked against the Create schema; edits against the Update schema with only
    the fields the person changed, and only those are sent, so a field someone else changed
    meanwhile is not overwritten.
    """

    MIN_WIDTH = 460

    def __init__(
        self,
        store: Store,
        entity: Entity,
        row: SQLModel | None = None,
        submit: Submit | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("EditDialog")
        self._store = store
        self._entity = entity
        self._row = row
        self._submit: Submit = submit if submit is not None else self._save
        self._schema: type[SQLModel] = entity.update if row is not None else entity.create
        self._specs = {spec.name: spec for spec in entity.form_fields(editing=row is not None)}
        self._labels = {name: spec.label for name, spec in self._specs.items()}
        self._editors: dict[str, FieldEditor] = {}
        self._error_labels: dict[str, ErrorLabel] = {}
        self._initial: dict[str, Any] = {}
        self._touched: set[str] = set()
        self._problems: dict[str, str] = {}
        self._checked: BaseModel | None = None
        # Refusals from the last submit: by field, and for the form as a whole.
        self._submit_errors: dict[str, str] = {}
        self._submit_message = ""
        self._submit_field: str | None = None
        self.saved: object = None  # what submit returned

        noun = entity.label.lower()
        self.setWindowTitle(f"Edit {noun}" if self.editing else f"New {noun}")
        self._build()
        self._validate()

    @property
    def editing(self) -> bool:
        return self._row is not None

    @property
    def loading(self) -> bool:
        """Some choices (the names a reference may take) are still being read."""
        return any(isinstance(e, ReferenceEditor) and e.loading for e in self._editors.values())

    @classmethod
    def run(
        cls,
        parent: QWidget | None,
        store: Store,
        entity: Entity,
        row: SQLModel | None = None,
        submit: Submit | None = None,
    ) -> bool:
        """Show the dialog modally; True when the row was saved."""
        dialog = cls(store, entity, row, submit, parent)
        try:
            dialog.exec()
            return dialog.result() == QDialog.DialogCode.Accepted.value
        finally:
            dialog.deleteLater()

    # --- building ------------------------------------------------------------

    def _build(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        mnemonics: set[str] = set()
        for spec in self._specs.values():
            editor = self._add_field(form, spec, mnemonics)
            self._editors[spec.name] = editor

        self._form_error = ErrorLabel()
        self._form_error.setObjectName("formError")
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok_button = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok_button.setText("Save" if self.editing else "Create")
        ok_button.setDefault(True)
        self._ok = ok_button
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self._form_error)
        layout.addStretch(1)
        layout.addWidget(self._buttons)
        self.setMinimumWidth(self.MIN_WIDTH)

        widgets = [editor.widget for editor in self._editors.values()]
        for before, after in pairwise(widgets):
            QWidget.setTabOrder(before, after)
        if widgets:
            widgets[0].setFocus()

    def _add_field(self, form: QFormLayout, spec: FieldMeta, mnemonics: set[str]) -> FieldEditor:
        editor = make_editor(spec, self._store)
        editor.widget.setObjectName(spec.name)
        editor.widget.setAccessibleName(spec.label)
        editor.set_value(getattr(self._row, spec.name) if self._row is not None else spec.default)
        # The widget's own reading of the start value: a price of 9.999 shows as 10.00 and is
        # "unchanged" until the person edits it.
        self._initial[spec.name] = editor.value()

        error = ErrorLabel()
        error.setObjectName(f"{spec.name}Error")
        self._error_labels[spec.name] = error
        label = QLabel(with_mnemonic(spec.label, mnemonics))
        label.setBuddy(editor.widget)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(editor.widget)
        column.addWidget(error)
        form.addRow(label, column)
        editor.on_change(partial(self._edited, spec.name))
        return editor

    # --- checking ------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """What the form would send: every field for a new row, the changed ones for an edit."""
        current = {name: editor.value() for name, editor in self._editors.items()}
        if self.editing:
            return {name: value for name, value in current.items() if value != self._initial[name]}
        # A required choice left empty is left out, so the schema says "is required".
        return {
            name: value for name, value in current.items() if value is not None or self._specs[name].optional
        }

    def _edited(self, name: str) -> None:
        self._touched.add(name)
        self._submit_errors.pop(name, None)
        if self._submit_field in (None, name):
            self._submit_message = ""
        self._validate()

    def _validate(self) -> None:
        values = self.values()
        self._problems = {}
        self._checked = None
        try:
            self._checked = self._schema.model_validate(values)
        except ValidationError as error:
            self._problems = error_messages(error, self._labels)
        for name, label in self._error_labels.items():
            live = self._problems.get(name, "") if name in self._touched else ""
            label.show_message(live or self._submit_errors.get(name, ""))
        self._form_error.show_message(self._problems.get("", "") or self._submit_message)

        self._fit_height()

        nothing_changed = self.editing and not values
        self._ok.setEnabled(not self._problems and not nothing_changed)
        if self._problems:
            self._ok.setToolTip("\n".join(self._problems.values()))
        else:
            self._ok.setToolTip("Nothing has been changed yet." if nothing_changed else "")

    def _fit_height(self) -> None:
        """Grow (or shrink back) so that wrapped error lines are never cut off.

        Top-level windows do not follow height-for-width by themselves. A height the person
        chose by enlarging the dialog is kept.
        """
        layout = self.layout()
        if layout is None or not self.isVisible():
            return
        layout.activate()
        if layout.hasHeightForWidth():
            needed = layout.totalHeightForWidth(self.width())
        else:
            needed = layout.totalSizeHint().height()
        fitted = self.height() <= self.minimumHeight()
        self.setMinimumHeight(needed)
        if fitted or self.height() < needed:
            self.resize(self.width(), needed)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_height()

    # --- saving --------------------------------------------------------------

    def accept(self) -> None:
        self._validate()
        if not self._ok.isEnabled() or self._checked is None:
            return
        submission = self._checked.model_dump(exclude_unset=self.editing)
        try:
            self.saved = self._submit(submission)
        except ValidationError as error:  # the store's InvalidDataError is one too
            messages = error_messages(error, self._labels)
            by_field = {name: message for name, message in messages.items() if name}
            self._show_refusal(messages.get("", "") or next(iter(messages.values()), str(error)), by_field)
            return
        except TaskforceError as error:
            field = error.field if isinstance(error, DuplicateError | RelatedRowError) else ""
            self._show_refusal(error.message, {field: error.message} if field in self._editors else {})
            return
        super().accept()

    def _save(self, values: dict[str, Any]) -> SQLModel:
        """Without a submit callback: the row is written to the store (on the query pool)."""
        repository = self._store.repository(self._entity.name)
        row = self._row
        if row is not None:
            saved: SQLModel = run_off_gui_thread(
                lambda: repository.update(Repository.row_id(row), values), parent=self
            )
        else:
            saved = run_off_gui_thread(lambda: repository.create(values), parent=self)
        return saved

    def _show_refusal(self, message: str, by_field: dict[str, str]) -> None:
        """Keep every input, say what was refused at the form and at its field, and go to that field."""
        self._submit_message = f"Could not save: {message}"
        self._submit_errors.update(by_field)
        self._submit_field = next(iter(by_field), None)
        self._validate()
        if self._submit_field is not None:
            widget = self._editors[self._submit_field].widget
            widget.setFocus()
            if isinstance(widget, QLineEdit):
                widget.selectAll()
