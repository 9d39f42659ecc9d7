"""Windows of rows loaded off the GUI thread: bounded memory, no stalls, stale results dropped."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QSettings, Qt, QTimer
from pytestqt.qtbot import QtBot
from uihelpers import shown_window, wait_loaded

from desktop.models import Task, TaskStatus, User
from desktop.store import ENTITIES, Store
from desktop.table import Result
from desktop.table import core as table_core
from desktop.ui import delete_flow
from desktop.ui.table_model import MAX_WINDOWS, PLACEHOLDER, WINDOW_ROWS, EntityTableModel
from desktop.ui.views import EntityView

ROWS = 10_000


@pytest.fixture
def big_store(sqlite_store: Store) -> Store:
    """Ten thousand tasks, inserted in bulk: status cycles, titles are "Task 00000" …"""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    statuses = list(TaskStatus)
    with sqlite_store.engine.begin() as connection:
        connection.execute(
            sa.insert(User.__table__), [{"id": 1, "username": "ann", "email": "ann@example.com"}]
        )  # type: ignore[attr-defined]
        connection.execute(
            sa.insert(Task.__table__),  # type: ignore[attr-defined]
            [
                {
                    "title": f"Task {n:05d}",
                    "status": statuses[n % 3],
                    "owner_id": 1,
                    "created_at": start + timedelta(minutes=n),
                }
                for n in range(ROWS)
            ],
        )
    return sqlite_store


class PageSpy:
    """Wraps repository.page: records every call, and can hold one call until released."""

    def __init__(self, page: Callable[..., Any]) -> None:
        self._page = page
        self.calls: list[tuple[int, int, dict[str, Any]]] = []
        self._hold_next = False
        self.entered = threading.Event()
        self.release = threading.Event()
        self.done = threading.Event()

    def hold_next_call(self) -> None:
        self._hold_next = True
        self.entered.clear()
        self.release.clear()
        self.done.clear()

    def __call__(self, offset: int, limit: int, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((offset, limit, kwargs))
        if not self._hold_next:
            return self._page(offset, limit, *args, **kwargs)
        self._hold_next = False
        self.entered.set()
        self.release.wait(10)
        try:
            return self._page(offset, limit, *args, **kwargs)
        finally:
            self.done.set()


@pytest.fixture
def spy(big_store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[PageSpy]:
    page_spy = PageSpy(big_store.tasks.page)
    monkeypatch.setattr(big_store.tasks, "page", page_spy)
    yield page_spy
    page_spy.release.set()


@pytest.fixture
def model(qtbot: QtBot, big_store: Store, spy: PageSpy) -> Iterator[EntityTableModel]:
    built = EntityTableModel(big_store, ENTITIES["task"])
    wait_loaded(qtbot, built)
    yield built
    built.shutdown()


def titles(model: EntityTableModel, rows: range) -> list[object]:
    return [model.data(model.index(row, model.column_of("title"))) for row in rows]


def test_the_model_counts_all_rows_but_reads_one_window(model: EntityTableModel, spy: PageSpy) -> None:
    assert model.rowCount() == ROWS
    assert [(offset, limit) for offset, limit, _ in spy.calls] == [(0, WINDOW_ROWS)]
    assert titles(model, range(3)) == ["Task 00000", "Task 00001", "Task 00002"]


def test_the_last_row_is_read_from_the_end(qtbot: QtBot, model: EntityTableModel, spy: PageSpy) -> None:
    last = model.index(ROWS - 1, model.column_of("title"))
    assert model.data(last) is None
    with qtbot.waitSignal(model.dataChanged):
        pass
    assert model.data(last) == f"Task {ROWS - 1:05d}"
    offset, limit, kwargs = spy.calls[-1]
    assert (offset, limit, kwargs["total"]) == (ROWS - WINDOW_ROWS, WINDOW_ROWS, ROWS)
    assert all(limit <= WINDOW_ROWS for _, limit, _ in spy.calls)


def test_rows_near_the_end_of_a_window_read_the_next_one_ahead(
    qtbot: QtBot, model: EntityTableModel, spy: PageSpy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table_core, "SLOW_READ_S", 60.0)  # however loaded the machine, reads are quick
    assert titles(model, range(100, 120)) == [f"Task {row:05d}" for row in range(100, 120)]
    assert len(spy.calls) == 1  # the middle of the first window: nothing more to read

    titles(model, range(WINDOW_ROWS - 30, WINDOW_ROWS))  # scrolled down near its end

    qtbot.waitUntil(lambda: model.record_at(WINDOW_ROWS) is not None)
    assert [offset for offset, _, _ in spy.calls] == [0, WINDOW_ROWS]
    assert titles(model, range(WINDOW_ROWS, WINDOW_ROWS + 3)) == ["Task 00200", "Task 00201", "Task 00202"]


def test_memory_stays_bounded_however_far_one_scrolls(big_store: Store, spy: PageSpy) -> None:
    model = EntityTableModel(big_store, ENTITIES["task"], synchronous=True)
    for row in range(0, ROWS, WINDOW_ROWS // 2):
        assert model.data(model.index(row, 1)) == f"Task {row:05d}"
    loaded = [row for row in range(ROWS) if model.record_at(row) is not None]
    assert len(loaded) <= MAX_WINDOWS * WINDOW_ROWS
    assert len(spy.calls) == ROWS // WINDOW_ROWS  # each window read once, never the whole table
    assert all(limit == WINDOW_ROWS for _, limit, _ in spy.calls)
    model.shutdown()


def test_a_slow_query_does_not_freeze_the_window(qtbot: QtBot, model: EntityTableModel, spy: PageSpy) -> None:
    spy.hold_next_call()
    row = ROWS // 2
    assert model.data(model.index(row, 0)) == PLACEHOLDER
    assert spy.entered.wait(5)
    ticked: list[bool] = []
    QTimer.singleShot(0, lambda: ticked.append(True))
    qtbot.waitUntil(lambda: bool(ticked))  # the event loop runs while the page is being read
    assert model.data(model.index(row, 0)) == PLACEHOLDER and not model.is_idle()
    spy.release.set()
    wait_loaded(qtbot, model)
    assert titles(model, range(row, row + 1)) == [f"Task {row:05d}"]


def test_a_superseded_count_is_dropped(qtbot: QtBot, model: EntityTableModel, spy: PageSpy) -> None:
    spy.hold_next_call()
    model.set_filters(status=TaskStatus.todo)
    qtbot.waitUntil(spy.entered.is_set)  # the todo query is stuck reading its first window
    model.set_filters(status=TaskStatus.done)
    qtbot.waitUntil(lambda: model.query.filter_values == {"status": TaskStatus.done} and model.rowCount() > 0)
    qtbot.waitUntil(lambda: titles(model, range(1)) == ["Task 00002"])
    spy.release.set()
    assert spy.done.wait(5)
    qtbot.wait(50)  # the todo result arrives on the GUI thread, and is dropped
    wait_loaded(qtbot, model)
    assert model.rowCount() == ROWS // 3
    assert titles(model, range(3)) == ["Task 00002", "Task 00005", "Task 00008"]


def test_a_superseded_window_is_dropped(qtbot: QtBot, model: EntityTableModel, spy: PageSpy) -> None:
    spy.hold_next_call()
    assert model.data(model.index(5_000, 1)) is None
    assert spy.entered.wait(5)  # window 25 in ascending order is on its way
    model.set_order("title", descending=True)
    qtbot.waitUntil(lambda: titles(model, range(1)) == ["Task 09999"])
    spy.release.set()
    assert spy.done.wait(5)
    qtbot.wait(50)  # the old window's result arrives on the GUI thread
    wait_loaded(qtbot, model)
    assert model.record_at(5_000) is None  # the old window did not land in the new order
    assert titles(model, range(5_000, 5_001)) == [None]
    qtbot.waitUntil(lambda: titles(model, range(5_000, 5_001)) == ["Task 04999"])


def test_loaded_is_signalled_when_a_new_query_has_arrived(qtbot: QtBot, model: EntityTableModel) -> None:
    with qtbot.waitSignal(model.loaded, timeout=5_000):
        model.set_filters(search="Task 09")
    assert model.rowCount() == 1_000 and model.is_idle()


def test_the_ids_of_a_selection_beyond_the_loaded_rows_are_read_off_the_gui_thread(
    qtbot: QtBot, model: EntityTableModel, spy: PageSpy
) -> None:
    view = EntityView(model)
    qtbot.addWidget(view)
    wait_loaded(qtbot, model)  # the view sorts by id
    spy.calls.clear()
    view.table.selectAll()
    assert view.selected_count() == ROWS and model.record_at(ROWS - 1) is None
    answers: list[Result[list[int]]] = []
    view.selected_ids(answers.append)
    assert answers == []  # the rows not loaded are being read
    qtbot.waitUntil(lambda: bool(answers))
    assert answers[0].value == list(range(1, ROWS + 1))
    assert len(spy.calls) == ROWS // WINDOW_ROWS - 1  # each window but the first, loaded, read once


def test_deleting_rows_far_beyond_the_loaded_ones_reads_their_ids_off_the_gui_thread(
    qtbot: QtBot, big_store: Store, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(
        delete_flow, "confirm", lambda _parent, _title, text, _details: asked.append(text) or True
    )
    with shown_window(qtbot, big_store, settings) as window:
        tasks = window.view("task")
        tasks.table.setFocus()
        tasks.table.selectAll()
        assert tasks.model.record_at(ROWS - 1) is None
        qtbot.keyClick(tasks.table, Qt.Key.Key_Delete)
        qtbot.waitUntil(lambda: big_store.tasks.count() == 0, timeout=10_000)
        assert asked == [f"Delete {ROWS} tasks?"]
