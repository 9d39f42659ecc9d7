"""The table core in plain pytest: windows, read-ahead, counts, scheduling and lookups, off its owner."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from corehelpers import Owner

from desktop.demo import load_sample_data
from desktop.models import Task, TaskStatus, User
from desktop.store import ENTITIES, Cancel, Store
from desktop.table import MAX_WINDOWS, WINDOW_ROWS, Pending, Result, TableCore
from desktop.table import core as table_core
from desktop.table.core import PREFETCH_ROWS, SLOW_READ_S

ROWS = 1_000
TASKS = ENTITIES["task"]
MakeCore = Callable[..., TableCore]


@pytest.fixture
def tasks_store(sqlite_store: Store) -> Store:
    """A thousand tasks of one user: status cycles to do, in progress, done; titles "Task 0000" …"""
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


class Spy:
    """Wraps a repository method: notes every call's arguments; while `hold` is clear, calls wait for it
    (a call given a `cancel` handle stops waiting when it is cancelled, unless `cancellable` is False:
    a statement slow to stop); each call takes at least `delay` seconds."""

    def __init__(self, method: Callable[..., Any]) -> None:
        self._method = method
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        self.threads: set[int] = set()
        self.hold = threading.Event()
        self.hold.set()
        self.delay = 0.0
        self.cancellable = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((args, kwargs))
        self.threads.add(threading.get_ident())
        cancel: Cancel | None = kwargs.get("cancel")
        deadline = time.monotonic() + 10
        while not self.hold.wait(0.01) and time.monotonic() < deadline:
            if self.cancellable and cancel is not None and cancel.cancelled:
                break  # the method itself refuses to run on a cancelled handle
        time.sleep(self.delay)
        return self._method(*args, **kwargs)


@pytest.fixture
def pages(tasks_store: Store, monkeypatch: pytest.MonkeyPatch) -> Spy:
    spy = Spy(tasks_store.tasks.page)
    monkeypatch.setattr(tasks_store.tasks, "page", spy)
    return spy


@pytest.fixture
def counts(tasks_store: Store, monkeypatch: pytest.MonkeyPatch) -> Spy:
    spy = Spy(tasks_store.tasks.count)
    monkeypatch.setattr(tasks_store.tasks, "count", spy)
    return spy


def title(core: TableCore, row: int) -> str | None:
    cells = core.row_cells(row)
    return None if cells is None else cells[1]


def test_a_table_is_counted_and_only_its_first_window_read(
    owner: Owner, make_core: MakeCore, tasks_store: Store, pages: Spy
) -> None:
    core = make_core(tasks_store, TASKS)
    assert core.row_count == 0 and not core.counted  # nothing is read on the owner's thread
    owner.settle(core)
    assert (core.row_count, core.total_count) == (ROWS, ROWS)
    assert [args[:2] for args, _ in pages.calls] == [(0, WINDOW_ROWS)]
    assert threading.get_ident() not in pages.threads
    assert title(core, 0) == "Task 0000"
    assert owner.named("counts_changed")[-1] == (ROWS, ROWS)
    assert owner.named("loaded")


def test_a_missing_window_is_read_then_its_rows_change(
    owner: Owner, make_core: MakeCore, tasks_store: Store, pages: Spy
) -> None:
    core = make_core(tasks_store, TASKS)
    owner.settle(core)
    row = ROWS - 1
    assert title(core, row) is None and not core.is_idle()
    owner.run_until(core.is_idle)
    assert title(core, row) == "Task 0999"
    first = (ROWS - 1) // WINDOW_ROWS * WINDOW_ROWS
    assert ("rows_changed", first, ROWS - 1) in owner.events
    assert pages.calls[-1][1]["total"] == ROWS  # read backwards from the end


def test_rows_near_the_edge_of_a_window_read_the_next_one_ahead(
    owner: Owner, make_core: MakeCore, tasks_store: Store, pages: Spy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table_core, "SLOW_READ_S", 60.0)  # however loaded the machine, reads are quick
    core = make_core(tasks_store, TASKS)
    owner.settle(core)
    assert not core.reads_slowly
    title(core, WINDOW_ROWS // 2)
    assert core.is_idle()  # the middle of a window: nothing more to read
    title(core, WINDOW_ROWS - PREFETCH_ROWS)
    owner.run_until(core.is_idle)
    assert core.record_at(WINDOW_ROWS) is not None
    assert [args[0] for args, _ in pages.calls] == [0, WINDOW_ROWS]


def test_when_windows_arrive_slowly_more_of_them_are_read_ahead(
    owner: Owner, make_core: MakeCore, tasks_store: Store, pages: Spy
) -> None:
    pages.delay = SLOW_READ_S * 1.5
    core = make_core(tasks_store, TASKS)
    owner.settle(core)
    assert core.reads_slowly  # the core timed its first window
    title(core, 10)
    assert core.is_idle()  # the top of the table: nothing read ahead yet
    title(core, PREFETCH_ROWS)
    owner.run_until(core.is_idle)
    assert [args[0] for args, _ in pages.calls][1:] == [WINDOW_ROWS]  # the next window, 150 rows early
    title(core, WINDOW_ROWS // 2)
    owner.run_until(core.is_idle)
    assert [args[0] for args, _ in pages.calls][1:] == [WINDOW_ROWS, 2 * WINDOW_ROWS]  # and the one after
    assert core.record_at(3 * WINDOW_ROWS) is None  # no further


def test_memory_stays_bounded_however_far_one_scrolls(
    owner: Owner, make_core: MakeCore, tasks_store: Store, pages: Spy
) -> None:
    core = make_core(tasks_store, TASKS, synchronous=True)
    for row in range(0, ROWS, WINDOW_ROWS // 2):
        assert title(core, row) == f"Task {row:04d}"
    loaded = [row for row in range(ROWS) if core.record_at(row) is not None]
    assert len(loaded) <= MAX_WINDOWS * WINDOW_ROWS
    assert len(pages.calls) == ROWS // WINDOW_ROWS  # each window read once
    assert threading.get_ident() not in pages.threads  # waited for, but read on the query pool


def test_a_new_order_of_the_same_rows_is_not_counted_again(
    owner: Owner, make_core: MakeCore, tasks_store: Store, counts: Spy
) -> None:
    core = make_core(tasks_store, TASKS)
    owner.settle(core)
    counts.calls.clear()
    core.set_order("title", descending=True)
    owner.run_until(lambda: core.is_idle() and not core.reset_pending)
    assert title(core, 0) == "Task 0999"
    assert counts.calls == []


def test_the_first_rows_of_a_filter_come_before_its_count(
    owner: Owner, make_core: MakeCore, tasks_store: Store, counts: Spy
) -> None:
    core = make_core(tasks_store, TASKS)
    owner.settle(core)
    counts.hold.clear()
    core.set_filters(status=TaskStatus.done)
    owner.run_until(lambda: not core.reset_pending and core.record_at(0) is not None)
    assert (title(core, 0), core.row_count, core.count_pending) == ("Task 0002", WINDOW_ROWS, True)
    resets = len(owner.named("reset"))
    counts.hold.set()
    owner.run_until(core.is_idle)
    assert core.row_count == len(range(2, ROWS, 3))
    assert len(owner.named("reset")) == resets  # the count adds rows: no second reset
    assert owner.named("resize")[-1] == (WINDOW_ROWS, len(range(2, ROWS, 3)))


def test_a_superseded_count_is_stopped_and_the_newest_counted_without_waiting_for_it(
    owner: Owner, make_core: MakeCore, tasks_store: Store, counts: Spy
) -> None:
    core = make_core(tasks_store, TASKS)
    owner.settle(core)
    counts.calls.clear()
    counts.hold.clear()
    core.set_filters(search="Task 0")
    owner.run_until(lambda: len(counts.calls) >= 1)
    superseded: Cancel = counts.calls[0][1]["cancel"]
    assert not superseded.cancelled
    core.set_filters(search="Task 001")
    owner.run_until(lambda: len(counts.calls) >= 2)  # started while every count is still held
    newest: Cancel = counts.calls[1][1]["cancel"]
    owner.run_until(lambda: superseded.cancelled)
    assert not newest.cancelled
    counts.hold.set()
    owner.run_until(core.is_idle)
    assert [args for args, _ in counts.calls] == [("Task 0",), ("Task 001",)]
    assert core.row_count == 10 and title(core, 0) == "Task 0010"
    assert owner.named("error") == []  # the stopped count's error is no one's concern


def test_while_two_counts_are_being_stopped_the_newest_query_waits_for_one_of_them(
    owner: Owner, make_core: MakeCore, tasks_store: Store, counts: Spy
) -> None:
    """Queries typed in a row do not pile up: one count runs, beside one being stopped at most."""
    core = make_core(tasks_store, TASKS)
    owner.settle(core)
    counts.calls.clear()
    counts.hold.clear()
    counts.cancellable = False  # statements slow to stop: they run until the hold is released
    for text in ("Task 0", "Task 00"):
        core.set_filters(search=text)
        owner.run_until(lambda text=text: any(args == (text,) for args, _ in counts.calls))
    core.set_filters(search="Task 001")
    owner.run_until(lambda: title(core, 0) == "Task 0010" and not core.reset_pending)  # its first rows
    assert [args for args, _ in counts.calls] == [("Task 0",), ("Task 00",)]
    owner.run_until(lambda: all(kwargs["cancel"].cancelled for _, kwargs in counts.calls))
    counts.hold.set()
    owner.run_until(core.is_idle)
    assert [args for args, _ in counts.calls] == [("Task 0",), ("Task 00",), ("Task 001",)]
    assert core.row_count == 10 and owner.named("error") == []


def test_a_change_of_the_data_is_counted_again_and_shown(
    owner: Owner, make_core: MakeCore, tasks_store: Store
) -> None:
    core = make_core(tasks_store, TASKS)
    owner.settle(core)
    created = threading.Thread(target=lambda: tasks_store.tasks.create({"title": "Late", "owner_id": 1}))
    created.start()  # a write elsewhere: its change comes to the owner through post
    created.join()
    owner.run_until(lambda: core.row_count == ROWS + 1 and core.is_idle())
    assert owner.named("resize")[-1] == (ROWS, ROWS + 1)
    assert ("rows_changed", 0, ROWS - 1) in owner.events
    assert [change.kind for (change,) in owner.named("store_changed")] == ["created"]


def test_an_edit_shows_before_the_rows_are_counted_again(
    owner: Owner, make_core: MakeCore, tasks_store: Store, counts: Spy, pages: Spy
) -> None:
    """Counting ten million rows again takes a while: the rows shown are read again beside it."""
    core = make_core(tasks_store, TASKS)
    owner.settle(core)
    edited = core.row_id(3)
    assert edited is not None
    counts.hold.clear()
    pages.calls.clear()
    writer = threading.Thread(target=lambda: tasks_store.tasks.update(edited, {"title": "Edited"}))
    writer.start()  # a write elsewhere: its change comes to the owner through post
    writer.join()
    owner.run_until(lambda: title(core, 3) == "Edited")
    assert core.count_pending and not core.is_idle()
    assert ("rows_changed", 0, WINDOW_ROWS - 1) in owner.events
    counts.hold.set()
    owner.run_until(core.is_idle)
    assert title(core, 3) == "Edited" and core.row_count == ROWS
    assert len(pages.calls) == 1  # the count kept the rows read before it: nothing read twice


def test_rows_read_again_after_their_count_came_are_shown_too(
    owner: Owner, make_core: MakeCore, tasks_store: Store, pages: Spy
) -> None:
    """The count of an unchanged number of rows may come first, without rows: those read beside it
    are still shown when they come."""
    core = make_core(tasks_store, TASKS)
    owner.settle(core)
    edited = core.row_id(3)
    assert edited is not None
    pages.hold.clear()
    writer = threading.Thread(target=lambda: tasks_store.tasks.update(edited, {"title": "Edited"}))
    writer.start()
    writer.join()
    pages.calls.clear()
    # Counted: the rows read beside the count still wait.
    owner.run_until(lambda: bool(owner.named("store_changed")) and not core.count_pending)
    assert len(pages.calls) == 1 and not core.is_idle()
    pages.hold.set()
    owner.run_until(core.is_idle)
    record = core.record_at(3)  # as loaded, nothing asked for: the rows read beside the count
    assert record is not None and record.read.title == "Edited"
    assert len(pages.calls) == 1


def test_rows_read_beside_a_count_that_changed_are_read_again_with_it(
    owner: Owner, make_core: MakeCore, tasks_store: Store, counts: Spy, pages: Spy
) -> None:
    """Read for the old row count, the rows read beside the count do not fit a new one: the count's
    job reads them again, so they come with it (no placeholders in between)."""
    core = make_core(tasks_store, TASKS)
    owner.settle(core)
    counts.hold.clear()
    writer = threading.Thread(target=lambda: tasks_store.tasks.delete(core.row_id(0) or 0))
    writer.start()
    writer.join()
    owner.run_until(lambda: title(core, 0) == "Task 0001")  # read again for the rows shown
    pages.calls.clear()
    counts.hold.set()
    owner.run_until(lambda: core.is_idle() and core.row_count == ROWS - 1)
    assert len(pages.calls) == 1  # window 0, read by the count's job for the new count
    assert title(core, 0) == "Task 0001" and core.is_idle()  # fresh: nothing more to read
    owner.run_until(lambda: title(core, ROWS - 2) == "Task 0999")


def test_a_followed_row_is_reported_where_a_change_moves_it(
    owner: Owner, make_core: MakeCore, tasks_store: Store
) -> None:
    core = make_core(tasks_store, TASKS)
    core.set_order("title")
    owner.settle(core)
    followed = core.row_id(5)
    assert followed is not None
    core.follow(followed)
    tasks_store.tasks.update(followed, {"title": "Task 9999"})  # on the owner's thread: handled at once
    owner.run_until(lambda: bool(owner.named("row_followed")))
    assert owner.named("row_followed") == [(followed, ROWS - 1)]


def test_locate_finds_a_row_under_the_current_query(
    owner: Owner, make_core: MakeCore, tasks_store: Store
) -> None:
    core = make_core(tasks_store, TASKS)
    core.set_order("title", descending=True)
    owner.settle(core)
    core.locate(1)  # "Task 0000": last in this order
    owner.run_until(core.is_idle)
    core.set_filters(status=TaskStatus.done)
    core.locate(1)  # a to-do task: not shown
    owner.run_until(lambda: len(owner.named("row_located")) == 2)
    assert owner.named("row_located") == [(1, ROWS - 1), (1, None)]


def test_ids_of_loaded_rows_are_answered_at_once(
    owner: Owner, make_core: MakeCore, tasks_store: Store
) -> None:
    core = make_core(tasks_store, TASKS)
    owner.settle(core)
    answers: list[Result[list[int]]] = []
    core.ids_at([0, 1, 2, ROWS + 5], answers.append)
    assert answers == [Result(value=[1, 2, 3])]


def test_ids_beyond_the_loaded_rows_are_read_off_the_owners_thread(
    owner: Owner, make_core: MakeCore, tasks_store: Store, pages: Spy
) -> None:
    core = make_core(tasks_store, TASKS)
    core.set_order("title", descending=True)
    owner.settle(core)
    answers: list[Result[list[int]]] = []
    core.ids_at(range(ROWS), answers.append)
    assert answers == [] and not core.is_idle()
    owner.run_until(lambda: bool(answers))
    assert answers[0].value == list(range(ROWS, 0, -1))
    assert threading.get_ident() not in pages.threads
    assert core.record_at(ROWS // 2) is not None  # the windows read are kept


def test_names_and_the_name_after_a_reference_edit_are_read_off_the_owners_thread(
    owner: Owner, make_core: MakeCore, sqlite_store: Store
) -> None:
    load_sample_data(sqlite_store)
    heroes = make_core(sqlite_store, ENTITIES["hero"])
    owner.settle(heroes)
    answers: list[Result[list[tuple[int, str]]]] = []
    heroes.names("team", answers.append)
    owner.run_until(lambda: bool(answers))
    assert [name for _, name in answers[0].value or []] == ["Avengers"]
    record = heroes.record_at(0)
    assert record is not None and record.refs["team"] is None
    saved = record.read.model_copy(update={"team_id": answers[0].value[0][0]})  # type: ignore[index]
    heroes.show_saved(0, saved, ENTITIES["hero"].references[0])
    assert heroes.record_at(0) is record  # the name is being read
    owner.run_until(heroes.is_idle)
    shown = heroes.record_at(0)
    assert shown is not None and shown.refs["team"] == "Avengers" and ("rows_changed", 0, 0) in owner.events


def test_a_core_made_held_reads_nothing_until_started(
    owner: Owner, make_core: MakeCore, tasks_store: Store, counts: Spy
) -> None:
    core = make_core(tasks_store, TASKS, started=False)
    assert not core.started and not core.is_idle()
    core.start()
    owner.settle(core)
    assert core.row_count == ROWS and len(counts.calls) == 1


def test_an_owner_that_is_gone_stops_the_core(owner: Owner, make_core: MakeCore, tasks_store: Store) -> None:
    core = make_core(tasks_store, TASKS)
    owner.settle(core)
    owner.gone = True
    core.refresh()  # its query cannot be posted: the core stops listening to the store
    assert core not in [getattr(listener, "__self__", None) for listener in tasks_store._listeners]


def test_a_failed_query_is_told_as_an_error(
    owner: Owner, make_core: MakeCore, tasks_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = make_core(tasks_store, TASKS)
    owner.settle(core)

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise sa.exc.OperationalError("SELECT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(tasks_store.tasks, "page", broken)
    title(core, ROWS - 1)
    owner.run_until(lambda: bool(owner.named("error")))
    assert "Reading the data failed" in owner.named("error")[0][0]
    assert core.is_idle() and title(core, ROWS - 1) is None  # not asked again until refreshed


def test_a_row_is_read_as_it_is_saved_now_off_the_owners_thread(
    owner: Owner, make_core: MakeCore, tasks_store: Store
) -> None:
    core = make_core(tasks_store, TASKS)
    owner.settle(core)
    with tasks_store.engine.begin() as connection:  # changed by another program: no notification
        connection.execute(sa.update(Task.__table__).where(Task.__table__.c.id == 1).values(title="Theirs"))  # type: ignore[attr-defined]
    answers: dict[int, Result[Any]] = {}
    for row_id in (1, ROWS + 1):
        core.read_row(row_id, lambda found, row_id=row_id: answers.__setitem__(row_id, found))
    owner.run_until(lambda: len(answers) == 2)
    assert answers[1].value.title == "Theirs" and title(core, 0) == "Task 0000"
    assert answers[ROWS + 1].value is None and "not found" in (answers[ROWS + 1].error or "")


def test_what_the_rows_wait_for_is_told_as_it_changes(
    owner: Owner, make_core: MakeCore, tasks_store: Store, pages: Spy, counts: Spy
) -> None:
    core = make_core(tasks_store, TASKS)
    owner.settle(core)
    assert core.pending is None and owner.named("pending_changed")[-1] == (None,)
    owner.events.clear()
    pages.hold.clear()
    counts.hold.clear()
    core.set_filters(status=TaskStatus.done)
    assert core.pending is Pending.FILTER and Pending.FILTER.outdated
    pages.hold.set()  # the first rows come, the count still waits: the rows shown are current
    owner.run_until(lambda: not core.reset_pending)
    assert core.pending is Pending.COUNT and not Pending.COUNT.outdated
    counts.hold.set()
    owner.run_until(core.is_idle)
    assert core.pending is None
    core.set_filters(search="Task 00", status=TaskStatus.done)
    assert core.pending is Pending.SEARCH  # the search text changed, whatever else did
    owner.run_until(core.is_idle)
    core.set_order("title", descending=True)
    assert core.pending is Pending.SORT
    owner.run_until(core.is_idle)
    told = [work for (work,) in owner.named("pending_changed")]
    assert told[:4] == [Pending.FILTER, Pending.COUNT, None, Pending.SEARCH]
    assert told[-2:] == [Pending.SORT, None] and core.pending is None


def test_while_every_row_is_counted_the_databases_estimate_is_told_and_no_rows_are_made_of_it(
    owner: Owner, make_core: MakeCore, tasks_store: Store, counts: Spy
) -> None:
    core = make_core(tasks_store, TASKS)
    owner.settle(core)
    with tasks_store.tasks.transaction(write=True) as session:  # the span of the ids stays 1..1000
        session.execute(sa.delete(TASKS.sa_table).where(TASKS.sa_table.c.id.between(2, 101)))
    counts.hold.clear()
    owner.events.clear()
    core.refresh()
    owner.run_until(lambda: bool(owner.named("estimated")))
    assert owner.named("estimated") == [(ROWS,)] and core.estimated_count == ROWS
    assert core.row_count == ROWS and core.count_pending  # the rows shown before, until counted
    counts.hold.set()
    owner.run_until(core.is_idle)
    assert core.row_count == ROWS - 100 and core.estimated_count is None
    counts.hold.clear()
    core.set_filters(status=TaskStatus.done)  # a filtered count: the table's estimate says nothing
    owner.run_until(lambda: not core.reset_pending)
    assert core.count_pending and core.estimated_count is None
    counts.hold.set()
    owner.run_until(core.is_idle)
    assert owner.named("estimated") == [(ROWS,)]
