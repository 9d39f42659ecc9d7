"""`taskforce --self-test`: prove that this installation works, without touching anyone's data.

Everything happens in a fresh temporary folder (database, settings, logs), which is removed
afterwards. The result is one line on standard output; the exit status is 0 when every check
passed and 1 otherwise, with the failed step and the reason in that line.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from desktop import __version__

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from desktop.store import Store

ENVIRONMENT = ("TASKFORCE_DATA_DIR", "TASKFORCE_DATABASE_URL", "QT_QPA_PLATFORM")
WINDOW_SIZE = (1100, 700)
T = TypeVar("T")

# One row of each entity: the values it is created with, then the change made to it. Parents first.
ROWS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "team": ({"name": "Self-test team"}, {"name": "Self-test team, renamed"}),
    "hero": ({"name": "Self-test hero", "power": "checking", "level": 3}, {"level": 4}),
    "item": ({"name": "Self-test item", "price": 1.5, "description": "ünïcødé ✓"}, {"price": 2.25}),
    "user": ({"username": "selftest", "email": "self.test@example.com"}, {"email": "renamed@example.com"}),
    "task": ({"title": "Self-test task"}, {"status": "done"}),
}


class SelfTestFailure(Exception):
    pass


@dataclass
class SelfTest:
    folder: Path
    step: str = "starting"
    facts: list[str] = field(default_factory=list)

    @contextmanager
    def checking(self, step: str) -> Iterator[None]:
        self.step = step
        yield

    def expect(self, condition: bool, problem: str) -> None:
        if not condition:
            raise SelfTestFailure(problem)

    # --- the checks ----------------------------------------------------------

    def run(self) -> None:
        from desktop.store import Store

        with self.checking("opening and migrating a new database"):
            from desktop.db import sqlite_url

            url = sqlite_url(self.folder / "self-test.db")
            store = on_query_pool(lambda: Store.open(url))
        try:
            with self.checking("reading the schema revision"):
                self.facts.append(f"database migrated to {on_query_pool(lambda: self.revision(store))}")
            with self.checking("creating, reading and updating rows"):
                ids = on_query_pool(lambda: self.create_read_update(store))
            with self.checking("serving the local API"):
                self.facts.append(self.local_api(store))
            with self.checking("loading the icons"):
                app = self.application()
                self.facts.append(f"{self.icons()} icons")
            with self.checking("sorting text by language (ICU)"):
                self.facts.append(self.collation())
            with self.checking("rendering the main window"):
                self.facts.append(self.render_window(app, store))
            with self.checking("deleting rows"):
                on_query_pool(lambda: self.delete(store, ids))
            with self.checking("loading the database drivers"):
                self.facts.append(f"drivers {self.drivers()}")
        finally:
            from desktop.ui.loading import wait_for_queries

            wait_for_queries()
            store.close()

    def revision(self, store: Store) -> str:
        from desktop.db import head_revision

        revision = store.schema_revision()
        self.expect(revision == head_revision(), f"the schema is at {revision}, not {head_revision()}")
        assert revision is not None
        return revision

    def create_read_update(self, store: Store) -> dict[str, int]:
        from desktop.store.entities import references_to

        ids: dict[str, int] = {}
        for entity, (values, change) in ROWS.items():
            repository = store.repository(entity)
            # References point at the rows created before them.
            parents = {ref.field: ids[ref.target] for child, ref in references_to() if child.name == entity}
            values = {**values, **parents}
            created = repository.create(values)
            ids[entity] = repository.row_id(created)
            read = repository.get(ids[entity])
            self.expect(read == created, f"the {entity} read back differs from the one created")
            repository.update(ids[entity], change)
            updated = repository.get(ids[entity])
            for name, value in change.items():
                self.expect(getattr(updated, name) == value, f"the {entity}'s {name} was not updated")
        self.facts.append("created, read, updated and deleted a " + ", ".join(ROWS))
        return ids

    def local_api(self, store: Store) -> str:
        """The HTTP server starts on a free loopback port and lists the team made above."""
        import json
        import secrets
        import urllib.request

        from desktop.api.app import create_app
        from desktop.api.server import ApiServer

        token = secrets.token_urlsafe(16)
        server = ApiServer(create_app(store, token=token), "127.0.0.1", 0, token=token)
        server.start()
        try:
            request = urllib.request.Request(
                f"{server.url}/teams/", headers={"Authorization": f"Bearer {token}"}
            )
            direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
            with direct.open(request, timeout=10) as response:
                names = [team["name"] for team in json.load(response)]
        finally:
            server.stop()
        self.expect(names == [ROWS["team"][1]["name"]], f"the local API listed the teams {names}")
        return "local API answered"

    def delete(self, store: Store, ids: dict[str, int]) -> None:
        from desktop.errors import NotFoundError

        for entity in reversed(ROWS):
            repository = store.repository(entity)
            repository.delete(ids[entity])
            try:
                repository.get(ids[entity])
            except NotFoundError:
                pass
            else:
                raise SelfTestFailure(f"the {entity} is still there after deleting it")
            self.expect(repository.count() == 0, f"{entity} rows are left after deleting")

    def application(self) -> QApplication:
        from PySide6.QtWidgets import QApplication

        existing = QApplication.instance()
        if isinstance(existing, QApplication):
            return existing
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        _applications.append(QApplication(["taskforce", "--self-test"]))
        return _applications[-1]

    def icons(self) -> int:
        from desktop.resources import resource_path
        from desktop.ui.icons import app_icon, icon

        self.expect(not app_icon().pixmap(64, 64).isNull(), "the application icon cannot be drawn")
        names = sorted(path.stem for path in resource_path("icons").glob("*.svg"))
        for name in names:
            self.expect(not icon(name).pixmap(24, 24).isNull(), f"the {name} icon cannot be drawn")
        return len(names)

    def collation(self) -> str:
        """Qt sorts through ICU: Swedish puts ä after z, German before it (the bundle trims ICU's data)."""
        from PySide6.QtCore import QCollator, QLocale

        swedish = QCollator(QLocale("sv_SE")).compare("ä", "z")
        german = QCollator(QLocale("de_DE")).compare("ä", "z")
        self.expect(swedish > 0 > german, "text is not sorted by the rules of each language")
        return "sorting by language"

    def render_window(self, app: QApplication, store: Store) -> str:
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QTabWidget

        from desktop.ui.main_window import MainWindow

        settings = QSettings(str(self.folder / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(store, settings=settings)
        try:
            window.resize(*WINDOW_SIZE)
            window.show()
            self.settle(app)
            tabs = window.findChild(QTabWidget, "entityTabs")
            self.expect(tabs is not None, "the main window has no entity tabs")
            assert tabs is not None
            self.expect(tabs.count() > 0, "the main window shows no tabs")
            names = []
            for index in range(tabs.count()):
                tabs.setCurrentIndex(index)
                self.settle(app)
                page = tabs.widget(index)
                drawn = page is not None and not page.grab().isNull()
                self.expect(drawn, f"the {tabs.tabText(index)} tab cannot be drawn")
                names.append(tabs.tabText(index).replace("&", ""))
            self.expect(not window.grab().isNull(), "the main window cannot be drawn")
        finally:
            window.close()
            window.deleteLater()
            self.settle(app)
        return f"{len(names)} tabs rendered ({', '.join(names)})"

    @staticmethod
    def settle(app: QApplication) -> None:
        """Let queued queries finish and their results reach the widgets."""
        from desktop.ui.loading import wait_for_queries

        for _ in range(3):
            app.processEvents()
            wait_for_queries()
        app.processEvents()

    @staticmethod
    def drivers() -> str:
        """The server drivers load (they are only used on a server, so nothing else proves they are here)."""
        from desktop.store import Store

        Store.load_server_drivers()
        import psycopg

        return f"sqlite, postgresql (psycopg {psycopg.pq.__impl__}), mysql (pymysql)"


def on_query_pool(work: Callable[[], T]) -> T:
    """Run the store's part of a check where the window runs it: on the query pool, off the GUI thread."""
    from desktop.table.workers import submit

    return submit(work).result()


# The QApplication made for a self-test run outside the GUI; it lives until the process ends.
_applications: list[QApplication] = []


def run_self_test(*, verbose: bool = False, stream: TextIO | None = None) -> int:
    """Run every check in a temporary folder; print one line; return the exit status."""
    from desktop.logs import mask_passwords, setup_logging, shutdown_logging

    started = time.perf_counter()
    saved = {name: os.environ.get(name) for name in ENVIRONMENT}
    with tempfile.TemporaryDirectory(prefix="taskforce-self-test-", ignore_cleanup_errors=True) as folder:
        os.environ["TASKFORCE_DATA_DIR"] = folder
        os.environ.pop("TASKFORCE_DATABASE_URL", None)
        test = SelfTest(Path(folder))
        try:
            setup_logging(verbose=verbose)
            with qt_messages_logged():
                test.run()
            status = 0
            line = f"Taskforce {__version__} self-test passed in {time.perf_counter() - started:.2f} s: "
            line += "; ".join([*test.facts, qt_description()])
        except Exception as error:
            import logging

            logging.getLogger(__name__).exception("self-test failed while %s", test.step)
            status = 1
            line = f"Taskforce {__version__} self-test FAILED while {test.step}: {reason(error)}"
        finally:
            shutdown_logging()
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    write_line(mask_passwords(line), stream)
    return status


@contextmanager
def qt_messages_logged() -> Iterator[None]:
    """Qt's warnings (the offscreen platform has a few) go to the log, not around the summary line."""
    from PySide6.QtCore import qInstallMessageHandler

    from desktop.ui.crash import log_qt_message

    previous = qInstallMessageHandler(log_qt_message)
    try:
        yield
    finally:
        qInstallMessageHandler(previous)


def reason(error: BaseException) -> str:
    from desktop.errors import TaskforceError

    if isinstance(error, (TaskforceError, SelfTestFailure)):
        return str(error)
    return f"{type(error).__name__}: {error}"


def qt_description() -> str:
    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QGuiApplication

    return f"Qt {qVersion()} on {QGuiApplication.platformName() or 'no platform'}"


def write_line(line: str, stream: TextIO | None) -> None:
    """Print the summary where the caller can read it, even from a windowed Windows build."""
    target = stream or sys.stdout or _parent_console()
    if target is None:
        return
    target.write(line + "\n")
    target.flush()


def _parent_console() -> TextIO | None:
    """A windowed Windows program has no stdout: write to the console it was started from, if any."""
    if sys.platform != "win32":
        return None
    import ctypes

    attach_parent_process = -1
    if not ctypes.windll.kernel32.AttachConsole(attach_parent_process):
        return None
    return open("CONOUT$", "w", encoding="utf-8")  # lives until the process ends
