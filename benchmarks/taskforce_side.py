"""The Taskforce side: the real MainWindow and its tasks table (offscreen), on the same database.

    python -m benchmarks.taskforce_side --url sqlite:///benchmarks/data/tasks-1000000.db
    python -m benchmarks.taskforce_side --url ... --query-delay-ms 200   # event-loop stalls only

Every step is driven as a person would: keys on the table, the header's sort, the filter bar's
status combo and search box. It prints one BENCH-RESULT line of JSON (see benchmarks/run.py).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableView

from benchmarks.measure import (
    Step,
    current_rss_mb,
    emit_result,
    json_object,
    measure,
    open_editor,
    page_down_to,
    peak_rss_mb,
    settle,
    visible_rows,
    wait_painted,
    wait_until,
)
from desktop.store import Store
from desktop.ui.application import application
from desktop.ui.main_window import MainWindow
from desktop.ui.table_model import EntityTableModel
from desktop.ui.views import EntityView


def delay_every_query(store: Store, delay_ms: int) -> None:
    """Make every statement slow, as a far-away server would: the GUI must not wait for any of them."""

    def sleep(*_args: Any) -> None:
        time.sleep(delay_ms / 1000)

    sa.event.listen(store.engine, "before_cursor_execute", sleep)


class Taskforce:
    """The main window on a freshly opened store, showing the tasks tab."""

    def __init__(self, url: str, settings_dir: Path, delay_ms: int = 0) -> None:
        ini = settings_dir / "taskforce.ini"
        ini.unlink(missing_ok=True)  # every run starts from the same remembered state:
        settings = QSettings(str(ini), QSettings.Format.IniFormat)
        settings.setValue("window/tab", "task")  # the tasks tab (the Overview is first otherwise)
        settings.sync()
        self.store = Store.open(url)
        if delay_ms:
            delay_every_query(self.store, delay_ms)
        self.window = MainWindow(self.store, settings=settings)
        self.window.show()
        self.view: EntityView = self.window.view("task")
        table = self.window.findChild(QTableView, "tasksTable")
        assert table is not None
        self.table: QTableView = table
        self.model: EntityTableModel = self.view.model
        self.title_column = self.model.column_of("title")
        self.created_column = self.model.column_of("created_at")
        self.id_column = self.model.column_of("id")

    def close(self) -> None:
        self.window.close()
        self.window.deleteLater()
        settle(10)
        self.store.close()

    # --- what is on screen -----------------------------------------------------

    def rows_shown(self) -> bool:
        rows = visible_rows(self.table)
        return (
            len(rows) > 0
            and not self.model.reset_pending
            and all(self.model.record_at(row) is not None for row in rows)
        )

    def last_row_shown(self) -> bool:
        """The real last row: a table still being counted shows only its first rows so far."""
        last = self.model.rowCount() - 1
        return (
            not self.model.count_pending
            and self.table.currentIndex().row() == last
            and last in visible_rows(self.table)
            and self.rows_shown()
        )

    def first_id(self) -> int | None:
        rows = visible_rows(self.table)
        return self.model.row_id(rows[0]) if rows else None

    # --- states the steps start from -------------------------------------------

    def show_all(self) -> None:
        """No filter, ordered by id, at the top, first cell current; waits until painted."""

        def reset() -> None:
            self.view.filter_bar.clear()
            self.view.filter_bar.apply_now()
            self.table.sortByColumn(self.id_column, Qt.SortOrder.AscendingOrder)

        def to_top() -> None:
            self.table.scrollToTop()
            self.table.setCurrentIndex(self.model.index(0, self.title_column))

        wait_painted(self.table, self.rows_shown, reset)
        # The first rows come before the count: until it arrives the table ends after them, and a
        # Page Down on that last row would not move (the scroll would wait for it forever).
        wait_until(lambda: not self.model.count_pending)
        # Only once the new rows are there: a reset clears the current cell.
        wait_painted(self.table, lambda: self.rows_shown() and self.table.currentIndex().row() == 0, to_top)
        self.table.setFocus()


def open_and_paint(url: str, settings_dir: Path, delay_ms: int = 0) -> tuple[Taskforce, float]:
    started = time.perf_counter()
    app = Taskforce(url, settings_dir, delay_ms)
    wait_painted(app.table, app.rows_shown)
    return app, time.perf_counter() - started


def run(args: argparse.Namespace, settings_dir: Path) -> dict[str, Any]:
    expect: dict[str, Any] = args.expect
    result: dict[str, Any] = {"side": "Taskforce", "steps": {}, "checks": {}}
    if args.query_delay_ms:
        result["query_delay_ms"] = args.query_delay_ms
    steps: dict[str, Any] = result["steps"]
    checks: dict[str, Any] = result["checks"]
    runs = 1 if args.query_delay_ms else args.runs

    # 1. open -> first rows painted (each run a new store and main window)
    opened: list[Taskforce] = []

    def open_once() -> float:
        app, elapsed = open_and_paint(args.url, settings_dir, args.query_delay_ms)
        opened.append(app)
        return elapsed

    def close_previous() -> None:
        while opened:
            opened.pop().close()

    steps["open"] = measure(runs, open_once, close_previous).as_dict()
    tf = opened.pop()
    result["viewport"] = [tf.table.viewport().width(), tf.table.viewport().height()]
    result["row_height"] = tf.table.verticalHeader().defaultSectionSize()
    result["rss_after_open_mb"] = round(current_rss_mb(), 1)
    checks["first_id"] = tf.first_id() == expect.get("first_id")
    if args.only_typed_search:
        steps["typed_search_sorted"] = typed_search(tf, args, expect, runs).as_dict()
        result["peak_rss_mb"] = round(peak_rss_mb(), 1)
        return result

    # 2. jump to the last row (Ctrl+End)
    def jump_once() -> float:
        action = lambda: QTest.keyClick(tf.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)  # noqa: E731
        return wait_painted(tf.table, tf.last_row_shown, action)

    steps["jump_to_last"] = measure(runs, jump_once, tf.show_all).as_dict()
    checks["last_id"] = tf.model.row_id(tf.model.rowCount() - 1) == expect.get("last_id")

    # 3. sort by created_at, newest first (as a click on the header does)
    def sort_once() -> float:
        action = lambda: tf.table.sortByColumn(tf.created_column, Qt.SortOrder.DescendingOrder)  # noqa: E731
        return wait_painted(tf.table, tf.rows_shown, action)

    steps["sort_created_desc"] = measure(runs, sort_once, tf.show_all).as_dict()
    checks["newest_id"] = tf.first_id() == expect.get("newest_id")

    # 4. filter status = done plus a text search, applied with Enter in the search box
    def filter_once() -> float:
        bar = tf.view.filter_bar

        def apply() -> None:
            combo = bar.filters["status"].widget
            combo.setCurrentIndex(combo.findData("done"))  # type: ignore[attr-defined]
            bar.search.box.setText(args.search)
            QTest.keyClick(bar.search.box, Qt.Key.Key_Return)

        return wait_painted(tf.table, tf.rows_shown, apply)

    steps["filter_done_search"] = measure(runs, filter_once, tf.show_all).as_dict()
    checks["filter_first_id"] = tf.first_id() == expect.get("filter_first_id")
    steps["typed_search_sorted"] = typed_search(tf, args, expect, runs).as_dict()

    # 5. scroll 10,000 rows page by page (Page Down, each page painted with its rows)
    pages_per_run: list[int] = []

    def scroll_once() -> float:
        started = time.perf_counter()
        pages_per_run.append(page_down_to(tf.table, args.scroll_rows, tf.rows_shown))
        return time.perf_counter() - started

    scroll = measure(1 if args.query_delay_ms else args.scroll_runs, scroll_once, tf.show_all)
    scroll.extra["pages"] = pages_per_run[-1]
    steps["scroll_10k"] = scroll.as_dict()

    if not args.query_delay_ms:
        # 6. commit an inline edit of a title (editor open, type, Enter -> stored and painted)
        edited: list[str] = []

        def edit_once() -> float:
            row = 2
            wait_until(tf.model.is_idle)  # the refresh after the last edit has arrived
            editor = open_editor(tf.table, tf.model.index(row, tf.title_column))
            text = f"Edited in Taskforce {len(edited) + 1}"
            edited.append(text)
            editor.setText(text)

            def shown() -> bool:
                return tf.model.data(tf.model.index(row, tf.title_column)) == text and tf.rows_shown()

            return wait_painted(tf.table, shown, lambda: QTest.keyClick(editor, Qt.Key.Key_Return))

        steps["edit_commit"] = measure(runs, edit_once, tf.show_all).as_dict()
        edited_id = tf.model.row_id(2)
        stored = tf.store.tasks.get(edited_id).title if edited_id is not None else None
        checks["edit_stored"] = stored == edited[-1]

        # Memory while the scroll bar crosses all the rows: the page cache must stay bounded.
        steps["scroll_all_rows"] = scroll_everything(tf, args.scan_jumps).as_dict()

    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    result["rows_per_page"] = len(visible_rows(tf.table))
    return result


def typed_search(tf: Taskforce, args: argparse.Namespace, expect: dict[str, Any], runs: int) -> Step:
    """Type a search while sorted by creation date: from the last keystroke to its first rows
    painted and its count shown in the status bar, the search box's pause included."""
    typed: str = args.typed_search
    box = tf.view.filter_bar.search.box
    label = tf.window.count_label

    def sorted_newest_first() -> None:
        tf.show_all()
        action = lambda: tf.table.sortByColumn(tf.created_column, Qt.SortOrder.DescendingOrder)  # noqa: E731
        wait_painted(tf.table, tf.rows_shown, action)
        box.setFocus()
        QTest.keyClicks(box, typed[:-1])

    def shown() -> bool:
        model = tf.model
        return (
            model.query.search == typed
            and not model.count_pending
            and model.rowCount() == expect.get("typed_search_count", model.rowCount())
            and label.text() == f"{model.rowCount():,} of {model.total_count:,} tasks"
            and (model.rowCount() == 0 or tf.rows_shown())
        )

    def type_once() -> float:
        return wait_painted(tf.table, shown, lambda: QTest.keyClicks(box, typed[-1]))

    return measure(runs, type_once, sorted_newest_first)


