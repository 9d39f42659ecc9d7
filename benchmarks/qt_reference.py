"""The reference side: Qt's own QSqlTableModel (QSQLITE driver, C++) in a QTableView, same file.

    python -m benchmarks.qt_reference --db benchmarks/data/tasks-1000000.db

QSqlTableModel shows what it has fetched (256 rows at a time) and learns the row count only
by fetching everything, so its "jump to the last row" is fetchMore until canFetchMore is
false, then Ctrl+End. It prints one BENCH-RESULT line of JSON (see benchmarks/run.py).
"""

from __future__ import annotations

import argparse
import itertools
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtSql import QSqlDatabase, QSqlQuery, QSqlTableModel
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableView

from benchmarks.measure import (
    application,
    current_rss_mb,
    emit_result,
    json_object,
    measure,
    open_editor,
    page_down_to,
    peak_rss_mb,
    visible_rows,
    wait_painted,
)

_names = itertools.count()


class Reference:
    """One QSqlTableModel over the task table in one QTableView."""

    def __init__(self, path: Path, width: int, height: int, row_height: int = 0) -> None:
        self.connection_name = f"reference-{next(_names)}"
        self.database = QSqlDatabase.addDatabase("QSQLITE", self.connection_name)
        self.database.setDatabaseName(str(path))
        if not self.database.open():
            raise SystemExit(f"cannot open {path}: {self.database.lastError().text()}")
        self.model = QSqlTableModel(None, self.database)
        self.model.setTable("task")
        # Commit each edited cell at once, as Taskforce does (the default waits for a row change).
        self.model.setEditStrategy(QSqlTableModel.EditStrategy.OnFieldChange)
        self.resets = 0
        self.model.modelReset.connect(self._count_reset)
        self.model.select()
        self.view = QTableView()
        self.view.setModel(self.model)
        if row_height:  # the same rows per page as Taskforce's table
            self.view.verticalHeader().setDefaultSectionSize(row_height)
        self.view.resize(width, height)
        self.view.show()
        # The same viewport (so the same rows per page) as Taskforce's table.
        frame = self.view.size() - self.view.viewport().size()
        self.view.resize(width + frame.width(), height + frame.height())
        self.id_column = self.model.fieldIndex("id")
        self.title_column = self.model.fieldIndex("title")
        self.created_column = self.model.fieldIndex("created_at")

    def _count_reset(self) -> None:
        self.resets += 1

    def close(self) -> None:
        self.view.close()
        self.view.deleteLater()
        self.model.deleteLater()
        del self.view, self.model
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.database.close()
        del self.database
        QSqlDatabase.removeDatabase(self.connection_name)

    # --- what is on screen -----------------------------------------------------

    def row_id(self, row: int) -> Any:
        return self.model.data(self.model.index(row, self.id_column))

    def rows_shown(self) -> bool:
        rows = visible_rows(self.view)
        return len(rows) > 0 and all(self.row_id(row) is not None for row in rows)

    def reset_since(self, resets: int) -> bool:
        return self.resets > resets and self.rows_shown()

    def last_row_shown(self) -> bool:
        last = self.model.rowCount() - 1
        rows = visible_rows(self.view)
        return (
            not self.model.canFetchMore()
            and self.view.currentIndex().row() == last
            and last in rows
            and self.rows_shown()
        )

    def first_id(self) -> Any:
        return self.row_id(visible_rows(self.view)[0])

    # --- states the steps start from -------------------------------------------

    def show_all(self) -> None:
        """No filter, ordered by id, at the top, first cell current; waits until painted."""

        def reselect() -> None:
            self.model.setFilter("")
            self.model.setSort(self.id_column, Qt.SortOrder.AscendingOrder)
            self.model.select()
            self.view.scrollToTop()
            self.view.setCurrentIndex(self.model.index(0, self.title_column))

        resets = self.resets
        wait_painted(self.view, lambda: self.reset_since(resets), reselect)


def open_and_paint(path: Path, width: int, height: int, row_height: int = 0) -> tuple[Reference, float]:
    started = time.perf_counter()
    reference = Reference(path, width, height, row_height)
    wait_painted(reference.view, reference.rows_shown)
    return reference, time.perf_counter() - started


