"""A query slower than BUSY_AFTER_MS shows that its answer is coming: a busy bar, what is being
done in place of the count, and the outdated rows greyed."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QProgressBar
from pytestqt.qtbot import QtBot
from uihelpers import wait_settled

from desktop.models import TaskStatus
from desktop.store import Store
from desktop.table import Pending
from desktop.ui.main_window import MainWindow
from desktop.ui.views import EntityView

pytestmark = pytest.mark.usefixtures("no_gui_thread_statements")

DELAY_S = 0.6  # well past BUSY_AFTER_MS, on a loaded machine too


@pytest.fixture
def slow(sample_store: Store) -> Iterator[Callable[[Callable[[str], bool]], None]]:
    """slow(which): the statements for which which(sql) holds sleep DELAY_S first, as a far-away
    server or a search over a million rows would; slow(lambda sql: False) ends it."""
    chosen: list[Callable[[str], bool]] = [lambda _sql: False]

    def sleep(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if chosen[0](statement):
            time.sleep(DELAY_S)

    sa.event.listen(sample_store.engine, "before_cursor_execute", sleep)

    def choose(which: Callable[[str], bool]) -> None:
        chosen[0] = which

    yield choose
    chosen[0] = lambda _sql: False
    sa.event.remove(sample_store.engine, "before_cursor_execute", sleep)


def every_statement(_sql: str) -> bool:
    return True


def count_label(window: MainWindow) -> QLabel:
    label = window.findChild(QLabel, "countLabel")
    assert label is not None
    return label


def greyed(view: EntityView) -> bool:
    palette = view.table.palette()
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Text) == disabled


def assert_working(qtbot: QtBot, window: MainWindow, work: Pending, text: str) -> None:
    view = window.view("task")
    qtbot.waitUntil(lambda: view.busy is work, timeout=5_000)
    indicator = view.findChild(QProgressBar, "busyIndicator")
    assert indicator is not None and indicator.isVisible()
    assert count_label(window).text() == text
    assert view.rows_outdated == work.outdated
    assert greyed(view) == work.outdated


def assert_done(qtbot: QtBot, window: MainWindow) -> None:
    view = window.view("task")
    qtbot.waitUntil(lambda: view.busy is None and view.model.is_idle(), timeout=10_000)
    assert not view.busy_indicator.isVisible()
    assert not view.rows_outdated and not greyed(view)
    model = view.model
    assert count_label(window).text() == f"{model.rowCount():,} of {model.total_count:,} tasks"


def test_a_slow_search_says_searching_and_greys_the_old_rows(
    qtbot: QtBot, window: MainWindow, slow: Callable[[Callable[[str], bool]], None]
) -> None:
    view = window.view("task")
    slow(every_statement)
    view.filter_bar.search.box.setText("a")
    view.filter_bar.apply_now()
    assert_working(qtbot, window, Pending.SEARCH, "Searching…")
    slow(lambda _sql: False)
    assert_done(qtbot, window)
    assert view.model.query.search == "a"


def test_a_slow_filter_and_a_slow_sort_say_so(
    qtbot: QtBot, window: MainWindow, slow: Callable[[Callable[[str], bool]], None]
) -> None:
    view = window.view("task")
    slow(every_statement)
    combo = view.filter_bar.filters["status"].widget
    combo.setCurrentIndex(combo.findData(TaskStatus.done.value))  # type: ignore[attr-defined]
    view.filter_bar.apply_now()
    assert_working(qtbot, window, Pending.FILTER, "Filtering…")
    slow(lambda _sql: False)
    assert_done(qtbot, window)

    slow(every_statement)
    view.table.sortByColumn(view.model.column_of("title"), Qt.SortOrder.DescendingOrder)
    assert_working(qtbot, window, Pending.SORT, "Sorting…")
    slow(lambda _sql: False)
    assert_done(qtbot, window)


def test_rows_shown_before_their_slow_count_are_current_while_it_is_counted(
    qtbot: QtBot, window: MainWindow, slow: Callable[[Callable[[str], bool]], None]
) -> None:
    view = window.view("task")
    slow(lambda sql: "count(" in sql.lower())
    view.filter_bar.search.box.setText("e")
    view.filter_bar.apply_now()
    # The first rows come at once, beside the count: they are the search's, only the count waits.
    assert_working(qtbot, window, Pending.COUNT, "Counting tasks…")
    assert view.model.query.search == "e" and not view.model.reset_pending
    slow(lambda _sql: False)
    assert_done(qtbot, window)


def test_answers_quicker_than_the_threshold_show_nothing(
    qtbot: QtBot, window: MainWindow, sample_store: Store
) -> None:
    view = window.view("task")
    shown: list[Pending | None] = []
    view.busy_changed.connect(lambda: shown.append(view.busy))
    view.model.pending_changed.emit(Pending.SEARCH)  # as the core tells a query it starts
    view.model.pending_changed.emit(None)  # and its answer, well within the threshold
    qtbot.wait(300)
    assert shown == []
    wait_settled(qtbot, window)


def test_a_slow_count_of_every_task_says_about_how_many_there_are_until_it_comes(
    qtbot: QtBot, window: MainWindow, sample_store: Store, slow: Callable[[Callable[[str], bool]], None]
) -> None:
    view = window.view("task")
    owner = sample_store.users.list(limit=1)[0]
    for n in range(250):
        sample_store.tasks.create({"title": f"Chore {n}", "owner_id": owner.id})
    view.filter_bar.search.box.setText("chore")
    view.filter_bar.apply_now()
    wait_settled(qtbot, window)
    slow(lambda sql: "count(" in sql.lower())
    view.filter_bar.search.box.clear()
    view.filter_bar.apply_now()
    # The first 200 rows are shown at once; the database's estimate of all rows (the span of the
    # ids on SQLite: 256) stands in for the count, rounded, and makes no rows of its own.
    qtbot.waitUntil(lambda: count_label(window).text() == "about 260 tasks", timeout=5_000)
    assert view.busy is Pending.COUNT and view.busy_indicator.isVisible() and not view.rows_outdated
    assert view.model.estimated_count == 256 and view.model.rowCount() == 200
    slow(lambda _sql: False)
    assert_done(qtbot, window)
    assert count_label(window).text() == "256 of 256 tasks" and view.model.estimated_count is None


def test_a_filtered_count_has_no_estimate(
    qtbot: QtBot, window: MainWindow, slow: Callable[[Callable[[str], bool]], None]
) -> None:
    view = window.view("task")
    slow(lambda sql: "count(" in sql.lower())
    view.filter_bar.search.box.setText("e")
    view.filter_bar.apply_now()
    assert_working(qtbot, window, Pending.COUNT, "Counting tasks…")
    qtbot.wait(200)  # an estimate would have come by now
    assert view.model.estimated_count is None and count_label(window).text() == "Counting tasks…"
    slow(lambda _sql: False)
    assert_done(qtbot, window)
