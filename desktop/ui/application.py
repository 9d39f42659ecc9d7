"""Starting the GUI: the application object, the database, the main window and the event loop."""

from __future__ import annotations

import argparse
import functools
import gc
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from shiboken6 import isValid

from desktop import db
from desktop.db import APP_NAME
from desktop.errors import DatabaseInUseError, DatabaseOpenError, TaskforceError
from desktop.folders import make_private_dir
from desktop.lock import FileLock, single_instance_lock
from desktop.store import Store
from desktop.ui.icons import app_icon
from desktop.ui.loading import opening_text, run_off_gui_thread, wait_for_queries
from desktop.ui.main_window import MainWindow, database_file
from desktop.ui.messages import show_message
from desktop.ui.open_database import OpenDatabaseDialog
from desktop.ui.recovery import Recovery, recover

log = logging.getLogger(__name__)

# When no paint arrives (a window that starts minimised, say), the backup starts this long after show().
BACKUP_AT_THE_LATEST_MS = 3_000


def application() -> QApplication:
    """The QApplication, named so that QSettings and the data folders agree; Fusion follows light/dark."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName("taskforce")
    app.setStyle("Fusion")
    app.setWindowIcon(app_icon())
    _freeze_start_up_objects()
    return app


@functools.cache
def _freeze_start_up_objects() -> None:
    """Leave the objects start-up made (modules, classes, Qt's wrappers: about 80,000) out of collections.

    A full garbage collection walks every object the collector tracks; with these it took 80-120 ms,
    on the GUI thread or on a query thread holding the GIL: a visible stall while scrolling. They
    live as long as the app does anyway; frozen, a full collection walks only what came after.
    """
    gc.freeze()


def show_open_error(message: str) -> None:
    log.warning("Cannot open the database: %s", message)
    show_message(
        None,
        QMessageBox.Icon.Critical,
        APP_NAME,
        "Taskforce cannot open its database.",
        name="openErrorBox",
        details=message,
        wait=True,
    )


def event_loop(app: QApplication) -> int:
    return app.exec()


def _lock(path: Path | None) -> FileLock | None:
    """The single-instance lock of a database file (its folder made first, so the lock can be)."""
    if path is None:
        return None
    try:
        make_private_dir(path.parent)
    except OSError:
        pass  # opening will say what is wrong with the folder
    return single_instance_lock(path)


def open_database(url: str | None) -> tuple[Store, FileLock | None] | None:
    """The database to start with, and the lock of its file; None when there is none to show.

    A file another Taskforce has open is refused at once. A file that cannot be opened is
    offered for recovery: restore its newest good backup, open another database, or quit.
    Every refusal is said in a message; None means the person was told and starting stops.
    """
    url = url or db.default_database_url()
    while True:
        path = database_file(url)
        try:
            lock = _lock(path)
        except DatabaseInUseError as error:
            show_open_error(error.message)
            return None
        outcome: Store | str | None = None
        try:
            outcome = _open_or_recover(url, path)  # the file stays locked while it is recovered
        finally:
            if not isinstance(outcome, Store) and lock is not None:
                lock.release()
        if isinstance(outcome, Store):
            return outcome, lock
        if outcome is None:
            return None
        url = outcome


def _open_or_recover(url: str, path: Path | None) -> Store | str | None:
    """The opened store; or the URL of another database the person chose; or None (they were told)."""
    try:
        return open_store(url)
    except DatabaseOpenError as error:
        if path is None or not path.exists():
            show_open_error(error.message)
            return None
        choice = recover(path, error.message)
    except TaskforceError as error:
        show_open_error(error.message)
        return None
    if choice is Recovery.RESTORED:
        try:
            return open_store(url)
        except TaskforceError as error:
            show_open_error(error.message)
            return None
    if choice is Recovery.OPEN_OTHER:
        return OpenDatabaseDialog.ask(None)
    return None


def open_store(url: str) -> Store:
    """Store.open on the query pool, the event loop running meanwhile (no window yet to block)."""
    return run_off_gui_thread(lambda: Store.open(url), busy=opening_text(url))


class AfterFirstPaint(QObject):
    """Calls back once, when the event loop is next free after the widget's first paint.

    That is, once the window shows; at the latest `fallback_ms` after this was made. A child of the
    widget, gone with it; it holds the callback only until it is called or cancelled.
    """

    def __init__(self, widget: QWidget, callback: Callable[[], None], fallback_ms: int) -> None:
        super().__init__(widget)
        self._callback: Callable[[], None] | None = callback
        widget.installEventFilter(self)
        QTimer.singleShot(fallback_ms, self, self._call)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and watched is self.parent() and self._callback is not None:
            QTimer.singleShot(0, self, self._call)  # after this paint and its flush to the screen
        return False

    def cancel(self) -> None:
        self._callback = None
        parent = self.parent() if isValid(self) else None  # gone with a window already deleted
        if parent is not None:
            parent.removeEventFilter(self)

    def _call(self) -> None:
        callback = self._callback
        self.cancel()
        if callback is not None:
            callback()


def start_automatic_backup(store: Store) -> None:
    """The daily backup of the store's file, on a worker thread when one is due; logs, never raises."""
    try:
        started = store.start_automatic_backup()
    except Exception:  # starting a thread can fail (too many threads); the close-time backup remains
        log.exception("Could not start the automatic backup")
        return
    if started is not None:
        log.info("Checking in the background whether %s needs its daily backup", started.database)


def run_gui(args: argparse.Namespace) -> int:
    """Open the database from the command line (or the default one) and run the window until it closes."""
    app = application()
    opened = open_database(args.database_url)
    if opened is None:
        return 1
    store, lock = opened
    window: MainWindow | None = None
    first_paint: AfterFirstPaint | None = None
    try:
        window = MainWindow(store, lock=lock)
        # Opening did not wait for the daily backup: it is taken while the window is in use.
        first_paint = AfterFirstPaint(window, lambda: start_automatic_backup(store), BACKUP_AT_THE_LATEST_MS)
        window.show()
        return event_loop(app)
    finally:
        if first_paint is not None:
            first_paint.cancel()
        wait_for_queries()
        store.close()  # waits for a background backup still running
        # Only now may another Taskforce open the file: the closing backup is written.
        if window is not None:
            window.release_lock()
        if lock is not None:
            lock.release()
