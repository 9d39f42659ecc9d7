"""The Overview tab as a person uses it: the charts' numbers, a click to the rows, saving, filter counts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCharts import QAbstractBarSeries, QBarCategoryAxis, QChart, QLineSeries, QPieSeries
from PySide6.QtCore import QPointF, QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QStyleOptionViewItem
from pytestqt.qtbot import QtBot
from uihelpers import column_texts, show, wait_settled

from desktop.models import TaskStatus
from desktop.store import Store
from desktop.store import overview as aggregates
from desktop.ui.charts import ChartView
from desktop.ui.facets import Facet
from desktop.ui.main_window import MainWindow
from desktop.ui.overview import OverviewPage
from desktop.ui.views import EntityView

CHART_NAMES = ("tasksByOwnerChart", "tasksCreatedChart", "heroesByTeamChart", "itemsValueChart")


@pytest.fixture
def fresh_settings(tmp_path: Path) -> QSettings:
    """Settings of a first start: no tab remembered."""
    return QSettings(str(tmp_path / "first.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def overview_window(qtbot: QtBot, sample_store: Store, fresh_settings: QSettings) -> Iterator[MainWindow]:
    window = MainWindow(sample_store, fresh_settings)
    qtbot.addWidget(window)
    show(qtbot, window)
    wait_charts(qtbot, window.overview)
    yield window
    window.close()


def wait_charts(qtbot: QtBot, page: OverviewPage) -> None:
    qtbot.waitUntil(lambda: not page.loading and len(page.data) == 4, timeout=10_000)


def chart(page: OverviewPage, name: str) -> QChart:
    view = page.findChild(ChartView, name)
    assert view is not None
    return view.chart()


def bars(chart_: QChart) -> tuple[list[str], dict[str, list[float]]]:
    """A bar chart as drawn: its categories from the top down, and each set's values in that order."""
    [series] = chart_.series()
    assert isinstance(series, QAbstractBarSeries)
    [axis] = [axis for axis in chart_.axes() if isinstance(axis, QBarCategoryAxis)]
    categories = list(reversed(axis.categories()))
    values = {s.label(): list(reversed([s.at(i) for i in range(s.count())])) for s in series.barSets()}
    return categories, values


def shown_numbers(page: OverviewPage) -> dict[str, Any]:
    """What the four charts draw, read back from their series."""
    owners, by_status = bars(chart(page, "tasksByOwnerChart"))
    teams, heroes = bars(chart(page, "heroesByTeamChart"))
    lines = {s.name(): [p.y() for p in s.points()] for s in chart(page, "tasksCreatedChart").series()}
    assert all(isinstance(s, QLineSeries) for s in chart(page, "tasksCreatedChart").series())
    stock = chart(page, "itemsValueChart")
    pies = [s for s in stock.series() if isinstance(s, QPieSeries)]
    legend = [marker.label() for marker in stock.legend().markers() if marker.isVisible()]
    return {
        "owners": owners,
        "by_status": by_status,
        "teams": teams,
        "heroes": heroes["Heroes"],
        "weeks": lines,
        "stock": [[(sl.label(), sl.value()) for sl in pie.slices()] for pie in pies],
        "stock_legend": legend,
    }


def store_numbers(store: Store) -> dict[str, Any]:
    """The same numbers straight from the store's aggregates."""
    owners = aggregates.tasks_by_owner(store)
    teams = aggregates.heroes_by_team(store)
    weeks = aggregates.tasks_over_time(store).weeks
    stock = aggregates.items_by_stock(store)
    names = {True: "In stock", False: "Out of stock"}
    return {
        "owners": [owner.name for owner in owners],
        "by_status": {s.label: [float(o.counts.get(s, 0)) for o in owners] for s in TaskStatus},
        "teams": [f"{team.name} · level {team.average_level:.0f}" for team in teams],
        "heroes": [float(team.heroes) for team in teams],
        "weeks": {"Created": [w.created for w in weeks], "Done": [w.done for w in weeks]},
        "stock": [
            [(f"{v.items:,} items", float(v.items)) for v in stock],
            [(f"{v.total_price:,.0f}", v.total_price) for v in stock],
        ],
        "stock_legend": [names[v.in_stock] for v in stock],
    }


