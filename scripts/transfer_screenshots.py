"""Screenshots of the import preview (with rejected rows) and the export dialog, for docs/screenshots/.

    QT_QPA_PLATFORM=xcb xvfb-run -a .venv/bin/python scripts/transfer_screenshots.py

Everything happens in a temporary data folder with the sample data.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

ROOT = Path(__file__).resolve().parent.parent


def settle(app: QApplication, seconds: float = 0.5) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def save(widget: QWidget, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    widget.grab().save(str(path))
    sys.stdout.write(f"{path}\n")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="taskforce-shots-"))
    os.environ["TASKFORCE_DATA_DIR"] = str(work / "data")
    sys.path.insert(0, str(ROOT))
    from desktop import db
    from desktop.demo import load_sample_data
    from desktop.store import Store
    from desktop.ui.main_window import MainWindow
    from desktop.ui.transfer_actions import open_export, open_import

    app = QApplication([])
    store = Store.open(db.sqlite_url(work / "shots.db"))
    load_sample_data(store)
    window = MainWindow(store, QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat))
    window.resize(1180, 640)
    window.show()
    settle(app, 1.0)

    owner = store.users.list()[0].username
    source = work / "new-tasks.csv"
    source.write_text(
        "Title,Description,Status,Owner,Created at,Colour\n"
        f'Plan the launch 🚀,"Venue, catering\nand invitations",todo,{owner},2024-03-01T09:00:00,red\n'
        f"Write the release notes,,in_progress,{owner},2024-03-02T10:30:00,blue\n"
        f",Forgot the title,todo,{owner},,green\n"
        "Call the printer,,todo,nobody,,\n"
        f"Order badges,,someday,{owner},,\n"
        f"مراجعة الميزانية,Budget review,done,{owner},2024-03-03T14:00:00,\n",
        encoding="utf-8",
    )
    importing = open_import(window)
    assert importing is not None  # the tasks tab is shown
    importing.set_file(str(source))
    importing.check()
    while importing.job is not None and importing.job.running:
        settle(app, 0.1)
    settle(app)
    save(importing, args.out, "import-preview")
    importing.close()

    view = window.current_view
    assert view is not None
    view.model.set_filters(search=None, status="done")
    settle(app, 1.0)
    exporting = open_export(window)
    assert exporting is not None
    exporting.file_edit.setText(str(Path.home() / "Documents" / "done-tasks.csv"))
    exporting.bom.setChecked(True)
    settle(app)
    save(exporting, args.out, "export-dialog")
    exporting.close()
    window.close()
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
