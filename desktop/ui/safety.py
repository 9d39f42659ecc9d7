"""Keeping the data safe, in the window: backups, restore, checks, conflicts (the file locks: desktop.lock).

install_safety_actions(window) adds File → Back up now…, File → Restore from backup… and
Help → Check database to a main window that has `store` and `set_store(store, owned=...)`.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import SQLModel

from desktop import backup
from desktop.errors import ConflictError, TaskforceError
from desktop.store import ENTITIES, Entity, Store
from desktop.ui.progress import run_with_progress

# Actions that change data; disabled while the database is read-only (besides any with property "edits").
EDITING_ACTIONS = ("actionNew", "actionEdit", "actionDelete", "actionUndo", "actionRedo", "actionLoadSample")
READ_ONLY_TEXT = (
    "This database is read-only: you can look at everything, but changes cannot be saved. "
    "Copy the file to a folder you may write to, or ask for write permission."
)


# --- messages --------------------------------------------------------------------------------


class Prompts:
    """Questions that wait for an answer; tests replace these small methods."""

    @staticmethod
    def confirm(parent: QWidget | None, title: str, text: str, accept: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Cancel, parent)
        box.setObjectName("safetyQuestion")
        yes = box.addButton(accept, QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is yes


def inform(parent: QWidget | None, kind: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
    """A window-modal message that does not block the caller."""
    box = QMessageBox(kind, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("safetyMessage")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()
    return box


def human_size(size: int) -> str:
    return QLocale().formattedDataSize(size)


def local_time(info: backup.BackupInfo) -> str:
    return info.created.astimezone().strftime("%Y-%m-%d %H:%M")


# --- restore dialog ------------------------------------------------------------------------------


class RestoreDialog(QDialog):
    """The backups of a database, newest first, with their date, size and row counts."""

    def __init__(self, backups: list[backup.BackupInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RestoreDialog")
        self.setWindowTitle("Restore from backup")
        self.setMinimumSize(720, 360)
        self.backups = backups
        explanation = QLabel(
            "Choose the backup to go back to. Your current data is kept as a backup first, "
            "so a restore can itself be undone by restoring that one."
        )
        explanation.setWordWrap(True)
        self.table = QTableWidget(len(backups), 4, self)
        self.table.setObjectName("backupTable")
        self.table.setHorizontalHeaderLabels(["Date", "Made", "Size", "Contents"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for row, info in enumerate(backups):
            try:
                contents = backup.describe_counts(backup.row_counts(info.path))
            except TaskforceError:
                contents = "cannot be read"
            cells = [local_time(info), info.reason_label, human_size(info.size), contents]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(info.path))
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = self.buttons.addButton("&Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.table.itemSelectionChanged.connect(self._enable_restore)
        self.table.cellDoubleClicked.connect(lambda _row, _column: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(self.table)
        layout.addWidget(self.buttons)
        if backups:
            self.table.selectRow(0)

    def _enable_restore(self) -> None:
        self.restore_button.setEnabled(self.chosen() is not None)

    def chosen(self) -> backup.BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    @classmethod
    def choose(cls, parent: QWidget | None, backups: list[backup.BackupInfo]) -> backup.BackupInfo | None:
        dialog = cls(backups, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.chosen() if accepted else None


# --- conflicts ------------------------------------------------------------------------------------


class ConflictChoice(Enum):
    RELOAD = "reload"
    OVERWRITE = "overwrite"
    CANCEL = "cancel"


def _field_label(name: str) -> str:
    return name.removesuffix("_id").replace("_", " ").capitalize()


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
    ) -> None:
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
        fields = [name for name in yours if name in entity.update.model_fields]
        self.table = QTableWidget(len(fields), 3, self)
        self.table.setObjectName("conflictTable")
        self.table.setHorizontalHeaderLabels(["Field", "Their value (saved)", "Your value"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for row, name in enumerate(fields):
            their_value, your_value = getattr(theirs, name, None), yours[name]
            cells = [_field_label(name), describe(name, their_value), describe(name, your_value)]
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
    ) -> ConflictChoice:
        dialog = cls(entity, theirs, yours, parent, describe)
        dialog.exec()
        return dialog.choice


def reference_describer(store: Store, entity: Entity) -> Callable[[str, Any], str]:
    """Shows a reference by the name of the row it points at ("alice", not 3)."""
    targets = {reference.field: ENTITIES[reference.target] for reference in entity.references}

    def describe(field: str, value: Any) -> str:
        target = targets.get(field)
        if target is None or value is None:
            return _shown(value)
        try:
            row = store.repository(target.name).get(value)
        except TaskforceError:
            return f"{value} (deleted)"
        return str(getattr(row, target.label_column))

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
            choice = ConflictDialog.ask(
                parent, entity, conflict.current, patch, reference_describer(store, entity)
            )
            if choice is ConflictChoice.OVERWRITE:
                expected = int(conflict.current.version)
                continue
            if choice is ConflictChoice.RELOAD:
                current: SQLModel = conflict.current
                return current
            raise


# --- read-only banner ------------------------------------------------------------------------------


def _store_of(window: QMainWindow) -> Store:
    store = getattr(window, "store", None)
    if not isinstance(store, Store):
        raise TypeError("the window has no store")
    return store


def show_read_only_state(window: QMainWindow) -> None:
    """A banner and disabled editing actions while the window's database is read-only."""
    read_only = _store_of(window).read_only
    bar = window.findChild(QToolBar, "readOnlyBar")
    if bar is None and read_only:
        bar = QToolBar("Read-only", window)
        bar.setObjectName("readOnlyBar")
        bar.setMovable(False)
        bar.setFloatable(False)
        banner = QLabel(READ_ONLY_TEXT, bar)
        banner.setObjectName("ReadOnlyBanner")
        banner.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        banner.setStyleSheet("QLabel { background: #fff3cd; color: #664d03; padding: 6px; }")
        bar.addWidget(banner)
        window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    if bar is not None:
        bar.setVisible(read_only)
        bar.toggleViewAction().setVisible(False)
    for action in window.findChildren(QAction):
        if action.objectName() in EDITING_ACTIONS or action.property("edits") is True:
            if read_only:
                if action.isEnabled():
                    action.setProperty("disabledAsReadOnly", True)
                action.setEnabled(False)
            elif action.property("disabledAsReadOnly") is True:
                action.setProperty("disabledAsReadOnly", False)
                action.setEnabled(True)


