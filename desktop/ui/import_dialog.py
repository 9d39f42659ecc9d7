"""File → Import…: choose a file, map its columns, check every row, then import off the GUI thread.

Check shows the first rows as they will be stored and every rejected row (line, field, reason)
before anything is written. Import writes in one transaction; Cancel rolls it back. The import is
one step on the undo stack ("Import 200,000 tasks"), whose undo removes exactly the imported rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import TaskforceError
from desktop.store import ENTITIES, Store
from desktop.transfer.fields import field_label, import_fields, match_columns
from desktop.transfer.importing import Importer, ImportResult
from desktop.transfer.readers import FileFormat, ReadError, format_of, open_rows
from desktop.transfer.writers import plain
from desktop.ui.import_undo import ImportCommand
from desktop.ui.job_dialog import JobDialog
from desktop.ui.transfer_job import Report, action_button, button_row
from desktop.ui.undo import StoreCommands

AUTOMATIC = "Automatic"
SKIP = "— skip —"
ENCODINGS = (
    ("Detect", None),
    ("UTF-8", "utf-8"),
    ("UTF-8 with BOM", "utf-8-sig"),
    ("UTF-16", "utf-16"),
    ("Windows-1252", "cp1252"),
)
DELIMITERS = (("Detect", None), ("Comma ,", ","), ("Semicolon ;", ";"), ("Tab", "\t"), ("Bar |", "|"))


def _table(name: str, headers: list[str], parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _shown(value: Any) -> str:
    value = plain(value)
    return "" if value is None else str(value)


class ImportDialog(JobDialog):
    """Import rows from a file into one entity's table."""

    imported = Signal(object)  # the ImportResult of an import that wrote rows
    expected_errors = (TaskforceError, ReadError, ValueError, UnicodeError, OSError)

    def __init__(
        self,
        store: Store,
        entity_name: str,
        commands: StoreCommands | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """commands: where the import becomes an undoable step (the window's); None for no undo."""
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import")
        self.store = store
        self.commands = commands
        self.headers: list[str] = []
        self.checked: ImportResult | None = None
        self._build(entity_name)
        self.resize(860, 680)

    # --- building --------------------------------------------------------------------------------

    def _build(self, entity_name: str) -> None:
        self.entity_combo = QComboBox(self)
        self.entity_combo.setObjectName("entityCombo")
        for entity in ENTITIES.values():
            self.entity_combo.addItem(entity.plural.capitalize(), entity.name)
        self.entity_combo.setCurrentIndex(self.entity_combo.findData(entity_name))
        self.file_edit = QLineEdit(self)
        self.file_edit.setObjectName("importFile")
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("Choose a CSV, JSON, NDJSON or .xlsx file")
        choose = QPushButton("Choose…", self)
        choose.setObjectName("chooseFileButton")
        choose.clicked.connect(self._choose)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(choose)
        self.format_combo = QComboBox(self)
        self.format_combo.setObjectName("formatCombo")
        self.format_combo.addItem(AUTOMATIC, None)
        for file_format in FileFormat:
            self.format_combo.addItem(file_format.value.upper(), file_format.value)
        self.encoding_combo = QComboBox(self)
        self.encoding_combo.setObjectName("encodingCombo")
        for label, value in ENCODINGS:
            self.encoding_combo.addItem(label, value)
        self.delimiter_combo = QComboBox(self)
        self.delimiter_combo.setObjectName("delimiterCombo")
        for label, value in DELIMITERS:
            self.delimiter_combo.addItem(label, value)
        for combo in (self.entity_combo, self.format_combo, self.encoding_combo, self.delimiter_combo):
            combo.currentIndexChanged.connect(self._reload)
        options = QHBoxLayout()
        for label, widget in (
            ("Format", self.format_combo),
            ("Encoding", self.encoding_combo),
            ("Delimiter", self.delimiter_combo),
        ):
            options.addWidget(QLabel(label, self))
            options.addWidget(widget)
        options.addStretch(1)
        form = QFormLayout()
        form.addRow("Import into", self.entity_combo)
        form.addRow("File", file_row)
        form.addRow("Reading", options)

        self.mapping_table = _table("mappingTable", ["Column in the file", "Field"], self)
        self.preview_table = _table("previewTable", [], self)
        self.rejected_table = _table("rejectedTable", ["Line", "Field", "Reason"], self)
        self.summary = QLabel("Choose a file to see its columns.", self)
        self.summary.setObjectName("previewSummary")
        self.summary.setWordWrap(True)
        self.problem = QLabel("", self)
        self.problem.setObjectName("importProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: palette(highlight);")
        self.valid_only = QCheckBox("Import only the valid rows (skip the rejected ones)", self)
        self.valid_only.setObjectName("validOnlyCheck")

        self.check_button = action_button(self, "&Check rows", "previewButton", self.check)
        self.import_button = action_button(self, "&Import", "importButton", self.start_import)
        self.close_button = action_button(self, "Close", "closeButton", self.reject)
        buttons = button_row(
            self.check_button, self.import_button, self.close_button, leading=self.valid_only
        )

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Columns</b> (choose the field each column fills, or skip it)", self))
        layout.addWidget(self.mapping_table, 2)
        layout.addWidget(QLabel("<b>First rows as they will be stored</b>", self))
        layout.addWidget(self.preview_table, 2)
        layout.addWidget(QLabel("<b>Rejected rows</b>", self))
        layout.addWidget(self.rejected_table, 2)
        layout.addWidget(self.summary)
        layout.addWidget(self.problem)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        self.update_buttons()

    # --- the file and its columns ----------------------------------------------------------------

    @classmethod
    def choose_file(cls, parent: QWidget) -> str:
        """The file the person picks (tests replace this)."""
        path, _ = QFileDialog.getOpenFileName(
            parent,
            "Import from",
            "",
            "Data files (*.csv *.tsv *.txt *.json *.ndjson *.jsonl *.xlsx);;All files (*)",
        )
        return path

    def _choose(self) -> None:
        path = self.choose_file(self)
        if path:
            self.set_file(path)

    def set_file(self, path: str) -> None:
        self.file_edit.setText(path)
        self._reload()

    @property
    def entity_name(self) -> str:
        return str(self.entity_combo.currentData())

    def _reading(self) -> dict[str, Any]:
        return {
            "file_format": self.format_combo.currentData(),
            "encoding": self.encoding_combo.currentData(),
            "delimiter": self.delimiter_combo.currentData(),
        }

    def _reload(self) -> None:
        """Read the file's header again (a new file or new reading options) and match its columns."""
        self.checked = None
        self._clear_results()
        path = self.file_edit.text()
        if not path:
            return
        try:
            reading = self._reading()
            chosen = format_of(Path(path), reading["file_format"])
            with open_rows(
                Path(path), chosen, encoding=reading["encoding"], delimiter=reading["delimiter"]
            ) as rows:
                self.headers = list(rows.header)
        except (ReadError, ValueError, UnicodeError) as error:
            self.headers = []
            self._fill_mapping([])
            self.show_failure(str(error))
            return
        self.show_failure("")
        self._fill_mapping(match_columns(ENTITIES[self.entity_name], self.headers))
        self.summary.setText(f"{len(self.headers)} columns. Check the rows to see what would be imported.")

    def _fill_mapping(self, mapping: list[str | None]) -> None:
        entity = ENTITIES[self.entity_name]
        targets = import_fields(entity)
        self.mapping_table.setRowCount(len(self.headers))
        for row, (header, target) in enumerate(zip(self.headers, mapping, strict=True)):
            item = QTableWidgetItem(header)
            self.mapping_table.setItem(row, 0, item)
            combo = QComboBox(self.mapping_table)
            combo.setObjectName(f"mappingCombo{row}")
            combo.addItem(SKIP, None)
            for name in targets:
                combo.addItem(f"{field_label(entity, name)} ({name})", name)
            combo.setCurrentIndex(max(0, combo.findData(target)) if target in targets else 0)
            combo.currentIndexChanged.connect(self._mapping_changed)
            self.mapping_table.setCellWidget(row, 1, combo)
        self.mapping_table.resizeColumnToContents(0)
        self.update_buttons()

    def mapping(self) -> list[str | None]:
        found: list[str | None] = []
        for row in range(self.mapping_table.rowCount()):
            combo = self.mapping_table.cellWidget(row, 1)
            assert isinstance(combo, QComboBox)
            found.append(combo.currentData())
        return found

    def map_column(self, header: str, target: str | None) -> None:
        """Point a column of the file at a field, or skip it (None)."""
        row = self.headers.index(header)
        combo = self.mapping_table.cellWidget(row, 1)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData(target))

    def _mapping_changed(self) -> None:
        self.checked = None
        self._clear_results()
        self.update_buttons()

    # --- checking and importing ------------------------------------------------------------------

    def _work(self, *, dry_run: bool) -> Any:
        path = Path(self.file_edit.text())
        reading = self._reading()
        chosen = format_of(path, reading["file_format"])
        mapping = self.mapping()
        entity = ENTITIES[self.entity_name]
        valid_only = self.valid_only.isChecked()
        store = self.store

        def work(report: Report, should_stop: Any) -> ImportResult:
            rows = open_rows(path, chosen, encoding=reading["encoding"], delimiter=reading["delimiter"])
            importer = Importer(store, entity, rows, chosen, mapping)
            return importer.run(
                dry_run=dry_run,
                valid_only=valid_only,
                progress=lambda done, fraction: report(done, 0, fraction),
                should_stop=should_stop,
            )

        return work

    def check(self) -> None:
        self.run_job(self._work(dry_run=True), self._show_check)

    def start_import(self) -> None:
        self.run_job(self._work(dry_run=False), self._finish_import)

    def _show_check(self, result: ImportResult) -> None:
        self.checked = result
        self._show_result(result)

    def _finish_import(self, result: ImportResult) -> None:
        self._show_result(result)
        if result.written:
            if self.commands is not None:
                self.commands.stack.push(ImportCommand(self.commands, result.entity, result.ids))
            self.imported.emit(result)

    def _show_result(self, result: ImportResult) -> None:
        ids = {reference.field for reference in result.entity.references}  # shown by name instead
        columns = [name for name in result.preview[0] if name not in ids] if result.preview else []
        self.preview_table.setColumnCount(len(columns))
        self.preview_table.setHorizontalHeaderLabels([field_label(result.entity, name) for name in columns])
        self.preview_table.setRowCount(len(result.preview))
        for row, values in enumerate(result.preview):
            for column, name in enumerate(columns):
                self.preview_table.setItem(row, column, QTableWidgetItem(_shown(values.get(name))))
        self.rejected_table.setRowCount(len(result.rejected))
        for row, rejection in enumerate(result.rejected):
            for column, text in enumerate((str(rejection.line), rejection.field, rejection.message)):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.rejected_table.setItem(row, column, item)
        for column in (0, 1):  # the reason takes the rest of the width
            self.rejected_table.resizeColumnToContents(column)
        text = result.summary()
        self.summary.setText(text[:1].upper() + text[1:] + ".")

    def _clear_results(self) -> None:
        self.preview_table.setRowCount(0)
        self.rejected_table.setRowCount(0)

    def show_failure(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def update_buttons(self) -> None:
        running = self.running
        ready = bool(self.headers) and any(target is not None for target in self.mapping())
        writable = not self.store.read_only
        self.check_button.setEnabled(ready and not running)
        self.import_button.setEnabled(ready and not running and writable)
        self.close_button.setEnabled(not running)
        for widget in (
            self.entity_combo,
            self.format_combo,
            self.encoding_combo,
            self.delimiter_combo,
            self.mapping_table,
        ):
            widget.setEnabled(not running)
