"""Import speed: Taskforce's CSV import against `sqlite-utils insert --csv` and the sqlite3 shell's `.import`.

    python -m benchmarks.import_bench                      # 200,000 tasks
    python -m benchmarks.import_bench --rows 200000 1000000

Every side loads the same CSV file (title, description, status, owner_id, created_at) into its
own copy of the same migrated, indexed database, which already holds the owners. Each runs in its
own process, timed from start to exit, with its peak resident memory read from the kernel
(wait4). Taskforce validates every row through TaskCreate and checks every owner; sqlite-utils
validates nothing; the sqlite3 shell is the floor (it loads a staging table, then copies it
into `task` in the same transaction, since `.import` cannot leave out `id` and `version`).
The Taskforce side also imports a second file that names owners by username instead of id.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
USERS = 1_000
SQLITE3 = "/usr/bin/sqlite3"
TARGET_RATIO = 1.0
TARGET_RSS_MB = 300
STAGING_SCRIPT = """BEGIN;
CREATE TEMP TABLE staging (title, description, status, owner_id, created_at);
.import --csv --skip 1 {csv} staging
INSERT INTO task (title, description, status, owner_id, created_at, version)
SELECT title, nullif(description, ''), status, owner_id, created_at, 1 FROM staging;
COMMIT;
"""


@dataclass
class Side:
    name: str
    rows: int
    seconds: float
    cpu_seconds: float  # user + system: steadier than wall time on a shared machine
    peak_rss_mb: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


def make_template(path: Path) -> Path:
    """A migrated database holding the owners and no tasks, its write-ahead log folded in."""
    from desktop import db
    from desktop.store import Store

    store = Store.open(db.sqlite_url(path))
    engine = store.engine
    with engine.begin() as connection:
        from desktop.models import User

        connection.execute(
            User.__table__.insert(),  # type: ignore[attr-defined]
            [{"username": f"user{n}", "email": f"user{n}@example.com", "version": 1} for n in range(USERS)],
        )
    engine.dispose()  # not close(): no automatic backup beside the template
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def write_csv(path: Path, rows: int, *, by_name: bool) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    statuses = ("todo", "in_progress", "done")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "description", "status", "owner" if by_name else "owner_id", "created_at"])
        for n in range(rows):
            owner = n % USERS
            created = (start + timedelta(seconds=n)).strftime("%Y-%m-%d %H:%M:%S.%f")
            writer.writerow(
                [
                    f"Task {n}: write the {n % 97}th report",
                    f"Details of task {n}, with a comma" if n % 3 else "",
                    statuses[n % 3],
                    f"user{owner}" if by_name else owner + 1,
                    created,
                ]
            )


def timed(name: str, rows: int, argv: list[str], stdin: str | None = None) -> Side:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    if stdin is not None:
        process.stdin.write(stdin)
    process.stdin.close()
    out, err = process.stdout.read(), process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{name} failed ({process.returncode}): {err.strip() or out.strip()}")
    return Side(name, rows, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def count_tasks(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        return int(connection.execute("SELECT count(*) FROM task").fetchone()[0])


def run_size(rows: int, folder: Path, template: Path) -> list[Side]:
    by_id, by_name = folder / f"tasks-{rows}.csv", folder / f"tasks-{rows}-names.csv"
    write_csv(by_id, rows, by_name=False)
    write_csv(by_name, rows, by_name=True)
    sides = []
    commands: list[tuple[str, Path, list[str], str | None]] = []
    for name in ("taskforce", "taskforce-names", "sqlite-utils", "sqlite3"):
        (folder / name).mkdir(exist_ok=True)
        database = folder / name / "bench.db"
        shutil.copyfile(template, database)
        if name.startswith("taskforce"):
            source = by_name if name == "taskforce-names" else by_id
            argv = [sys.executable, "-m", "benchmarks.import_bench", "--side", str(database), str(source)]
            commands.append((name, database, argv, None))
        elif name == "sqlite-utils":
            tool = shutil.which("sqlite-utils") or str(Path(sys.executable).with_name("sqlite-utils"))
            commands.append(
                (name, database, [tool, "insert", str(database), "task", str(by_id), "--csv"], None)
            )
        else:
            staging = STAGING_SCRIPT.format(csv=by_id)
            commands.append((name, database, [SQLITE3, str(database)], staging))
    for name, database, argv, script in commands:
        side = timed(name, rows, argv, script)
        found = count_tasks(database)
        if found != rows:
            raise SystemExit(f"{name} left {found:,} tasks, not {rows:,}")
        sides.append(side)
        database.unlink()
    return sides


def import_side(database: Path, source: Path) -> None:
    """What the Taskforce side runs in its own process: open, import every row, report."""
    from desktop import db
    from desktop.store import ENTITIES, Store
    from desktop.transfer.importing import Importer
    from desktop.transfer.readers import format_of, open_rows

    store = Store.open(db.sqlite_url(database))
    file_format = format_of(source)
    result = Importer(store, ENTITIES["task"], open_rows(source, file_format), file_format).run()
    store.engine.dispose()  # the daily automatic backup on close() is not part of an import's cost
    if result.rejected:
        raise SystemExit(f"rejected: {result.rejected[:3]}")
    sys.stdout.write(result.summary() + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[200_000])
    parser.add_argument("--side", nargs=2, metavar=("DATABASE", "CSV"), help=argparse.SUPPRESS)
    parser.add_argument("--template", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    if args.side:
        import_side(Path(args.side[0]), Path(args.side[1]))
        return 0
    if args.template:
        make_template(args.template)
        return 0
    folder = args.keep or Path(tempfile.mkdtemp(prefix="import-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    sizes: dict[str, list[dict[str, object]]] = {}
    report: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "sqlite": sqlite3.sqlite_version,
        "sizes": sizes,
    }
    try:
        # In its own process: a child's peak memory starts from its parent's at fork, so the parent
        # stays small (it never imports Taskforce).
        template = folder / "template.db"
        subprocess.run(
            [sys.executable, "-m", "benchmarks.import_bench", "--template", str(template)],
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for rows in args.rows:
            sides = run_size(rows, folder, template)
            by_name = {side.name: side for side in sides}
            reference = by_name["sqlite-utils"].seconds
            cpu_reference = by_name["sqlite-utils"].cpu_seconds
            sys.stdout.write(
                f"\n{rows:,} tasks\n{'side':<18}{'seconds':>9}{'rows/s':>11}{'ratio':>8}"
                f"{'cpu s':>8}{'cpu ratio':>10}{'peak MB':>9}\n"
            )
            for side in sides:
                sys.stdout.write(
                    f"{side.name:<18}{side.seconds:>9.2f}{side.rows_per_second:>11,.0f}"
                    f"{side.seconds / reference:>8.2f}{side.cpu_seconds:>8.2f}"
                    f"{side.cpu_seconds / cpu_reference:>10.2f}{side.peak_rss_mb:>9.0f}\n"
                )
            ratio = by_name["taskforce"].seconds / reference
            rss = by_name["taskforce"].peak_rss_mb
            verdict = "met" if ratio <= TARGET_RATIO and rss <= TARGET_RSS_MB else "MISSED"
            goal = f"ratio <= {TARGET_RATIO} against sqlite-utils and peak <= {TARGET_RSS_MB} MB"
            sys.stdout.write(f"target: {goal}: {verdict}\n")
            sizes[str(rows)] = [{**asdict(side), "ratio": side.seconds / reference} for side in sides]
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"import-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    sys.stdout.write(f"\n{out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
