"""File → Import…, Export… and Copy database to…, driven as a person would with qtbot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from uihelpers import wait_settled

from desktop.store import Store
from desktop.ui.copy_dialog import CopyDatabaseDialog
from desktop.ui.export_dialog import ExportDialog
from desktop.ui.import_dialog import ImportDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.transfer_actions import open_copy, open_export, open_import
from desktop.ui.transfer_job import TransferJob

TIMEOUT = 20_000


def _titles(store: Store) -> list[str]:
    return sorted(task.title for task in store.tasks.list(limit=100))


def _menu_texts(window: MainWindow) -> list[str]:
    file_menu = window.menuBar().actions()[0].menu()
    return [action.objectName() for action in file_menu.actions()]  # type: ignore[union-attr]


def test_the_file_menu_offers_import_export_and_copy(window: MainWindow) -> None:
    names = _menu_texts(window)
    assert {"actionImport", "actionExport", "actionCopyDatabase"} <= set(names)


@pytest.mark.parametrize("name", ["actionImport", "actionExport"])
def test_on_the_overview_import_and_export_ask_for_a_table_first(
    qtbot: QtBot, window: MainWindow, name: str
) -> None:
    window.tabs.setCurrentIndex(0)  # the Overview: no table is shown
    assert window.current_view is None
    action = window.findChild(QAction, name)
    assert action is not None
    action.trigger()
    box = window.findChild(QMessageBox, "chooseTableBox")
    assert box is not None and box.isVisible()
    assert "choose the table's tab first" in box.text()
    assert not window.findChildren(ImportDialog) and not window.findChildren(ExportDialog)
    box.accept()


def _import_dialog(qtbot: QtBot, window: MainWindow, path: Path) -> ImportDialog:
    dialog = open_import(window)
    qtbot.addWidget(dialog)
    dialog.set_file(str(path))
    return dialog


def _wait_idle(qtbot: QtBot, dialog: ImportDialog | ExportDialog | CopyDatabaseDialog) -> None:
    qtbot.waitUntil(lambda: dialog.job is not None and not dialog.job.running, timeout=TIMEOUT)


def test_import_preview_lists_rows_as_stored_and_every_rejected_row(
    qtbot: QtBot, window: MainWindow, sample_store: Store, tmp_path: Path
) -> None:
    owner = sample_store.users.list()[0].username
    path = tmp_path / "tasks.csv"
    path.write_text(
        f"Title,Status,Owner,Colour\nFirst 🚀,done,{owner},red\n,todo,{owner},blue\nThird,todo,nobody,green\n"
        f"Fourth,later,{owner},\nFifth,,{owner},\n",
        encoding="utf-8",
    )
    before = _titles(sample_store)
    dialog = _import_dialog(qtbot, window, path)
    assert dialog.mapping() == ["title", "status", "owner", None]  # Colour is no task field: skipped
    dialog.check_button.click()
    _wait_idle(qtbot, dialog)
    assert dialog.preview_table.rowCount() == 2
    headers = [
        dialog.preview_table.horizontalHeaderItem(i).text() for i in range(dialog.preview_table.columnCount())
    ]
    first = {headers[i]: dialog.preview_table.item(0, i).text() for i in range(len(headers))}
    assert first["Title"] == "First 🚀" and first["Status"] == "done" and first["Owner"] == owner
    rejected = [
        tuple(dialog.rejected_table.item(row, column).text() for column in range(3))
        for row in range(dialog.rejected_table.rowCount())
    ]
    assert rejected == [
        ("3", "title", "is required"),
        ("4", "owner", "no user named 'nobody'"),
        ("5", "status", "Input should be 'todo', 'in_progress' or 'done'"),
    ]
    assert "3 rows rejected" in dialog.summary.text()
    # All or nothing: with rejected rows nothing is written.
    dialog.import_button.click()
    _wait_idle(qtbot, dialog)
    assert _titles(sample_store) == before
    assert window.undo_stack.count() == 0


def test_import_of_the_valid_rows_is_one_undo_step(
    qtbot: QtBot, window: MainWindow, sample_store: Store, tmp_path: Path
) -> None:
    owner = sample_store.users.list()[0].username
    path = tmp_path / "tasks.csv"
    path.write_text(f"title,owner\nOne,{owner}\n,{owner}\nTwo,{owner}\n", encoding="utf-8")
    before = _titles(sample_store)
    dialog = _import_dialog(qtbot, window, path)
    dialog.valid_only.setChecked(True)
    dialog.import_button.click()
    _wait_idle(qtbot, dialog)
    assert _titles(sample_store) == sorted([*before, "One", "Two"])
    assert window.undo_stack.undoText() == "Import 2 tasks"
    window.undo_stack.undo()
    assert _titles(sample_store) == before
    window.undo_stack.redo()
    assert _titles(sample_store) == sorted([*before, "One", "Two"])
    wait_settled(qtbot, window)


def test_a_column_can_be_mapped_by_hand(
    qtbot: QtBot, window: MainWindow, sample_store: Store, tmp_path: Path
) -> None:
    owner = sample_store.users.list()[0].username
    path = tmp_path / "tasks.csv"
    path.write_text(f"Headline,Who\nMapped,{owner}\n", encoding="utf-8")
    dialog = _import_dialog(qtbot, window, path)
    assert dialog.mapping() == [None, None]
    dialog.map_column("Headline", "title")
    dialog.map_column("Who", "owner")
    dialog.import_button.click()
    _wait_idle(qtbot, dialog)
    assert "Mapped" in _titles(sample_store)


def test_a_cancelled_import_writes_nothing(
    qtbot: QtBot, window: MainWindow, sample_store: Store, tmp_path: Path
) -> None:
    owner = sample_store.users.list()[0].username
    path = tmp_path / "tasks.csv"
    path.write_text("title,owner\n" + "".join(f"Task {n},{owner}\n" for n in range(60_000)), encoding="utf-8")
    before = sample_store.tasks.count()
    dialog = _import_dialog(qtbot, window, path)
    dialog.import_button.click()
    assert dialog.progress.isVisible()
    dialog.progress.cancel_button.click()
    _wait_idle(qtbot, dialog)
    assert "cancelled" in dialog.problem.text()
    assert sample_store.tasks.count() == before
    assert window.undo_stack.count() == 0


def test_closing_during_an_import_cancels_it_and_closes_once_rolled_back(
    qtbot: QtBot, window: MainWindow, sample_store: Store, tmp_path: Path
) -> None:
    owner = sample_store.users.list()[0].username
    path = tmp_path / "tasks.csv"
    path.write_text("title,owner\n" + "".join(f"Task {n},{owner}\n" for n in range(60_000)), encoding="utf-8")
    before = sample_store.tasks.count()
    dialog = _import_dialog(qtbot, window, path)
    dialog.show()
    dialog.import_button.click()
    dialog.reject()  # Escape or the window's close button
    assert dialog.isVisible() or not dialog.running
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)
    assert not dialog.running
    assert sample_store.tasks.count() == before


def test_export_dialog_writes_the_current_view(
    qtbot: QtBot, window: MainWindow, sample_store: Store, tmp_path: Path
) -> None:
    view = window.current_view
    view.model.set_filters(search=None, status="done")
    wait_settled(qtbot, window)
    dialog = open_export(window)
    qtbot.addWidget(dialog)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("json"))
    target = tmp_path / "done.json"
    dialog.file_edit.setText(str(target))
    assert not dialog.bom.isEnabled()  # a byte order mark is for CSV only
    dialog.export_button.click()
    _wait_idle(qtbot, dialog)
    rows = json.loads(target.read_text(encoding="utf-8"))
    assert rows and {row["status"] for row in rows} == {"done"}
    assert "Exported" in dialog.message.text()
    dialog.whole_table.setChecked(True)
    everything = tmp_path / "all.json"
    dialog.file_edit.setText(str(everything))
    dialog.export_button.click()
    _wait_idle(qtbot, dialog)
    assert len(json.loads(everything.read_text(encoding="utf-8"))) == sample_store.tasks.count()


def test_a_cancelled_export_leaves_the_folder_as_it_was(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "tasks.csv").write_text("kept")
    start = TransferJob.start

    def cancelled_at_once(job: TransferJob) -> None:
        job.cancel()  # Cancel pressed before the worker wrote its first batch
        start(job)

    monkeypatch.setattr(TransferJob, "start", cancelled_at_once)
    dialog = open_export(window)
    qtbot.addWidget(dialog)
    dialog.file_edit.setText(str(folder / "tasks.csv"))
    dialog.export_button.click()
    _wait_idle(qtbot, dialog)
    assert dialog.outcome is None and "cancelled" in dialog.message.text()
    assert [p.name for p in folder.iterdir()] == ["tasks.csv"]
    assert (folder / "tasks.csv").read_text() == "kept"


def test_copy_database_dialog(qtbot: QtBot, window: MainWindow, sample_store: Store, tmp_path: Path) -> None:
    dialog = open_copy(window)
    qtbot.addWidget(dialog)
    dialog.target.setText(str(tmp_path / "copy.db"))
    dialog.copy_button.click()
    _wait_idle(qtbot, dialog)
    assert "checksums agree" in dialog.message.text()
    with Store.open(dialog.target_url()) as copy:
        assert copy.tasks.count() == sample_store.tasks.count()
    dialog.copy_button.click()  # again: the target is no longer empty
    _wait_idle(qtbot, dialog)
    assert "already holds rows" in dialog.message.text()
