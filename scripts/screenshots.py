"""Screenshots of the Overview and every tab, the empty state, the dialogs, for docs/screenshots/.

Run under a display server, e.g. `make screenshots` (xvfb-run). Everything happens in a
temporary data folder with the sample data; the real user folders are not touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

ROOT = Path(__file__).resolve().parent.parent
WINDOW_SIZE = (1180, 640)


def dark_desktop_palette() -> QPalette:
    """What a dark desktop theme hands to Qt; Xvfb has no theme to ask, so the script plays one."""
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    palette = QPalette()
    colours = {
        role.Window: "#2b2b2e",
        role.WindowText: "#e6e6e6",
        role.Base: "#1f1f22",
        role.AlternateBase: "#28282c",
        role.Text: "#e6e6e6",
        role.Button: "#333337",
        role.ButtonText: "#e6e6e6",
        role.BrightText: "#ffffff",
        role.Highlight: "#2f6fb3",
        role.HighlightedText: "#ffffff",
        role.ToolTipBase: "#333337",
        role.ToolTipText: "#e6e6e6",
        role.PlaceholderText: "#9a9aa0",
        role.Link: "#6ab0ff",
        role.Light: "#505056",
        role.Midlight: "#404045",
        role.Mid: "#303034",
        role.Dark: "#1a1a1c",
        role.Shadow: "#0d0d0e",
    }
    for colour_role, colour in colours.items():
        palette.setColor(colour_role, QColor(colour))
    for colour_role in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(group.Disabled, colour_role, QColor("#77777c"))
    return palette


def settle(app: QApplication, seconds: float = 0.4, until: Callable[[], bool] | None = None) -> None:
    """Let queries arrive and paints happen."""
    deadline = time.monotonic() + 10
    end = time.monotonic() + seconds
    while time.monotonic() < end or (until is not None and not until() and time.monotonic() < deadline):
        app.processEvents()
        time.sleep(0.01)


def save(widget: QWidget, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    widget.grab().save(str(path))
    sys.stdout.write(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--dark", action="store_true", help="ask for the dark colour scheme")
    parser.add_argument(
        "--large",
        type=Path,
        help="also the Overview of this generated database (benchmarks/generate.py), on its last day",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="taskforce-shots-"))
    os.environ["TASKFORCE_DATA_DIR"] = str(work / "data")
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")

    from desktop import backup
    from desktop.demo import load_sample_data
    from desktop.store import ENTITIES, Store
    from desktop.store.entities import tab_order
    from desktop.ui.application import application
    from desktop.ui.conflict_dialog import ConflictDialog, reference_describer
    from desktop.ui.edit_dialog import EditDialog
    from desktop.ui.main_window import MainWindow
    from desktop.ui.restore_dialog import RestoreDialog
    from desktop.ui.views import EntityView

    app = application()
    suffix = ""
    if args.dark:
        QGuiApplication.styleHints().setColorScheme(Qt.ColorScheme.Dark)
        settle(app, 0.2)
        if app.palette().color(QPalette.ColorRole.Window).lightness() >= 128:
            app.setPalette(dark_desktop_palette())
        suffix = "-dark"

    def settings(name: str) -> QSettings:
        return QSettings(str(work / f"{name}.ini"), QSettings.Format.IniFormat)

    def loaded(window: MainWindow) -> Callable[[], bool]:
        return lambda: (
            all(v.model.is_idle() and v.model.counted for v in window.views.values())
            and (not window.overview.loading and len(window.overview.data) == 4)
        )

    store = Store.open(f"sqlite:///{work / 'sample.db'}")
    load_sample_data(store)
    window = MainWindow(store, settings("sample"))
    window.resize(*WINDOW_SIZE)
    window.show()
    settle(app, until=loaded(window))
    settle(app, 0.3)
    save(window, args.out, f"overview{suffix}")  # the first tab, shown on a first start
    for name in tab_order():
        view = window.view(name)
        window.tabs.setCurrentWidget(view)
        view.table.selectRow(1)
        settle(app, 0.3)
        save(window, args.out, f"{view.entity.plural}{suffix}")

    tasks = window.view("task")
    window.tabs.setCurrentWidget(tasks)
    record = tasks.model.record_at(1)
    assert record is not None
    dialog = EditDialog(store, ENTITIES["task"], record.read, parent=window)
    dialog.show()
    settle(app, 0.3)
    title = dialog.findChild(QLineEdit, "title")
    assert title is not None
    title.setFocus()
    title.selectAll()
    title.del_()
    settle(app, 0.3)
    save(dialog, args.out, f"edit-dialog-error{suffix}")
    dialog.close()

    assert store.path is not None
    backup.create_backup(store.path, backup.before_upgrade("0003"))
    backup.create_backup(store.path, backup.MANUAL)
    restore = RestoreDialog(backup.list_backups(store.path), window)
    restore.show()
    settle(app, 0.3)
    save(restore, args.out, f"restore-dialog{suffix}")
    restore.close()

    theirs = store.tasks.update(2, {"title": "Set up PostgreSQL", "owner_id": 2})
    mine = {"title": "Set up the SQLite database", "owner_id": 1}
    conflict = ConflictDialog(
        ENTITIES["task"], theirs, mine, window, reference_describer(store, ENTITIES["task"], theirs, mine)
    )
    conflict.show()
    settle(app, 0.3)
    save(conflict, args.out, f"conflict-dialog{suffix}")
    conflict.close()
    window.close()

    empty_store = Store.open(f"sqlite:///{work / 'empty.db'}")
    empty = MainWindow(empty_store, settings("empty"))
    empty.resize(*WINDOW_SIZE)
    empty.show()
    settle(app, until=loaded(empty))
    empty.tabs.setCurrentWidget(empty.view("task"))
    settle(app, 0.3)
    assert isinstance(empty.tabs.currentWidget(), EntityView)
    save(empty, args.out, f"empty-state{suffix}")
    empty.close()
    store.close()
    empty_store.close()
    if args.large is not None:
        large_overview(app, args.large, args.out, suffix)
    return 0


def large_overview(app: QApplication, database: Path, folder: Path, suffix: str) -> None:
    """The Overview of a generated database, at the window's size; "now" is the data's last day."""
    from benchmarks import generate
    from desktop.store import Store
    from desktop.ui.main_window import DEFAULT_SIZE
    from desktop.ui.overview import OverviewPage

    store = Store.open(f"sqlite:///{database}")
    page = OverviewPage(store, now=lambda: generate.END)
    page.resize(*DEFAULT_SIZE)
    page.show()
    settle(app, 0.5, until=lambda: not page.loading and len(page.data) == 4)
    settle(app, 0.3)
    save(page, folder, f"overview-large{suffix}")
    page.shutdown()
    page.close()
    store.close()


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # PySide6 may crash while tearing down at interpreter exit
