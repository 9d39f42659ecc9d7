"""File → Export…: the current view (its filters, search and sort) or the whole table, to a file.

The export runs off the GUI thread with progress and Cancel; the file appears only when complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.store import Entity, Store
from desktop.transfer.exporting import ExportRequest, ExportResult, export_rows
from desktop.transfer.readers import FileFormat
from desktop.ui.job_dialog import JobDialog
from desktop.ui.transfer_job import Report, action_button, button_row

FORMAT_LABELS = {
    FileFormat.CSV: "CSV (spreadsheets, any program)",
    FileFormat.XLSX: "Excel workbook (.xlsx)",
    FileFormat.JSON: "JSON (a list of objects)",
    FileFormat.NDJSON: "Newline-delimited JSON",
}


class ExportDialog(JobDialog):
    """Export one entity's rows; `view` holds the current view's search, sort and filters."""

    def __init__(
        self,
        store: Store,
        entity: Entity,
        view: Mapping[str, Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle(f"Export {entity.plural}")
        self.store = store
        self.entity = entity
        self.view = dict(view or {})
        self.outcome: ExportResult | None = None
        self._build()

    def _build(self) -> None:
        self.current_view = QRadioButton("The current view: its filters, search and sort", self)
        self.current_view.setObjectName("scopeCurrentView")
        self.whole_table = QRadioButton(f"All {self.entity.plural}", self)
        self.whole_table.setObjectName("scopeWholeTable")
        scope = QButtonGroup(self)
        scope.addButton(self.current_view)
        scope.addButton(self.whole_table)
        self.current_view.setChecked(True)
        self.format_combo = QComboBox(self)
        self.format_combo.setObjectName("exportFormatCombo")
        for file_format, label in FORMAT_LABELS.items():
            self.format_combo.addItem(label, file_format.value)
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        self.bom = QCheckBox("Begin with a byte order mark (for Excel on Windows)", self)
        self.bom.setObjectName("bomCheck")
        self.file_edit = QLineEdit(self)
        self.file_edit.setObjectName("exportFile")
        self.file_edit.setText(str(Path.home() / f"{self.entity.plural}.csv"))
        self.file_edit.textChanged.connect(self.update_buttons)
        choose = QPushButton("Choose…", self)
        choose.setObjectName("chooseExportFileButton")
        choose.clicked.connect(self._choose)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(choose)
        scope_box = QVBoxLayout()
        scope_box.addWidget(self.current_view)
        scope_box.addWidget(self.whole_table)
        form = QFormLayout()
        form.addRow("Rows", scope_box)
        form.addRow("Format", self.format_combo)
        form.addRow("", self.bom)
        form.addRow("File", file_row)
        self.message = QLabel("", self)
        self.message.setObjectName("exportMessage")
        self.message.setWordWrap(True)
        self.export_button = action_button(self, "&Export", "exportButton", self.start_export)
        self.export_button.setDefault(True)
        self.close_button = action_button(self, "Close", "closeButton", self.reject)
        buttons = button_row(self.export_button, self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        self.setMinimumWidth(560)
        self._format_changed()

    @property
    def file_format(self) -> FileFormat:
        return FileFormat(self.format_combo.currentData())

    def _format_changed(self) -> None:
        self.bom.setEnabled(self.file_format is FileFormat.CSV)
        text = self.file_edit.text()
        if text:
            self.file_edit.setText(str(Path(text).with_suffix(f".{self.file_format.value}")))

    @classmethod
    def choose_file(cls, parent: QWidget, suggested: str) -> str:
        """Where the person wants the file (tests replace this)."""
        path, _ = QFileDialog.getSaveFileName(parent, "Export to", suggested)
        return path

    def _choose(self) -> None:
        path = self.choose_file(self, self.file_edit.text())
        if path:
            self.file_edit.setText(path)

    def request(self) -> ExportRequest:
        view = self.view if self.current_view.isChecked() else {}
        return ExportRequest(
            self.entity,
            self.file_format,
            search=view.get("search"),
            order_by=view.get("order_by"),
            descending=bool(view.get("descending", False)),
            filters={
                name: value for name, value in dict(view.get("filters", {})).items() if value is not None
            },
            bom=self.bom.isChecked() and self.file_format is FileFormat.CSV,
        )

    def start_export(self) -> None:
        target = Path(self.file_edit.text()).expanduser()
        request = self.request()
        store = self.store

        def work(report: Report, should_stop: Any) -> ExportResult:
            return export_rows(
                store,
                request,
                target,
                progress=lambda done, total: report(done, total, 0.0),
                should_stop=should_stop,
            )

        self.run_job(work, self._done)

    def _done(self, result: ExportResult) -> None:
        self.outcome = result
        text = result.summary(self.entity)
        self.message.setText(text[:1].upper() + text[1:] + ".")

    def show_failure(self, message: str) -> None:
        self.message.setText(message)

    def update_buttons(self) -> None:
        running = self.running
        self.export_button.setEnabled(not running and bool(self.file_edit.text().strip()))
        self.close_button.setEnabled(not running)