def test_the_overview_is_the_first_tab_and_opens_first(qtbot: QtBot, overview_window: MainWindow) -> None:
    window = overview_window
    assert list(window.views) == []  # the entity tabs are built when first shown
    assert window.tabs.indexOf(window.overview) == 0
    assert window.tabs.currentWidget() is window.overview
    assert window.overview.objectName() == "overviewPage"
    for name in CHART_NAMES:
        view = window.overview.findChild(ChartView, name)
        assert view is not None and view.isVisible() and view.width() >= 240
    assert window.count_label.text() == ""
    assert not window.action_edit.isEnabled() and not window.action_delete.isEnabled()
    assert window.action_new.text() == "&New task…"
    window.tabs.setCurrentWidget(window.view("hero"))
    qtbot.waitUntil(lambda: window.count_label.text() == "3 of 3 heroes")


def test_the_charts_show_the_store_numbers_and_follow_an_edit(
    qtbot: QtBot, overview_window: MainWindow, sample_store: Store
) -> None:
    page = overview_window.overview
    shown = shown_numbers(page)
    assert shown == store_numbers(sample_store)
    assert shown["owners"] == ["alice", "bob"]
    assert shown["by_status"] == {"To do": [1.0, 1.0], "In progress": [1.0, 1.0], "Done": [1.0, 1.0]}
    assert shown["weeks"]["Created"][-1] == 6 and shown["weeks"]["Done"][-1] == 2  # all made this week
    assert shown["teams"] == ["Avengers · level 8", "No team · level 5"]

    old_chart = chart(page, "tasksByOwnerChart")
    sample_store.tasks.update(3, {"status": "done"})  # alice's "Review the migrations"
    qtbot.waitUntil(lambda: chart(page, "tasksByOwnerChart") is not old_chart, timeout=10_000)
    wait_charts(qtbot, page)
    shown = shown_numbers(page)
    assert shown == store_numbers(sample_store)
    # Bob has more open tasks now, so he comes first; and one more task was done this week.
    assert shown["owners"] == ["bob", "alice"]
    assert shown["by_status"]["Done"] == [1.0, 2.0]
    assert shown["weeks"]["Done"][-1] == 3


def test_the_old_chart_stays_until_the_new_numbers_arrive(qtbot: QtBot, overview_window: MainWindow) -> None:
    page = overview_window.overview
    before = chart(page, "itemsValueChart")
    page.refresh()
    # The answer comes back through the event loop: until then the old chart, slices and all, is shown.
    assert chart(page, "itemsValueChart") is before and len(before.series()) == 2
    wait_charts(qtbot, page)
    after = chart(page, "itemsValueChart")
    assert after is not before and len(after.series()) == 2


def click_bar(qtbot: QtBot, view: ChartView, label: str, category: str) -> None:
    """Click the middle of that set's segment in that category, where a person would."""
    chart_ = view.chart()
    [series] = chart_.series()
    assert isinstance(series, QAbstractBarSeries)
    [axis] = [axis for axis in chart_.axes() if isinstance(axis, QBarCategoryAxis)]
    index = axis.categories().index(category)
    start = 0.0
    for bar_set in series.barSets():
        if bar_set.label() == label:
            middle = start + bar_set.at(index) / 2
            break
        start += bar_set.at(index) if series.type() != series.SeriesType.SeriesTypeHorizontalBar else 0
    point = chart_.mapToPosition(QPointF(middle, index), series)
    position = view.mapFromScene(chart_.mapToScene(point))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=position)


