"""Keeping the data safe from the window: Back up now…, Restore from backup… and Check database.

The actions are in the window's menus before the data layer is imported (desktop/ui/application.py):
what they do imports it when they are used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.ui.messages import SAFETY_MESSAGE, Prompts, show_message
from desktop.ui.progress import run_with_progress
from desktop.ui.read_only import READ_ONLY_TEXT

if TYPE_CHECKING:
    from desktop import backup
    from desktop.errors import TaskforceError
    from desktop.store import Store


class SafetyActions:
    """The actions, for the database a window shows; the window puts them in its menus.

    store() is that database; show(store) makes the window show a store it now owns (a restore
    reopens the file); let_go() stops what else of the window still reads the file before it is replaced.
    """

    def __init__(
        self,
        window: QWidget,
        store: Callable[[], Store],
        show: Callable[[Store], None],
        let_go: Callable[[], None] = lambda: None,
    ) -> None:
        self.window = window
        self._store = store
        self._show = show
        self._let_go = let_go
        self.back_up = self._action(
            "actionBackupNow", "&Back up now…", "Make a backup of the database now", self.back_up_now
        )
        self.restore = self._action(
            "actionRestoreBackup",
            "&Restore from backup…",
            "Go back to the data of an earlier backup",
            self.restore_from_backup,
        )
        self.check = self._action(
            "actionCheckDatabase",
            "&Check database",
            "Look for damage and for references to missing rows",
            self.check_database,
        )

    def _action(self, name: str, text: str, tip: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _tell(self, kind: QMessageBox.Icon, title: str, text: str) -> None:
        show_message(self.window, kind, title, text, name=SAFETY_MESSAGE)

    def back_up_now(self) -> backup.BackupInfo | None:
        from desktop import backup
        from desktop.errors import TaskforceError
        from desktop.ui.restore_dialog import human_size

        store = self._store()
        if store.path is None:
            self._tell(QMessageBox.Icon.Information, "Back up", _server_note(store))
            return None
        path = store.path
        try:
            info = run_with_progress(
                self.window,
                "Back up",
                f"Backing up {path.name}…",
                lambda progress: backup.create_backup(path, backup.MANUAL, progress=progress),
            )
            counts = backup.describe_counts(backup.row_counts(info.path))
        except TaskforceError as error:
            self._tell(QMessageBox.Icon.Warning, "Back up", error.message)
            return None
        self._tell(
            QMessageBox.Icon.Information,
            "Back up",
            f"Backed up and verified: {counts}, {human_size(info.size)}.\n\nSaved as {info.path}",
        )
        return info

    def restore_from_backup(self) -> bool:
        """Choose a backup, confirm, then swap it in and show it. True when the data was restored."""
        from desktop import backup
        from desktop.errors import TaskforceError
        from desktop.store import Store
        from desktop.ui.loading import wait_for_queries
        from desktop.ui.restore_dialog import RestoreDialog, local_time

        store = self._store()
        path = store.path
        if path is None:
            self._tell(QMessageBox.Icon.Information, "Restore", _server_note(store))
            return False
        if store.read_only:
            self._tell(QMessageBox.Icon.Warning, "Restore", READ_ONLY_TEXT)
            return False
        backups = backup.list_backups(path)
        if not backups:
            self._tell(QMessageBox.Icon.Information, "Restore", f"There are no backups of {path.name} yet.")
            return False
        chosen = RestoreDialog.choose(self.window, backups)
        if chosen is None:
            return False
        try:
            run_with_progress(
                self.window, "Restore", "Checking the backup…", lambda _progress: backup.verify(chosen.path)
            )
        except TaskforceError as error:
            self._tell(QMessageBox.Icon.Warning, "Restore", f"That backup cannot be used: {error.message}")
            return False
        question = (
            f"Replace the data in {path.name} with the backup from {local_time(chosen)}?\n\n"
            "Your current data is kept as a backup first."
        )
        if not Prompts.confirm(self.window, "Restore from backup", question, "&Restore"):
            return False
        # No connection may stay open on a file that is about to be replaced.
        self._let_go()
        wait_for_queries()
        store.engine.dispose()

        def restore_and_open(progress: backup.Progress) -> Store | TaskforceError:
            store.replace_with_backup(chosen.path, progress=progress)
            progress(0, 0)
            try:
                return Store.open(store.url)
            except TaskforceError as error:
                return error

        try:
            reopened = run_with_progress(
                self.window, "Restore", f"Restoring the backup from {local_time(chosen)}…", restore_and_open
            )
        except TaskforceError as error:
            self._tell(QMessageBox.Icon.Warning, "Restore", error.message)
            return False
        if isinstance(reopened, TaskforceError):
            self._tell(
                QMessageBox.Icon.Critical, "Restore", f"The restored database cannot be opened: {reopened}"
            )
            return False
        self._show(reopened)
        self._tell(QMessageBox.Icon.Information, "Restore", f"Restored the backup from {local_time(chosen)}.")
        return True

    def check_database(self) -> backup.CheckReport:
        from desktop import backup

        store = self._store()
        path = store.path

        def check(_progress: backup.Progress) -> backup.CheckReport:
            return backup.check_file(path) if path is not None else backup.check_server(store.engine)

        try:
            report = run_with_progress(self.window, "Check database", f"Checking {store.location}…", check)
        except Exception as error:  # a lost server connection, say: reported, never a traceback
            report = backup.CheckReport(False, f"The check could not finish: {error}")
        kind = QMessageBox.Icon.Information if report.ok else QMessageBox.Icon.Warning
        self._tell(kind, "Check database", report.text)
        return report


def _server_note(store: Store) -> str:
    return (
        f"{store.location} is a {store.backend} server database. Back it up and restore it with "
        "the server's own tools (pg_dump / pg_restore, mariadb-dump)."
    )