def scroll_everything(tf: Taskforce, jumps: int) -> Step:
    """Drag the scroll bar from top to bottom in `jumps` steps, each painted; RSS along the way."""
    tf.show_all()
    bar = tf.table.verticalScrollBar()
    step = Step()
    rss = [current_rss_mb()]
    for n in range(1, jumps + 1):
        value = round(bar.maximum() * n / jumps)
        step.runs.append(wait_painted(tf.table, tf.rows_shown, partial(bar.setValue, value)))
        rss.append(current_rss_mb())
    step.extra = {
        "jumps": jumps,
        "rss_start_mb": round(rss[0], 1),
        "rss_end_mb": round(rss[-1], 1),
        "rss_max_mb": round(max(rss), 1),
        "max_ms": round(max(step.runs) * 1000, 1),
    }
    return step


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True, help="database URL (a SQLite file or PostgreSQL)")
    parser.add_argument("--runs", type=int, default=5, help="runs per step (the median is reported)")
    parser.add_argument("--scroll-runs", type=int, default=3, help="runs of the 10,000-row scroll")
    parser.add_argument("--scroll-rows", type=int, default=10_000)
    parser.add_argument("--scan-jumps", type=int, default=100, help="scroll-bar jumps across all rows")
    parser.add_argument("--search", default="invoice", help="text searched in title and description")
    parser.add_argument("--typed-search", default="00042", help="text typed while sorted by creation date")
    parser.add_argument("--only-typed-search", action="store_true", help="time the typed search alone")
    parser.add_argument("--query-delay-ms", type=int, default=0, help="sleep before every SQL statement")
    parser.add_argument("--expect", type=json_object, default={}, help="ids the steps should show (JSON)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    application()
    with tempfile.TemporaryDirectory(prefix="taskforce-bench-") as settings_dir:
        result = run(args, Path(settings_dir))
    emit_result(result)


if __name__ == "__main__":
    main()