def test_clicking_bobs_in_progress_segment_shows_his_tasks_in_progress(
    qtbot: QtBot, overview_window: MainWindow
) -> None:
    window = overview_window
    owners = window.overview.findChild(ChartView, "tasksByOwnerChart")
    assert owners is not None
    click_bar(qtbot, owners, "In progress", "bob")
    tasks = window.view("task")
    assert window.tabs.currentWidget() is tasks
    wait_settled(qtbot, window)
    assert tasks.filter_bar.references["owner_id"].combo.currentText() == "bob"
    status = tasks.filter_bar.filters["status"].widget
    assert isinstance(status, QComboBox) and status.currentText() == "In progress"
    assert column_texts(tasks.table, "title") == ["Build the edit dialog"]


def test_clicking_the_no_team_bar_shows_the_heroes_in_no_team(
    qtbot: QtBot, overview_window: MainWindow
) -> None:
    window = overview_window
    teams = window.overview.findChild(ChartView, "heroesByTeamChart")
    assert teams is not None
    click_bar(qtbot, teams, "Heroes", "No team · level 5")
    heroes = window.view("hero")
    assert window.tabs.currentWidget() is heroes
    wait_settled(qtbot, window)
    assert heroes.filter_bar.references["team_id"].combo.currentText() == "No team"
    assert column_texts(heroes.table, "name") == ["Spider-Man"]


