"""The Overview and the filter counts at a million tasks, against their raw GROUP BY queries in the same run.

    python -m benchmarks.generate --out /tmp/tasks-1000000.db      # once
    python -m benchmarks.overview_bench --database /tmp/tasks-1000000.db

Measured, each a few times (the median is reported):
- overview: from showing the Overview page to all four charts painted with their numbers;
  reference: the four charts' statements alone, one after the other (execute and fetch).
- counts: from applying a filter change in the Tasks filter bar to both lists' counts shown;
  reference: the two counting statements alone.
- stall: the longest the event loop went without running a 1 ms timer while the charts loaded.
Targets: each at most 1.5 times its reference; no stall over 50 ms; every raw query under 200 ms.
The clock of the "per week" chart is set to the generated data's last day (benchmarks.generate.END).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QComboBox

from benchmarks import generate
from desktop.store import ENTITIES, Store
from desktop.store import overview as aggregates
from desktop.ui.filters import FilterBar
from desktop.ui.main_window import DEFAULT_SIZE
from desktop.ui.overview import OverviewPage

RUNS = 5
TARGET_RATIO = 1.5
STALL_LIMIT_MS = 50.0
RAW_LIMIT_MS = 200.0


def timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def raw_chart_queries(store: Store) -> dict[str, float]:
    """Milliseconds of each chart's statement, executed and fetched, nothing else."""
    start = aggregates.first_week(generate.END)
    statements = {
        "owners": aggregates.owners_statement(),
        "weeks": aggregates.weeks_statement(start, store.backend),
        "teams": aggregates.teams_statement(),
        "stock": aggregates.stock_statement(),
    }
    found = {}
    with store.engine.connect() as connection:

        def fetch(statement: Any) -> None:
            connection.execute(statement).all()

        for name, stmt in statements.items():
            found[name] = timed(partial(fetch, stmt))
    return found


def raw_count_queries(store: Store, owner_id: int, status: str) -> dict[str, float]:
    return {
        "status given owner": timed(lambda: store.tasks.counts_by("status", owner_id=owner_id)),
        "owner given status": timed(lambda: store.tasks.counts_by("owner_id", status=status)),
    }


class Painted(QObject):
    """When each chart view last painted a chart that has its numbers."""

    def __init__(self, page: OverviewPage) -> None:
        super().__init__(page)
        self.page = page
        self.times: dict[str, float] = {}
        for view in page.views.values():
            view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            for key, view in self.page.views.items():
                if view.viewport() is watched and view.chart().series() and key not in self.times:
                    self.times[key] = time.perf_counter()
        return False


class StallMeter(QObject):
    """The longest gap between two runs of a 1 ms timer: how long the event loop was blocked."""

    def __init__(self) -> None:
        super().__init__()
        self.longest = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer(self)
        self._timer.setInterval(1)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, (now - self._last) * 1000)
        self._last = now


def wait(app: QApplication, done: Callable[[], bool], timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.0005)


def overview_run(app: QApplication, store: Store) -> tuple[float, float]:
    """(ms from show to four charts painted, longest event-loop stall in ms)."""
    page = OverviewPage(store, now=lambda: generate.END)
    page.resize(*DEFAULT_SIZE)
    painted = Painted(page)
    stalls = StallMeter()
    stalls.start()
    started = time.perf_counter()
    page.show()
    wait(app, lambda: len(painted.times) == 4)
    elapsed = (max(painted.times.values()) - started) * 1000
    stalls.stop()
    page.shutdown()
    page.close()
    page.deleteLater()
    wait(app, lambda: not page.loading)
    return elapsed, stalls.longest


def counts_run(app: QApplication, bar: FilterBar, owner_id: int, status: str) -> float:
    """ms from a filter change applied to both lists' counts shown."""
    owner = bar.references["owner_id"].combo
    status_combo = bar.filters["status"].widget
    assert isinstance(status_combo, QComboBox)
    bar.clear()
    bar.apply_now()
    wait(app, lambda: not bar.facets.pending)
    owner.setCurrentIndex(owner.findData(owner_id))
    status_combo.setCurrentIndex(status_combo.findData(status))
    started = time.perf_counter()
    bar.apply_now()
    wait(app, lambda: not bar.facets.pending)
    return (time.perf_counter() - started) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", type=Path, default=generate.default_path(1_000_000))
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if not args.database.exists():
        raise SystemExit(f"{args.database} is missing: make it with python -m benchmarks.generate --out ...")

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    store = Store.open(f"sqlite:///{args.database}")
    tasks = store.tasks.count()
    owner_id, status = 1, "done"  # the busiest owner of the generated data

    bar = FilterBar(ENTITIES["task"], store)
    bar.fill_choices()
    bar.show()
    wait(app, lambda: not bar.pending)

    raw_charts: list[float] = []
    overview: list[float] = []
    stalls: list[float] = []
    raw_counts: list[float] = []
    counts: list[float] = []
    each_raw: dict[str, list[float]] = {}
    for _run in range(args.runs):
        raw = raw_chart_queries(store)
        raw_charts.append(sum(raw.values()))
        shown, stall = overview_run(app, store)
        overview.append(shown)
        stalls.append(stall)
        raw_c = raw_count_queries(store, owner_id, status)
        raw_counts.append(sum(raw_c.values()))
        counts.append(counts_run(app, bar, owner_id, status))
        for name, ms in {**raw, **raw_c}.items():
            each_raw.setdefault(name, []).append(ms)

    figures = {
        "tasks": tasks,
        "runs": args.runs,
        "overview_ms": statistics.median(overview),
        "overview_raw_ms": statistics.median(raw_charts),
        "counts_ms": statistics.median(counts),
        "counts_raw_ms": statistics.median(raw_counts),
        "longest_stall_ms": max(stalls),
        "raw_query_median_ms": {name: statistics.median(ms) for name, ms in each_raw.items()},
        "raw_query_max_ms": {name: max(ms) for name, ms in each_raw.items()},
    }
    figures["overview_ratio"] = figures["overview_ms"] / figures["overview_raw_ms"]
    figures["counts_ratio"] = figures["counts_ms"] / figures["counts_raw_ms"]
    out = sys.stdout
    out.write(f"{tasks:,} tasks, {args.runs} runs (medians)\n")
    out.write(
        f"overview shown to four charts painted: {figures['overview_ms']:.0f} ms; "
        f"raw queries {figures['overview_raw_ms']:.0f} ms; ratio {figures['overview_ratio']:.2f} "
        f"(target <= {TARGET_RATIO})\n"
    )
    out.write(
        f"filter counts after a change: {figures['counts_ms']:.0f} ms; raw queries "
        f"{figures['counts_raw_ms']:.0f} ms; ratio {figures['counts_ratio']:.2f} (target <= {TARGET_RATIO})\n"
    )
    stall = figures["longest_stall_ms"]
    out.write(f"longest event-loop stall while loading: {stall:.0f} ms (limit {STALL_LIMIT_MS:.0f})\n")
    for name, runs in each_raw.items():
        out.write(
            f"  raw {name}: median {statistics.median(runs):.0f} ms, slowest {max(runs):.0f} ms "
            f"(limit {RAW_LIMIT_MS:.0f})\n"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    bar.close()
    store.close()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # PySide6 may crash while tearing down at interpreter exit
