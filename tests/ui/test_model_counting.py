"""Counting is not on the way to the rows: a filter's first rows come before its count, a sort reuses it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from uihelpers import wait_loaded

from desktop.models import Task, TaskStatus, User
from desktop.store import ENTITIES, Store
from desktop.ui.table_model import EntityTableModel
from desktop.ui.views import EntityView

ROWS = 1_000


@pytest.fixture
def tasks_store(sqlite_store: Store) -> Store:
    statuses = list(TaskStatus)
    with sqlite_store.engine.begin() as connection:
        connection.execute(
            sa.insert(User.__table__),  # type: ignore[attr-defined]
            [{"id": 1, "username": "ann", "email": "ann@example.com"}],
        )
        connection.execute(
            sa.insert(Task.__table__),  # type: ignore[attr-defined]
            [{"title": f"Task {n:04d}", "status": statuses[n % 3], "owner_id": 1} for n in range(ROWS)],
        )
    return sqlite_store


class CountSpy:
    """Wraps repository.count: records every call; while `hold` is clear, calls wait for it."""

    def __init__(self, count: Callable[..., int]) -> None:
        self._count = count
        self.calls: list[tuple[Any, ...]] = []
        self.hold = threading.Event()
        self.hold.set()

    def __call__(self, *args: Any, **kwargs: Any) -> int:
        self.calls.append((args, tuple(sorted(kwargs.items()))))
        self.hold.wait(10)
        return self._count(*args, **kwargs)


@pytest.fixture
def counts(tasks_store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[CountSpy]:
    spy = CountSpy(tasks_store.tasks.count)
    monkeypatch.setattr(tasks_store.tasks, "count", spy)
    yield spy
    spy.hold.set()


@pytest.fixture
def model(qtbot: QtBot, tasks_store: Store, counts: CountSpy) -> Iterator[EntityTableModel]:
    built = EntityTableModel(tasks_store, ENTITIES["task"])
    wait_loaded(qtbot, built)
    yield built
    built.shutdown()


def title(model: EntityTableModel, row: int) -> object:
    return model.data(model.index(row, model.column_of("title")))


def test_a_new_order_of_the_same_rows_is_not_counted_again(
    qtbot: QtBot, model: EntityTableModel, counts: CountSpy
) -> None:
    counts.calls.clear()
    model.set_order("title", descending=True)
    wait_loaded(qtbot, model)
    assert title(model, 0) == "Task 0999"
    assert model.rowCount() == ROWS
    assert counts.calls == []


def test_a_change_of_the_data_is_counted_again(
    qtbot: QtBot, model: EntityTableModel, tasks_store: Store, counts: CountSpy
) -> None:
    tasks_store.tasks.delete(1)
    qtbot.waitUntil(lambda: model.rowCount() == ROWS - 1, timeout=5_000)
    counts.calls.clear()
    model.set_order("title")
    wait_loaded(qtbot, model)
    assert counts.calls == []  # the count after the delete is still good for a new order


def test_a_filter_shows_its_first_rows_before_its_count_arrives(
    qtbot: QtBot, model: EntityTableModel, counts: CountSpy
) -> None:
    counts.hold.clear()
    model.set_filters(status=TaskStatus.done)
    qtbot.waitUntil(lambda: not model.reset_pending and model.record_at(0) is not None, timeout=5_000)
    assert title(model, 0) == "Task 0002"
    assert model.rowCount() == 200
    assert not model.is_idle()  # the count is still coming
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    counts.hold.set()
    wait_loaded(qtbot, model)
    assert model.rowCount() == len(range(2, ROWS, 3))
    assert title(model, 0) == "Task 0002"
    assert resets == []  # the count adds rows: what the view shows and selects stays


def test_a_table_opened_shows_its_first_rows_before_its_count_arrives(
    qtbot: QtBot, tasks_store: Store, counts: CountSpy
) -> None:
    counts.hold.clear()
    opened = EntityTableModel(tasks_store, ENTITIES["task"])
    try:
        qtbot.waitUntil(lambda: opened.record_at(0) is not None, timeout=5_000)
        assert (title(opened, 0), opened.rowCount(), opened.counted) == ("Task 0000", 200, False)
        counts.hold.set()
        wait_loaded(qtbot, opened)
        assert (opened.rowCount(), opened.total_count, opened.counted) == (ROWS, ROWS, True)
    finally:
        counts.hold.set()
        opened.shutdown()


@pytest.mark.parametrize("moved_meanwhile", [False, True])
def test_ctrl_end_before_the_count_goes_to_the_last_row_once_counted(
    qtbot: QtBot, tasks_store: Store, counts: CountSpy, moved_meanwhile: bool
) -> None:
    counts.hold.clear()
    view = EntityView(EntityTableModel(tasks_store, ENTITIES["task"]))
    qtbot.addWidget(view)
    view.show()
    try:
        qtbot.waitUntil(lambda: view.model.record_at(0) is not None, timeout=5_000)
        view.table.setFocus()
        qtbot.keyClick(view.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        assert view.table.currentIndex().row() == 199  # the last row known so far
        if moved_meanwhile:
            qtbot.keyClick(view.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
        counts.hold.set()
        wait_loaded(qtbot, view.model)
        assert view.table.currentIndex().row() == (0 if moved_meanwhile else ROWS - 1)
    finally:
        counts.hold.set()
        view.model.shutdown()


def test_the_first_rows_of_a_superseded_filter_are_dropped(
    qtbot: QtBot, model: EntityTableModel, counts: CountSpy
) -> None:
    counts.hold.clear()
    model.set_filters(status=TaskStatus.done)
    model.set_filters(status=TaskStatus.todo)
    counts.hold.set()
    wait_loaded(qtbot, model)
    assert title(model, 0) == "Task 0000"
    assert model.rowCount() == len(range(0, ROWS, 3))


def test_an_unfiltered_count_is_reused_for_the_total(
    qtbot: QtBot, model: EntityTableModel, counts: CountSpy
) -> None:
    counts.calls.clear()
    model.set_filters(status=TaskStatus.in_progress)
    wait_loaded(qtbot, model)
    assert model.total_count == ROWS
    assert len(counts.calls) == 1  # the filtered count; the table's total was known


def test_a_new_query_while_the_last_one_is_still_counted_is_shown_in_full(
    qtbot: QtBot, model: EntityTableModel, counts: CountSpy
) -> None:
    counts.hold.clear()
    model.set_filters(status=TaskStatus.done)
    qtbot.waitUntil(lambda: not model.reset_pending and model.record_at(0) is not None, timeout=5_000)
    model.set_filters()
    model.set_order("title", descending=True)
    counts.hold.set()
    wait_loaded(qtbot, model)
    assert not model.reset_pending
    assert model.rowCount() == ROWS
    assert title(model, 0) == "Task 0999"


def test_clearing_a_filter_whose_first_rows_are_shown_shows_every_row(
    qtbot: QtBot, model: EntityTableModel, counts: CountSpy
) -> None:
    counts.hold.clear()
    model.set_filters(search="Task 00")
    qtbot.waitUntil(lambda: not model.reset_pending and model.record_at(0) is not None, timeout=5_000)
    assert model.rowCount() == 100
    model.set_filters()
    qtbot.waitUntil(lambda: not model.reset_pending, timeout=5_000)
    assert model.rowCount() == ROWS
    counts.hold.set()
    wait_loaded(qtbot, model)
    assert model.rowCount() == ROWS


def test_filters_typed_in_a_row_stop_the_counts_they_supersede(
    qtbot: QtBot, model: EntityTableModel, counts: CountSpy
) -> None:
    """The spy's counts run until released, as statements slow to stop: a newer query's count starts
    beside one being stopped, and waits while two are."""
    counts.calls.clear()
    counts.hold.clear()
    for started, text in ((1, "Task 0"), (2, "Task 00"), (2, "Task 001")):
        model.set_filters(search=text)
        qtbot.waitUntil(lambda started=started: len(counts.calls) >= started, timeout=5_000)
        qtbot.wait(50)
    qtbot.waitUntil(lambda: not model.reset_pending and model.record_at(0) is not None, timeout=5_000)
    assert title(model, 0) == "Task 0010"  # the newest query's first rows did not wait
    assert [call[0] for call in counts.calls] == [("Task 0",), ("Task 00",)]
    qtbot.waitUntil(lambda: all(dict(call[1])["cancel"].cancelled for call in counts.calls), timeout=5_000)
    counts.hold.set()
    wait_loaded(qtbot, model)
    assert [call[0] for call in counts.calls] == [("Task 0",), ("Task 00",), ("Task 001",)]
    assert model.rowCount() == 10