def run(args: argparse.Namespace) -> dict[str, Any]:
    path: Path = args.db
    expect: dict[str, Any] = args.expect
    result: dict[str, Any] = {"side": "QSqlTableModel", "steps": {}, "checks": {}}
    steps: dict[str, Any] = result["steps"]
    checks: dict[str, Any] = result["checks"]

    # 1. open -> first rows painted (each run a new connection, model and view)
    opened: list[Reference] = []

    def open_once() -> float:
        reference, elapsed = open_and_paint(path, args.width, args.height, args.row_height)
        opened.append(reference)
        return elapsed

    def close_previous() -> None:
        while opened:
            opened.pop().close()

    steps["open"] = measure(args.runs, open_once, close_previous).as_dict()
    ref = opened.pop()
    result["rss_after_open_mb"] = round(current_rss_mb(), 1)
    checks["first_id"] = ref.first_id() == expect.get("first_id")

    # 2. jump to the last row: fetch everything, then Ctrl+End
    def jump_once() -> float:
        def jump() -> None:
            while ref.model.canFetchMore():
                ref.model.fetchMore()
            QTest.keyClick(ref.view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)

        return wait_painted(ref.view, ref.last_row_shown, jump)

    steps["jump_to_last"] = measure(args.jump_runs, jump_once, ref.show_all).as_dict()
    checks["last_id"] = ref.row_id(ref.model.rowCount() - 1) == expect.get("last_id")
    result["rss_after_jump_mb"] = round(current_rss_mb(), 1)

    # 3. sort by created_at, newest first
    def sort_once() -> float:
        resets = ref.resets
        action = lambda: ref.view.sortByColumn(ref.created_column, Qt.SortOrder.DescendingOrder)  # noqa: E731
        return wait_painted(ref.view, lambda: ref.reset_since(resets), action)

    steps["sort_created_desc"] = measure(args.runs, sort_once, ref.show_all).as_dict()
    checks["newest_id"] = ref.first_id() == expect.get("newest_id")

    # 4. filter status = done plus a text search
    search = args.search.replace("'", "''")
    where = f"status = 'done' AND (title LIKE '%{search}%' OR description LIKE '%{search}%')"

    def filter_once() -> float:
        resets = ref.resets

        def apply() -> None:
            ref.model.setFilter(where)
            ref.model.select()

        return wait_painted(ref.view, lambda: ref.reset_since(resets), apply)

    steps["filter_done_search"] = measure(args.runs, filter_once, ref.show_all).as_dict()
    checks["filter_first_id"] = ref.first_id() == expect.get("filter_first_id")

    # 5. scroll 10,000 rows page by page (Page Down, each page painted)
    def scroll_once() -> float:
        started = time.perf_counter()
        pages_per_run.append(page_down_to(ref.view, args.scroll_rows, ref.rows_shown))
        return time.perf_counter() - started

    pages_per_run: list[int] = []
    scroll = measure(args.scroll_runs, scroll_once, ref.show_all)
    scroll.extra["pages"] = pages_per_run[-1]
    steps["scroll_10k"] = scroll.as_dict()

    # 6. commit an inline edit of a title (editor open, type, Enter -> stored and painted)
    edited: list[str] = []

    def edit_once() -> float:
        row = 2
        editor = open_editor(ref.view, ref.model.index(row, ref.title_column))
        text = f"Edited by the reference {len(edited) + 1}"
        edited.append(text)
        editor.setText(text)

        def stored() -> bool:
            return ref.model.data(ref.model.index(row, ref.title_column)) == text and ref.rows_shown()

        return wait_painted(ref.view, stored, lambda: QTest.keyClick(editor, Qt.Key.Key_Return))

    steps["edit_commit"] = measure(args.runs, edit_once, ref.show_all).as_dict()
    edited_id = ref.row_id(2)
    with sqlite3.connect(path) as check:
        row = check.execute("SELECT title FROM task WHERE id = ?", (edited_id,)).fetchone()
    checks["edit_stored"] = row is not None and row[0] == edited[-1]

    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    result["rows_per_page"] = len(visible_rows(ref.view))
    version = QSqlQuery("SELECT sqlite_version()", ref.database)
    result["sqlite_qt"] = version.value(0) if version.next() else None
    return result


def cold_start(args: argparse.Namespace) -> dict[str, Any]:
    """Process start -> first paint: the parent times it from spawning to reading this line."""
    application()
    _reference, elapsed = open_and_paint(args.db, args.width, args.height, args.row_height)
    return {"side": "QSqlTableModel", "painted": True, "open_ms": round(elapsed * 1000, 2)}


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, required=True, help="the SQLite file Taskforce made")
    parser.add_argument("--runs", type=int, default=5, help="runs per step (the median is reported)")
    parser.add_argument("--jump-runs", type=int, default=3, help="runs of the jump to the last row")
    parser.add_argument("--scroll-runs", type=int, default=3, help="runs of the 10,000-row scroll")
    parser.add_argument("--scroll-rows", type=int, default=10_000)
    parser.add_argument("--search", default="invoice", help="text searched in title and description")
    parser.add_argument("--width", type=int, default=1200, help="viewport size, as Taskforce's table")
    parser.add_argument("--height", type=int, default=700)
    parser.add_argument("--row-height", type=int, default=0, help="pixels per row (0: Qt's default)")
    parser.add_argument("--expect", type=json_object, default={}, help="ids the steps should show (JSON)")
    parser.add_argument("--cold-start", action="store_true", help="open, paint once, report, exit")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    application()
    emit_result(cold_start(args) if args.cold_start else run(args))


if __name__ == "__main__":
    main()
