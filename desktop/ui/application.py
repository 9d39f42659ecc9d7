"""Starting the GUI: the application object, the window, the database, and the event loop.

The window shows first, as soon as PySide6 is loaded: its menus, its tabs and "Opening…". Only
then is the data layer (SQLModel, SQLAlchemy, pydantic, desktop.store) imported, on a thread of
its own while the window keeps painting, and the database opened; the same window then shows it.
This module, and what it imports at the top, import nothing of the data layer.
"""

from __future__ import annotations

import argparse
import functools
import gc
import importlib
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from shiboken6 import isValid

from desktop.names import APP_NAME
from desktop.ui.icons import app_icon
from desktop.ui.main_window import MainWindow, database_file
from desktop.ui.messages import show_message

if TYPE_CHECKING:
    from desktop.lock import FileLock
    from desktop.store import Store
    from desktop.ui.recovery import Recovery

log = logging.getLogger(__name__)

# What the working window needs, imported while the window already shows: the data layer (with
# SQLModel, SQLAlchemy and pydantic) and the window's modules built on it.
DATA_LAYER = (
    "desktop.store",
    "desktop.table",
    "desktop.backup",
    "desktop.lock",
    "desktop.ui.loading",
    "desktop.ui.views",
    "desktop.ui.guarded_model",
    "desktop.ui.undo",
    "desktop.ui.live_updates",
    "desktop.ui.recovery",
    "desktop.ui.open_database",
)

# When no paint arrives (a window that starts minimised, say), the backup starts this long after show().
BACKUP_AT_THE_LATEST_MS = 3_000
# When no paint arrives, the data layer is imported this long after show() all the same.
LOAD_AT_THE_LATEST_MS = 300


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
    """Leave the objects start-up made so far (modules, classes, Qt's wrappers) out of collections;
    load_data_layer() does the same for the data layer's.

    A full garbage collection walks every object the collector tracks; with these (about 80,000 in
    all) it took 80-120 ms, on the GUI thread or on a query thread holding the GIL: a visible stall
    while scrolling. They live as long as the app does anyway; frozen, a full collection walks only
    what came after.
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


class _Finished(QObject):
    done = Signal()


def run_after_first_paint(window: QWidget, work: Callable[[], None]) -> None:
    """Run work() on a thread of its own once the window has painted; the event loop runs here
    meanwhile, input included, and what work() raises is raised here.

    PySide6 lets go of the GIL while the event loop waits, so the thread runs while the window
    paints and answers. It starts after the first paint, which it would otherwise slow down.
    """
    failures: list[BaseException] = []
    finished = _Finished()
    loop = QEventLoop()
    finished.done.connect(loop.quit, Qt.ConnectionType.QueuedConnection)

    def run() -> None:
        try:
            work()
        except BaseException as error:  # raised again on the GUI thread
            failures.append(error)
        finally:
            finished.done.emit()

    thread = threading.Thread(target=run, name="taskforce-start", daemon=True)
    AfterFirstPaint(window, thread.start, LOAD_AT_THE_LATEST_MS)
    loop.exec()
    thread.join()
    if failures:
        raise failures[0]


def load_data_layer() -> None:
    """Import DATA_LAYER, and leave what it made out of garbage collections as application() does.

    No collection runs meanwhile: a full one in the middle of the imports would walk all their
    objects, holding the GIL that the window's event loop needs.
    """
    gc.disable()
    try:
        for name in DATA_LAYER:
            importlib.import_module(name)
    finally:
        gc.freeze()
        gc.enable()


def recover(path: Path, problem: str) -> Recovery:
    """Offer to recover a file that cannot be opened (desktop/ui/recovery.py)."""
    from desktop.ui.recovery import recover as offer

    return offer(path, problem)


def _lock(path: Path | None) -> FileLock | None:
    """The single-instance lock of a database file (its folder made first, so the lock can be)."""
    from desktop.folders import make_private_dir
    from desktop.lock import single_instance_lock

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
    from desktop import db
    from desktop.errors import DatabaseInUseError
    from desktop.store import Store

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
    from desktop.errors import DatabaseOpenError, TaskforceError
    from desktop.ui.open_database import OpenDatabaseDialog
    from desktop.ui.recovery import Recovery

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
    """Store.open on the query pool, the event loop running meanwhile."""
    from desktop.store import Store
    from desktop.ui.loading import opening_text, run_off_gui_thread

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
    """Show the window, open the database from the command line (or the default one) in it, and run
    the window until it closes. Closed while the data layer loads, it stops once that is over; while
    the database opens, closing is held back (run_off_gui_thread) as during any store call."""
    app = application()
    window = MainWindow()
    window.show()
    try:
        run_after_first_paint(window, load_data_layer)
        opened = open_database(args.database_url) if window.isVisible() else None
    except BaseException:
        window.close()
        raise
    if opened is None:
        closed_early = not window.isVisible()
        window.close()
        window.deleteLater()
        return 0 if closed_early else 1
    return _run_window(app, window, *opened)


def _run_window(app: QApplication, window: MainWindow, store: Store, lock: FileLock | None) -> int:
    from desktop.ui.loading import wait_for_queries

    first_paint: AfterFirstPaint | None = None
    try:
        window.attach(store, lock=lock)
        # Opening did not wait for the daily backup: it is taken while the window is in use.
        first_paint = AfterFirstPaint(window, lambda: start_automatic_backup(store), BACKUP_AT_THE_LATEST_MS)
        return event_loop(app)
    finally:
        if first_paint is not None:
            first_paint.cancel()
        wait_for_queries()
        store.close()  # waits for a background backup still running
        # Only now may another Taskforce open the file: the closing backup is written.
        window.release_lock()
        if lock is not None:
            lock.release()
