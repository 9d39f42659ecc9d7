"""Live updates: from a commit in one process to the row painted in another process's window.

    python -m benchmarks.live_bench [--url URL] [--changes 200] [--interval-ms 100] [--idle-s 20]

A window process shows the Teams tab; this process, another client on the same database, renames one
team `changes` times. The window notes when each name is painted (the viewport repainted with it);
the latency of a change is from its commit to the first paint showing it or a newer one. Then the
window stays idle: CPU time and look-up statements of watching, against the same idle time with the
watcher stopped. Without --url, a new SQLite file. Server URLs get a fresh database of their own.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from desktop.models import TeamCreate
from desktop.store import Store

RESULT_PREFIX = "LIVE-RESULT "


def window_side(url: str, changes: int, idle_s: float) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from benchmarks.measure import StallProbe
    from desktop.store.watch import WatchState
    from desktop.ui.main_window import MainWindow

    app = QApplication([])
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "settings.ini"), QSettings.Format.IniFormat)
    store = Store.open(url)
    window = MainWindow(store, settings)
    window.show()
    view = window.view("team")
    window.tabs.setCurrentWidget(view)
    model, table = view.model, view.table

    def spin(seconds: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    while window.live_updates.state is not WatchState.WATCHING or not model.counted:
        spin(0.05)
    column = model.column_of("name")
    seen: dict[int, float] = {}
    newest = -1

    def look() -> None:
        nonlocal newest
        for row in range(model.rowCount()):
            text = model.index(row, column).data()
            if (
                isinstance(text, str)
                and text.startswith("v")
                and text[1:].isdigit()
                and int(text[1:]) > newest
            ):
                table.viewport().repaint()
                seen[int(text[1:])] = time.time()
                newest = int(text[1:])

    for signal in (model.dataChanged, model.modelReset, model.layoutChanged, model.rowsInserted):
        signal.connect(look)
    probe = StallProbe()
    probe.start()
    print("READY", flush=True)
    deadline = time.monotonic() + 120
    while newest < changes - 1 and time.monotonic() < deadline:
        spin(0.02)
    stall_ms = probe.stop()

    def idle_cost() -> tuple[float, int]:
        cpu, queries = time.process_time(), window.live_updates.queries
        spin(idle_s)
        return time.process_time() - cpu, window.live_updates.queries - queries

    watching_cpu, watching_queries = idle_cost()
    window.live_updates.stop()
    baseline_cpu, _ = idle_cost()
    result = {
        "seen": seen,
        "max_stall_ms": round(stall_ms, 1),
        "idle_s": idle_s,
        "idle_cpu_ms_watching": round(watching_cpu * 1000, 1),
        "idle_cpu_ms_not_watching": round(baseline_cpu * 1000, 1),
        "idle_queries_per_minute": round(watching_queries * 60 / idle_s, 1),
    }
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    window.close()
    store.close()
    app.quit()


def fresh_database(url: str) -> tuple[str, str | None]:
    """A new database beside the one the URL names, and the admin URL to drop it; SQLite: a temp file."""
    import sqlalchemy as sa

    if url.startswith("sqlite"):
        return url, None
    admin = sa.make_url(url)
    name = f"tf_live_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        charset = " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" if admin.get_backend_name() == "mysql" else ""
        connection.exec_driver_sql(f"CREATE DATABASE {name}{charset}")
    engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False), name


def drop_database(admin_url: str, name: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        force = " WITH (FORCE)" if connection.dialect.name == "postgresql" else ""
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}{force}")
    engine.dispose()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(admin_url: str, changes: int, interval_ms: int, idle_s: float) -> dict[str, object]:
    url, created = fresh_database(admin_url)
    try:
        store = Store.open(url)
        team = store.teams.create(TeamCreate(name="start"))
        window = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.live_bench", "--window", url, str(changes), str(idle_s)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert window.stdout is not None
        assert window.stdout.readline().strip() == "READY"
        committed: list[float] = []
        for number in range(changes):
            store.teams.update(team.id, {"name": f"v{number}"})
            committed.append(time.time())
            time.sleep(interval_ms / 1000 * random.uniform(0.5, 1.5))
        output, _ = window.communicate(timeout=idle_s * 2 + 180)
        store.close()
    finally:
        if created is not None:
            drop_database(admin_url, created)
    line = next(line for line in output.splitlines() if line.startswith(RESULT_PREFIX))
    result = json.loads(line.removeprefix(RESULT_PREFIX))
    seen = {int(number): at for number, at in result.pop("seen").items()}
    latencies = []
    for number, at in enumerate(committed):
        later = [seen[n] for n in seen if n >= number]
        if later:
            latencies.append((min(later) - at) * 1000)
    return {
        "backend": store.backend,
        "changes": changes,
        "painted": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        **result,
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--window":
        window_side(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", action="append", help="a database URL (repeatable); default a new SQLite file"
    )
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--interval-ms", type=int, default=100)
    parser.add_argument("--idle-s", type=float, default=20.0)
    args = parser.parse_args()
    urls = args.url or [f"sqlite:///{Path(tempfile.mkdtemp()) / 'live.db'}"]
    for url in urls:
        print(json.dumps(run(url, args.changes, args.interval_ms, args.idle_s)), flush=True)


if __name__ == "__main__":
    main()