# --- the actions -----------------------------------------------------------------------------------


def _menu(window: QMainWindow, object_name: str, title: str) -> QMenu:
    bar = window.menuBar()
    for menu in bar.findChildren(QMenu):
        if menu.objectName() == object_name:
            return menu
    for action in bar.actions():
        found = action.menu()
        if isinstance(found, QMenu) and found.title() == title:
            return found
    added = bar.addMenu(title)
    added.setObjectName(object_name)
    return added


def _insert_before_last_group(menu: QMenu, actions: list[QAction]) -> None:
    """Above the separator that precedes Quit (or at the end when there is none)."""
    separators = [action for action in menu.actions() if action.isSeparator()]
    if separators:
        menu.insertActions(separators[-1], [*actions])
        menu.insertSeparator(actions[0])
    else:
        if menu.actions():
            menu.addSeparator()
        menu.addActions(actions)


def install_safety_actions(window: QMainWindow) -> None:
    """Add Back up now…, Restore from backup… (File) and Check database (Help) to the window (once)."""
    if window.findChild(QAction, "actionBackupNow") is not None:
        show_read_only_state(window)
        return
    back_up = QAction("&Back up now…", window)
    back_up.setObjectName("actionBackupNow")
    back_up.setStatusTip("Make a backup of the database now")
    back_up.triggered.connect(lambda _checked=False: back_up_now(window))
    restore = QAction("&Restore from backup…", window)
    restore.setObjectName("actionRestoreBackup")
    restore.setStatusTip("Go back to the data of an earlier backup")
    restore.triggered.connect(lambda _checked=False: restore_from_backup(window))
    check = QAction("&Check database", window)
    check.setObjectName("actionCheckDatabase")
    check.setStatusTip("Look for damage and for references to missing rows")
    check.triggered.connect(lambda _checked=False: check_database(window))
    _insert_before_last_group(_menu(window, "menuFile", "&File"), [back_up, restore])
    help_menu = _menu(window, "menuHelp", "&Help")
    if help_menu.actions():
        help_menu.insertAction(help_menu.actions()[0], check)
        help_menu.insertSeparator(help_menu.actions()[1])
    else:
        help_menu.addAction(check)
    show_read_only_state(window)


def _server_note(store: Store) -> str:
    return (
        f"{store.location} is a {store.backend} server database. Back it up and restore it with "
        "the server's own tools (pg_dump / pg_restore, mariadb-dump)."
    )


def back_up_now(window: QMainWindow) -> backup.BackupInfo | None:
    store = _store_of(window)
    if store.path is None:
        inform(window, QMessageBox.Icon.Information, "Back up", _server_note(store))
        return None
    path = store.path
    try:
        info = run_with_progress(
            window,
            "Back up",
            f"Backing up {path.name}…",
            lambda progress: backup.create_backup(path, backup.MANUAL, progress=progress),
        )
        counts = backup.describe_counts(backup.row_counts(info.path))
    except TaskforceError as error:
        inform(window, QMessageBox.Icon.Warning, "Back up", error.message)
        return None
    inform(
        window,
        QMessageBox.Icon.Information,
        "Back up",
        f"Backed up and verified: {counts}, {human_size(info.size)}.\n\nSaved as {info.path}",
    )
    return info


