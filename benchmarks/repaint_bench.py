"""What one repaint of the tasks table costs: calls from C++ into Python, and time.

    python -m benchmarks.repaint_bench --url sqlite:///benchmarks/data/tasks-1000000.db

The real MainWindow (offscreen) shows its tasks tab; its viewport is repainted many times with
the rows loaded. Printed as one JSON line:

- `python_calls`: Python functions entered from C++ during one repaint, by name (counted with
  sys.setprofile: a frame whose caller is the repainting frame was entered from Qt);
- `repaint_ms`: the median of `--repaints` repaints, in rounds that alternate the table's own
  delegate and Qt's QStyledItemDelegate (which asks the model every role through data()), so both
  are timed in the same minutes;
- `reference_ms`: the same cells (texts, alignments, check states, flags) in a C++
  QStandardItemModel, in a QTableView of the same size and settings.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QStyledItemDelegate, QTableView, QWidget

from benchmarks.measure import application, emit_result, settle, wait_painted
from benchmarks.taskforce_side import Taskforce

ROUNDS = 10
SERVED_ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.CheckStateRole,
)


def calls_from_qt(action: Callable[[], None]) -> Counter[str]:
    """The Python functions that Qt called while action ran, by qualified name."""
    counts: Counter[str] = Counter()
    caller = sys._getframe()

    def profile(frame: FrameType, event: str, _arg: Any) -> None:
        if event == "call" and frame.f_back is caller:
            counts[frame.f_code.co_qualname] += 1

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return counts


def repaint_times(viewport: QWidget, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        viewport.repaint()
        times.append((time.perf_counter() - started) * 1000)
    return times


def reference_table(tf: Taskforce) -> QTableView:
    """The cells shown now, copied into a QStandardItemModel in a view set up like the tasks table."""
    table, model = tf.table, tf.model
    rows = range(table.rowAt(0), table.rowAt(table.viewport().height() - 1) + 1)
    cells = QStandardItemModel(len(rows), model.columnCount())
    for row_number, row in enumerate(rows):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            item = QStandardItem()
            for role in SERVED_ROLES:
                value = model.data(index, role.value)
                if value is not None:
                    item.setData(value, role)
            item.setFlags(model.flags(index))
            cells.setItem(row_number, column, item)
    reference = QTableView()
    reference.setModel(cells)
    reference.resize(table.size())
    reference.setAlternatingRowColors(True)
    reference.setWordWrap(False)
    reference.verticalHeader().setVisible(False)
    reference.verticalHeader().setDefaultSectionSize(table.verticalHeader().defaultSectionSize())
    header = reference.horizontalHeader()
    header.setStretchLastSection(True)
    for column in range(model.columnCount()):
        header.resizeSection(column, table.horizontalHeader().sectionSize(column))
    reference.show()
    return reference


def run(args: argparse.Namespace, settings_dir: Path) -> dict[str, Any]:
    tf = Taskforce(args.url, settings_dir)
    wait_painted(tf.table, tf.rows_shown)
    settle(300)
    viewport = tf.table.viewport()
    own = tf.table.itemDelegate()
    delegates = {"own_delegate": own, "qt_delegate": QStyledItemDelegate(tf.table)}
    calls = {}
    for name, delegate in delegates.items():
        tf.table.setItemDelegate(delegate)
        repaint_times(viewport, 5)
        calls[name] = calls_from_qt(viewport.repaint)
    times: dict[str, list[float]] = {name: [] for name in delegates}
    per_round = max(1, args.repaints // ROUNDS)
    for _ in range(ROUNDS):
        for name, delegate in delegates.items():
            tf.table.setItemDelegate(delegate)
            repaint_times(viewport, 3)
            times[name] += repaint_times(viewport, per_round)
    tf.table.setItemDelegate(own)
    reference = reference_table(tf)
    settle(100)
    repaint_times(reference.viewport(), 5)
    reference_times = repaint_times(reference.viewport(), per_round * ROUNDS)
    rows = tf.table.rowAt(viewport.height() - 1) - tf.table.rowAt(0) + 1
    return {
        "cells": rows * tf.model.columnCount(),
        "python_calls": {name: sum(counted.values()) for name, counted in calls.items()},
        "python_calls_by_function": {name: dict(counted.most_common()) for name, counted in calls.items()},
        "repaint_ms": {name: round(statistics.median(runs), 3) for name, runs in times.items()},
        "reference_ms": round(statistics.median(reference_times), 3),
    }


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True, help="database URL (a SQLite file or PostgreSQL)")
    parser.add_argument("--repaints", type=int, default=200, help="repaints timed per delegate")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    application()
    with tempfile.TemporaryDirectory(prefix="taskforce-repaint-") as settings_dir:
        result = run(args, Path(settings_dir))
    emit_result(result)


if __name__ == "__main__":
    main()
