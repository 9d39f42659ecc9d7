"""Crash loop: kill a writing Taskforce with SIGKILL at random moments and check that nothing was lost.

A child process opens the database through the Store and commits numbered edits, printing an
acknowledgement after each commit returns: "create N" (an item named "edit N" with price N) and
"update N" (the counter item's price set to N). The parent kills it with SIGKILL at a random
moment: while it starts (imports, migrations, the automatic backup) or while it writes. After
each kill the file must pass integrity_check, hold every acknowledged create with its own price,
and the counter must be at least the last acknowledged update. Then the next child continues.

    .venv/bin/python scripts/crash_loop.py --cycles 200          # the long run
    .venv/bin/python scripts/crash_loop.py --cycles 20 --seed 7   # what CI runs (tests/safety)

POSIX only (SIGKILL).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
COUNTER = "counter"


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# --- the child ----------------------------------------------------------------------------------------


def child(database: Path, start: int) -> None:
    sys.path.insert(0, str(CHECKOUT))
    from desktop import db
    from desktop.store import Store

    store = Store.open(db.sqlite_url(database))
    counters = store.items.list(search=COUNTER, limit=1)
    counter = counters[0] if counters else store.items.create({"name": COUNTER, "price": 0})
    say("ready")
    number = start
    while True:
        store.items.create({"name": f"edit {number}", "price": number})
        say(f"create {number}")
        store.items.update(counter.id, {"price": number})
        say(f"update {number}")
        number += 1


# --- the parent ---------------------------------------------------------------------------------------


@dataclass
class Figures:
    cycles: int = 0
    killed_while_starting: int = 0
    killed_while_writing: int = 0
    acknowledged: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.cycles} cycles in {self.seconds:.1f} s: killed {self.killed_while_starting} times while "
            f"starting and {self.killed_while_writing} times while writing; {self.acknowledged} acknowledged "
            f"commits, {len(self.failures)} failures"
        )


def _read_lines(stream: object, lines: list[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.append(line.strip())


def check(database: Path, created: set[int], last_update: int | None) -> list[str]:
    """What is wrong with the file after a kill (nothing, one hopes)."""
    if not database.exists():
        return [] if not created else ["the database file is gone"]
    problems = []
    with closing(sqlite3.connect(database)) as connection:
        status = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        if status != ["ok"]:
            return [f"integrity_check: {status[:3]}"]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "item" not in tables:
            return [] if not created else ["the item table is gone"]
        rows = dict(connection.execute("SELECT name, price FROM item").fetchall())
    for number in sorted(created):
        price = rows.get(f"edit {number}")
        if price is None:
            problems.append(f"acknowledged create {number} is missing")
        elif price != number:
            problems.append(f"edit {number} has price {price}")
    if last_update is not None and rows.get(COUNTER, -1) < last_update:
        problems.append(f"counter is {rows.get(COUNTER)}, but update {last_update} was acknowledged")
    return problems


def next_number(database: Path) -> int:
    if not database.exists():
        return 0
    with closing(sqlite3.connect(database)) as connection:
        try:
            names = [row[0] for row in connection.execute("SELECT name FROM item WHERE name LIKE 'edit %'")]
        except sqlite3.OperationalError:
            return 0
    return max((int(name.split()[1]) for name in names), default=-1) + 1


def run(cycles: int, folder: Path, seed: int, *, verbose: bool = False) -> Figures:
    rng = random.Random(seed)
    database = folder / "taskforce.db"
    figures = Figures()
    created: set[int] = set()
    last_update: int | None = None
    began = time.monotonic()
    env = {**os.environ, "TASKFORCE_DATA_DIR": str(folder), "PYTHONPATH": str(CHECKOUT)}
    for cycle in range(cycles):
        start = next_number(database)
        lines: list[str] = []
        process = subprocess.Popen(
            [sys.executable, __file__, "--child", str(database), str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        reader = threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True)
        reader.start()
        if rng.random() < 0.3:
            time.sleep(rng.uniform(0.0, 0.8))  # anywhere in start-up: imports, migrations, backup
        else:
            deadline = time.monotonic() + 30
            while "ready" not in lines and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, 0.25))  # in the middle of writing
        process.send_signal(signal.SIGKILL)
        process.wait()
        reader.join(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
        writing = "ready" in lines
        figures.cycles += 1
        figures.killed_while_writing += writing
        figures.killed_while_starting += not writing
        for line in lines:
            kind, _, number = line.partition(" ")
            if kind == "create":
                created.add(int(number))
                figures.acknowledged += 1
            elif kind == "update":
                last_update = int(number)
                figures.acknowledged += 1
        problems = check(database, created, last_update)
        figures.failures.extend(f"cycle {cycle}: {problem}" for problem in problems)
        if verbose:
            moment = "writing" if writing else "starting"
            say(f"cycle {cycle}: killed while {moment}, {len(lines)} lines, {problems or 'ok'}")
    figures.seconds = time.monotonic() - began
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--folder", type=Path, help="where the database goes (default: a temporary folder)")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("DATABASE", "START"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), int(args.child[1]))
        return 0
    with tempfile.TemporaryDirectory(prefix="taskforce-crash-") as temporary:
        folder = args.folder or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        figures = run(args.cycles, folder, args.seed, verbose=args.verbose)
    say(figures.summary())
    for failure in figures.failures:
        say(failure)
    return 1 if figures.failures else 0


if __name__ == "__main__":
    sys.exit(main())