def restore_from_backup(window: QMainWindow) -> bool:
    """Choose a backup, confirm, then swap it in and show it. True when the data was restored."""
    store = _store_of(window)
    path = store.path
    if path is None:
        inform(window, QMessageBox.Icon.Information, "Restore", _server_note(store))
        return False
    if store.read_only:
        inform(window, QMessageBox.Icon.Warning, "Restore", READ_ONLY_TEXT)
        return False
    backups = backup.list_backups(path)
    if not backups:
        inform(window, QMessageBox.Icon.Information, "Restore", f"There are no backups of {path.name} yet.")
        return False
    chosen = RestoreDialog.choose(window, backups)
    if chosen is None:
        return False
    try:
        run_with_progress(
            window, "Restore", "Checking the backup…", lambda _progress: backup.verify(chosen.path)
        )
    except TaskforceError as error:
        inform(window, QMessageBox.Icon.Warning, "Restore", f"That backup cannot be used: {error.message}")
        return False
    question = (
        f"Replace the data in {path.name} with the backup from {local_time(chosen)}?\n\n"
        "Your current data is kept as a backup first."
    )
    if not Prompts.confirm(window, "Restore from backup", question, "&Restore"):
        return False
    _quiesce(store)

    def restore_and_open(progress: backup.Progress) -> Store | TaskforceError:
        store.replace_with_backup(chosen.path, progress=progress)
        progress(0, 0)
        try:
            return Store.open(store.url)
        except TaskforceError as error:
            return error

    try:
        reopened = run_with_progress(
            window, "Restore", f"Restoring the backup from {local_time(chosen)}…", restore_and_open
        )
    except TaskforceError as error:
        inform(window, QMessageBox.Icon.Warning, "Restore", error.message)
        return False
    if isinstance(reopened, TaskforceError):
        inform(
            window,
            QMessageBox.Icon.Critical,
            "Restore",
            f"The restored database cannot be opened: {reopened}",
        )
        return False
    window.set_store(reopened, owned=True)  # type: ignore[attr-defined]
    show_read_only_state(window)
    inform(window, QMessageBox.Icon.Information, "Restore", f"Restored the backup from {local_time(chosen)}.")
    return True


def _quiesce(store: Store) -> None:
    """No connection may stay open on a file that is about to be replaced."""
    from desktop.ui.loading import wait_for_queries

    wait_for_queries()
    store.engine.dispose()


def check_database(window: QMainWindow) -> backup.CheckReport:
    store = _store_of(window)
    path = store.path

    def check(_progress: backup.Progress) -> backup.CheckReport:
        return backup.check_file(path) if path is not None else backup.check_server(store.engine)

    try:
        report = run_with_progress(window, "Check database", f"Checking {store.location}…", check)
    except Exception as error:  # a lost server connection, say: reported, never a traceback
        report = backup.CheckReport(False, f"The check could not finish: {error}")
    kind = QMessageBox.Icon.Information if report.ok else QMessageBox.Icon.Warning
    inform(window, kind, "Check database", report.text)
    return report


# --- when the database cannot be opened -------------------------------------------------------------


class Recovery(Enum):
    RESTORED = "restored"
    OPEN_OTHER = "open_other"
    QUIT = "quit"


class RecoveryDialog(QDialog):
    """The file cannot be opened: say why, and offer the newest good backup or another database."""

    def __init__(
        self, database: Path, problem: str, good: backup.BackupInfo | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("RecoveryDialog")
        self.setWindowTitle("Taskforce cannot open its database")
        self.choice = Recovery.QUIT
        where = html.escape(str(database))
        text = QLabel(f"<p>{html.escape(problem)}</p><p>The file was left exactly as it is: {where}</p>")
        text.setObjectName("recoveryText")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(self)
        self.restore_button = buttons.addButton(
            f"&Restore the backup from {local_time(good)}" if good else "&Restore a backup",
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.restore_button.setObjectName("restoreNewestButton")
        self.restore_button.setEnabled(good is not None)
        self.other_button = buttons.addButton(
            "&Open another database…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.other_button.setObjectName("openOtherButton")
        quit_button = buttons.addButton("&Quit", QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setObjectName("quitButton")
        self.restore_button.clicked.connect(lambda: self._choose(Recovery.RESTORED))
        self.other_button.clicked.connect(lambda: self._choose(Recovery.OPEN_OTHER))
        quit_button.clicked.connect(lambda: self._choose(Recovery.QUIT))
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        if good is None:
            layout.addWidget(QLabel("There is no good backup of this file."))
        layout.addWidget(buttons)

    def _choose(self, choice: Recovery) -> None:
        self.choice = choice
        self.done(0)

    @classmethod
    def ask(
        cls, database: Path, problem: str, good: backup.BackupInfo | None, parent: QWidget | None
    ) -> Recovery:
        dialog = cls(database, problem, good, parent)
        dialog.exec()
        return dialog.choice


def recover(database: Path, problem: str, parent: QWidget | None = None) -> Recovery:
    """After a DatabaseOpenError on a file: offer to restore the newest good backup (the damaged
    file is kept aside, unchanged) or to open another database. RESTORED means: open it again."""
    good = backup.newest_good_backup(database)
    choice = RecoveryDialog.ask(database, problem, good, parent)
    if choice is Recovery.RESTORED and good is not None:
        try:
            backup.restore(database, good.path)
        except TaskforceError as error:
            inform(parent, QMessageBox.Icon.Critical, "Restore", error.message)
            return Recovery.QUIT
    return choice
