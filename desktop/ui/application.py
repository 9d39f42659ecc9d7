"""Starting the GUI: the application object, the database, the main window and the event loop."""

from __future__ import annotations

import argparse
import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.db import APP_NAME
from desktop.errors import TaskforceError
from desktop.store import Store
from desktop.ui.icons import app_icon
from desktop.ui.loading import wait_for_queries
from desktop.ui.main_window import MainWindow


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
    return app


def show_open_error(message: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, "Taskforce cannot open its database.")
    box.setObjectName("openErrorBox")
    box.setInformativeText(message)
    box.exec()


def event_loop(app: QApplication) -> int:
    return app.exec()


def run_gui(args: argparse.Namespace) -> int:
    """Open the database from the command line (or the default one) and run the window until it closes."""
    app = application()
    try:
        store = Store.open(args.database_url)
    except TaskforceError as error:  # DatabaseOpenError, or the file is in use elsewhere
        show_open_error(error.message)
        return 1
    try:
        window = MainWindow(store)
        window.show()
        return event_loop(app)
    finally:
        wait_for_queries()
        store.close()