def test_a_chart_is_saved_as_png_and_svg_and_copied(
    qtbot: QtBot, overview_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = overview_window.overview.findChild(ChartView, "tasksByOwnerChart")
    assert view is not None
    answers = iter([str(tmp_path / "owners"), str(tmp_path / "owners.svg")])
    monkeypatch.setattr(ChartView, "ask_path", classmethod(lambda cls, *args: next(answers)))
    menu = view.context_menu()
    actions = {action.text().replace("&", ""): action for action in menu.actions() if action.text()}
    assert list(actions) == ["Save as PNG…", "Save as SVG…", "Copy"]
    actions["Save as PNG…"].trigger()
    actions["Save as SVG…"].trigger()
    png = (tmp_path / "owners.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    svg = (tmp_path / "owners.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "bob" in svg and "alice" in svg  # the chart's own text, as text
    actions["Copy"].trigger()
    copied = QApplication.clipboard().pixmap()
    assert not copied.isNull() and copied.width() == view.grab().width()


def test_the_charts_follow_a_dark_palette(qtbot: QtBot, overview_window: MainWindow) -> None:
    page = overview_window.overview
    dark = QPalette(page.palette())
    dark.setColor(QPalette.ColorRole.Window, QColor("#2b2b2e"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#1f1f22"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e6e6e6"))
    page.setPalette(dark)
    owners = chart(page, "tasksByOwnerChart")
    assert owners.theme() == QChart.ChartTheme.ChartThemeDark
    assert owners.backgroundBrush().color() == QColor("#1f1f22")
    assert owners.titleBrush().color() == QColor("#e6e6e6")
    assert shown_numbers(page)["owners"] == ["alice", "bob"]  # redrawn with the same numbers


# --- counts in the filter lists ------------------------------------------------------------------


def drawn_texts(combo: QComboBox) -> list[str]:
    """The choices as the open list draws them, through its delegate."""
    delegate = combo.itemDelegate()
    texts = []
    for row in range(combo.count()):
        option = QStyleOptionViewItem()
        delegate.initStyleOption(option, combo.model().index(row, 0))  # type: ignore[attr-defined]
        texts.append(option.text)
    return texts


def facet(view: EntityView, field: str) -> Facet:
    return next(f for f in view.filter_bar.facets.facets if f.field == field)


def wait_counts(qtbot: QtBot, view: EntityView) -> None:
    qtbot.waitUntil(lambda: not view.filter_bar.facets.pending, timeout=5_000)


def test_filter_lists_count_each_choice_given_the_other_filters(
    qtbot: QtBot, window: MainWindow, sample_store: Store
) -> None:
    tasks = window.view("task")
    status, owner = facet(tasks, "status").combo, facet(tasks, "owner_id").combo
    wait_settled(qtbot, window)
    wait_counts(qtbot, tasks)
    assert drawn_texts(status) == ["All (6)", "To do (2)", "In progress (2)", "Done (2)"]
    assert drawn_texts(owner) == ["All (6)", "alice (3)", "bob (3)"]
    assert [status.itemText(i) for i in range(status.count())] == ["All", "To do", "In progress", "Done"]

    sample_store.tasks.update(4, {"status": "todo"})  # bob's "Design the task list"
    sample_store.tasks.update(6, {"status": "done"})  # bob's "Package the app"
    wait_settled(qtbot, window)
    wait_counts(qtbot, tasks)
    owner.setCurrentIndex(owner.findText("bob"))  # the status list now counts bob's tasks only
    wait_settled(qtbot, window)
    wait_counts(qtbot, tasks)
    assert drawn_texts(status) == ["All (3)", "To do (1)", "In progress (1)", "Done (1)"]
    assert drawn_texts(owner) == ["All (6)", "alice (3)", "bob (3)"]  # its own filter left out

    status.setCurrentIndex(status.findText("Done"))
    qtbot.keyClicks(tasks.filter_bar.search.box, "the")
    wait_settled(qtbot, window)
    wait_counts(qtbot, tasks)
    # Titles holding "the": alice's plan (done), database, migrations; bob's task list, edit dialog, app.
    assert drawn_texts(owner) == ["All (2)", "alice (1)", "bob (1)"]
    assert drawn_texts(status) == ["All (3)", "To do (1)", "In progress (1)", "Done (1)"]
    assert column_texts(tasks.table, "title") == ["Package the app"]

    sample_store.users.create({"username": "carol", "email": "carol@example.com"})  # the names are read again
    qtbot.waitUntil(lambda: owner.count() == 4)
    wait_counts(qtbot, tasks)
    assert drawn_texts(owner) == ["All (2)", "alice (1)", "bob (1)", "carol (0)"]


def test_counts_show_an_ellipsis_until_they_arrive(qtbot: QtBot, window: MainWindow) -> None:
    heroes = window.view("hero")
    window.tabs.setCurrentWidget(heroes)
    wait_settled(qtbot, window)
    wait_counts(qtbot, heroes)
    team = facet(heroes, "team_id").combo
    assert drawn_texts(team) == ["All (3)", "No team (1)", "Avengers (2)"]
    heroes.filter_bar.facets.request()
    heroes.filter_bar.facets._read()  # started, its answers not back yet (they come through the event loop)
    assert drawn_texts(team) == ["All (…)", "No team (…)", "Avengers (…)"]
    wait_counts(qtbot, heroes)
    assert drawn_texts(team) == ["All (3)", "No team (1)", "Avengers (2)"]


def test_a_sum_of_many_that_dwarfs_the_bars_runs_off_the_axis_with_its_number() -> None:
    from desktop.ui.overview import _bar_range, _summed_label

    assert _bar_range([16_457, 5_005], 918_174) == 16_457  # "990 others" beside the ten busiest
    assert _summed_label("990 others", 918_174, 16_457) == "990 others (918,174) ▸"
    assert _bar_range([10, 5], 20) == 20  # a sum that does not dwarf them is drawn whole
    assert _summed_label("2 others", 20, 20) == "2 others"
    assert _bar_range([], 7) == 7  # only heroes in no team


def test_refresh_reads_changes_made_behind_the_stores_back(
    qtbot: QtBot, overview_window: MainWindow, sample_store: Store
) -> None:
    import sqlalchemy as sa

    from desktop.models import Task

    with sample_store.engine.begin() as connection:  # no change notification: another program, say
        connection.execute(
            sa.insert(Task.__table__), [{"title": "Elsewhere", "owner_id": 2, "status": "todo"}]
        )  # type: ignore[attr-defined]
    page = overview_window.overview
    old_chart = chart(page, "tasksByOwnerChart")
    overview_window.action_refresh.trigger()
    qtbot.waitUntil(lambda: chart(page, "tasksByOwnerChart") is not old_chart, timeout=10_000)
    wait_charts(qtbot, page)
    assert shown_numbers(page) == store_numbers(sample_store)
    assert shown_numbers(page)["by_status"]["To do"] == [2.0, 1.0]  # bob first now, with two to do
