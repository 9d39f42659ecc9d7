"""The Overview tab: four charts of store aggregates, read off the GUI thread; a click shows the rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from PySide6.QtCharts import (
    QAbstractAxis,
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QDateTimeAxis,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QEvent, Qt, QTimer, QTimeZone, Signal
from PySide6.QtGui import QCursor, QFont, QShowEvent
from PySide6.QtWidgets import QGridLayout, QToolTip, QWidget

from desktop.models import TaskStatus
from desktop.store import Change, Store
from desktop.store import overview as aggregates
from desktop.store.overview import OwnerTasks, StockValue, TasksOverTime, TeamHeroes
from desktop.ui.charts import ChartView, apply_palette, new_chart
from desktop.ui.loading import Outcome, QueryRunner

# key: (objectName, title, what the store reads for it)
CHARTS: dict[str, tuple[str, str, Callable[..., Any]]] = {
    "owners": ("tasksByOwnerChart", "Tasks by owner", aggregates.tasks_by_owner),
    "weeks": ("tasksCreatedChart", "Tasks created and done per week", aggregates.tasks_over_time),
    "teams": ("heroesByTeamChart", "Heroes per team", aggregates.heroes_by_team),
    "stock": ("itemsValueChart", "Items in and out of stock", aggregates.items_by_stock),
}
NO_TEAM = "none"  # the team filter's choice for heroes in no team (ReferenceFilter.NONE)
STATUS_ORDER = (TaskStatus.todo, TaskStatus.in_progress, TaskStatus.done)
REFRESH_DELAY_MS = 150  # a burst of changes (an import) is read once
SUMMED_CUT_AFTER = 3  # times the largest single bar
CATEGORY_POINTS = 7.0
ROOMY_CATEGORIES = 6  # up to this many names keep the usual size
READS_AT_ONCE = 2  # charts read side by side (more only contend for the same cores and the GIL)


def _category_axis(labels: list[str]) -> QBarCategoryAxis:
    axis = QBarCategoryAxis()
    axis.append(labels)
    # Eleven names down the side of a chart half the window high: QtCharts leaves out (…) a name taller
    # than its bar's share of the height, which the usual 9 or 10 points are at the default window size.
    if len(labels) > ROOMY_CATEGORIES:
        font = QFont(axis.labelsFont())
        font.setPointSizeF(min(font.pointSizeF(), CATEGORY_POINTS))
        axis.setLabelsFont(font)
    return axis


def _bar_range(individual: list[int], summed: int | None) -> int:
    """How far the count axis goes: a sum of many ("others", "no team") that dwarfs the rest runs off it.

    A thousand owners' tasks beside the ten busiest would leave the ten as slivers. The summed bar
    is then cut at the edge, and its label gives its number.
    """
    largest = max(individual, default=0)
    if summed is not None and summed > SUMMED_CUT_AFTER * largest > 0:
        return largest
    return max(largest, summed or 0)


def _summed_label(name: str, total: int, axis_end: int) -> str:
    return f"{name} ({total:,}) ▸" if total > axis_end else name


def _count_axis(largest: float) -> QValueAxis:
    axis = QValueAxis()
    axis.setRange(0, max(largest, 1))
    axis.setLabelFormat("%.0f")
    axis.applyNiceNumbers()
    return axis


def _attach(chart: QChart, series: Any, horizontal: QAbstractAxis, vertical: QAbstractAxis) -> None:
    chart.addSeries(series)
    for axis, where in ((horizontal, Qt.AlignmentFlag.AlignBottom), (vertical, Qt.AlignmentFlag.AlignLeft)):
        chart.addAxis(axis, where)
        series.attachAxis(axis)


def _qt_time(moment: datetime) -> QDateTime:
    return QDateTime.fromMSecsSinceEpoch(int(moment.timestamp() * 1000), QTimeZone.utc())


def _tip(text: str) -> None:
    QToolTip.showText(QCursor.pos(), text)


class OverviewPage(QWidget):
    """Tasks by owner, tasks per week, heroes per team, items in stock.

    The charts are read when the page is shown, and again after changes while it is shown; a page
    that is hidden when data changes reads them when it is shown next. Old charts stay until the
    new numbers arrive.
    """

    drill_down = Signal(str, dict)  # entity name, filter values as FilterBar.restore() takes them
    loaded = Signal()  # the four charts show what was last read
    _store_event = Signal(object)

    def __init__(
        self, store: Store, parent: QWidget | None = None, *, now: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("overviewPage")
        self._store = store
        self._now = now
        self._generation = 0
        self._waiting: set[str] = set()
        self._queued: list[str] = []
        self._stale = True
        self.data: dict[str, Any] = {}  # what each chart shows, as the store returned it
        self.views: dict[str, ChartView] = {}
        layout = QGridLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        for n, (key, (name, title, _read)) in enumerate(CHARTS.items()):
            view = ChartView(name, title, self)
            view.chart().setTitle(title)
            self.views[key] = view
            layout.addWidget(view, n // 2, n % 2)
        self._runner = QueryRunner()
        self._runner.finished.connect(self._on_outcome)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._store_event.connect(self._on_store_change)
        store.subscribe(self._relay_change)

    # --- the store ---------------------------------------------------------------------

    def set_store(self, store: Store) -> None:
        self._store.unsubscribe(self._relay_change)
        self._store = store
        store.subscribe(self._relay_change)
        self._stale = True
        if self.isVisible():
            self.refresh()

    def shutdown(self) -> None:
        self._refresh_timer.stop()
        self._store.unsubscribe(self._relay_change)
        self._generation += 1  # whatever is still being read is dropped

    def _relay_change(self, change: Change) -> None:
        try:
            self._store_event.emit(change)  # from the writing thread to the GUI thread
        except RuntimeError:  # the page is gone
            self._store.unsubscribe(self._relay_change)

    def _on_store_change(self, change: Change) -> None:
        self.mark_stale()

    def mark_stale(self) -> None:
        """Read the charts again soon if the page is shown, else when it is shown next."""
        self._stale = True
        if self.isVisible():
            self._refresh_timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    @property
    def loading(self) -> bool:
        return bool(self._waiting) or self._refresh_timer.isActive()

    # --- reading -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the four charts again, each on a query thread; each is redrawn when its numbers arrive."""
        self._refresh_timer.stop()
        self._stale = False
        self._generation += 1
        self._waiting = set(CHARTS)
        self._queued = list(CHARTS)
        for _ in range(READS_AT_ONCE):
            self._read_next()

    def _read_next(self) -> None:
        if not self._queued:
            return
        key = self._queued.pop(0)
        read = CHARTS[key][2]
        now = self._now() if self._now is not None else None
        store = self._store
        work: Callable[[], Any] = partial(read, store, now) if key == "weeks" else partial(read, store)
        self._runner.submit((self._generation, key), work)

    def _on_outcome(self, outcome: Outcome) -> None:
        tag: tuple[int, str] = outcome.tag  # type: ignore[assignment]
        generation, key = tag
        if generation != self._generation:
            return  # a newer read is on its way
        self._read_next()
        self._waiting.discard(key)
        view = self.views[key]
        if outcome.error is not None:
            view.setToolTip(outcome.error)  # the old chart stays
        else:
            view.setToolTip("")
            self.data[key] = outcome.value
            self._draw(key)
        if not self._waiting:
            self.loaded.emit()

    def _draw(self, key: str) -> None:
        view = self.views[key]
        chart = new_chart(self.palette())
        chart.setTitle(view.title)
        builders: dict[str, Callable[[QChart, Any], None]] = {
            "owners": self._owners_chart,
            "weeks": self._weeks_chart,
            "teams": self._teams_chart,
            "stock": self._stock_chart,
        }
        builders[key](chart, self.data[key])
        apply_palette(chart, self.palette())  # again, for the axes and series added since
        view.replace_chart(chart)
        if key == "stock":
            self._stock_legend(chart)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            for key in self.data:
                self._draw(key)  # the theme's colours are set before the series are added
        super().changeEvent(event)

    # --- the four charts --------------------------------------------------------------------

    def _owners_chart(self, chart: QChart, owners: list[OwnerTasks]) -> None:
        rows = list(reversed(owners))  # a horizontal chart draws its first category at the bottom
        series = QHorizontalStackedBarSeries()
        for status in STATUS_ORDER:
            bar_set = QBarSet(status.label)
            bar_set.append([float(owner.counts.get(status, 0)) for owner in rows])
            bar_set.clicked.connect(partial(self._owner_clicked, rows, status))
            bar_set.hovered.connect(partial(self._owner_hovered, rows, status))
            series.append(bar_set)
        others = next((owner.total for owner in owners if owner.owner_id is None), None)
        end = _bar_range([owner.total for owner in owners if owner.owner_id is not None], others)
        names = [
            _summed_label(owner.name, owner.total, end) if owner.owner_id is None else owner.name
            for owner in rows
        ]
        _attach(chart, series, _count_axis(end), _category_axis(names))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)  # the height is for the eleven names

    def _owner_clicked(self, rows: list[OwnerTasks], status: TaskStatus, index: int) -> None:
        owner = rows[index]
        if owner.owner_id is not None:  # "others" are many owners: no one filter shows them
            self.drill_down.emit("task", {"owner_id": owner.owner_id, "status": status.value})

    def _owner_hovered(self, rows: list[OwnerTasks], status: TaskStatus, shown: bool, index: int) -> None:
        if shown:
            owner = rows[index]
            _tip(f"{owner.name}: {owner.counts.get(status, 0):,} {status.label.lower()}")

    def _weeks_chart(self, chart: QChart, over_time: TasksOverTime) -> None:
        created, done = QLineSeries(), QLineSeries()
        created.setName("Created")
        done.setName("Done")
        for week in over_time.weeks:
            moment = float(week.start.timestamp() * 1000)
            created.append(moment, week.created)
            done.append(moment, week.done)
        for series in (created, done):
            series.setPointsVisible(True)
        if over_time.done_before_tracking:
            chart.setTitle(
                f"{chart.title()} ({over_time.done_before_tracking:,} done before tracking, in no week)"
            )
        dates = QDateTimeAxis()
        dates.setFormat("d MMM")
        dates.setTickCount(7)
        if over_time.weeks:
            first, last = over_time.weeks[0].start, over_time.weeks[-1].start
            dates.setRange(_qt_time(first), _qt_time(last))
        largest = max((max(w.created, w.done) for w in over_time.weeks), default=0)
        counts = _count_axis(largest)
        chart.addAxis(dates, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        for series in (created, done):
            chart.addSeries(series)
            series.attachAxis(dates)
            series.attachAxis(counts)

    def _teams_chart(self, chart: QChart, teams: list[TeamHeroes]) -> None:
        rows = list(reversed(teams))
        series = QHorizontalBarSeries()
        heroes = QBarSet("Heroes")
        heroes.append([float(team.heroes) for team in rows])
        heroes.clicked.connect(partial(self._team_clicked, rows))
        heroes.hovered.connect(partial(self._team_hovered, rows))
        series.append(heroes)
        no_team = next((team.heroes for team in teams if team.team_id is None), None)
        end = _bar_range([team.heroes for team in teams if team.team_id is not None], no_team)
        labels = [
            f"{_summed_label(team.name, team.heroes, end) if team.team_id is None else team.name}"
            f" · level {team.average_level:.0f}"
            for team in rows
        ]
        _attach(chart, series, _count_axis(end), _category_axis(labels))
        chart.legend().setVisible(False)
        chart.setTitle(f"{chart.title()} (with their average level)")

    def _team_clicked(self, rows: list[TeamHeroes], index: int) -> None:
        team = rows[index]
        self.drill_down.emit("hero", {"team_id": NO_TEAM if team.team_id is None else team.team_id})

    def _team_hovered(self, rows: list[TeamHeroes], shown: bool, index: int) -> None:
        if shown:
            team = rows[index]
            _tip(f"{team.name}: {team.heroes:,} heroes, average level {team.average_level:.1f}")

    def _stock_chart(self, chart: QChart, stock: list[StockValue]) -> None:
        by_count, by_price = QPieSeries(), QPieSeries()
        for series, position in ((by_count, 0.25), (by_price, 0.75)):
            series.setHorizontalPosition(position)
            series.setPieSize(0.55)
            chart.addSeries(series)
        for value in stock:
            name = "In stock" if value.in_stock else "Out of stock"
            for series, amount, text in (
                (by_count, float(value.items), f"{value.items:,} items"),
                (by_price, value.total_price, f"{value.total_price:,.0f}"),
            ):
                pie_slice = series.append(text, amount)
                pie_slice.setLabelVisible(amount > 0)
                pie_slice.clicked.connect(partial(self._stock_clicked, value.in_stock))
                pie_slice.hovered.connect(partial(self._stock_hovered, f"{name}: {text}"))
        chart.setTitle(f"{chart.title()}: by count (left) and total price (right)")

    @staticmethod
    def _stock_legend(chart: QChart) -> None:
        """Both pies in the same two colours, named once in the legend ("In stock", "Out of stock").

        After the theme, which colours the slices once the chart is in its view.
        """
        by_count, by_price = (series for series in chart.series() if isinstance(series, QPieSeries))
        for counted, priced in zip(by_count.slices(), by_price.slices(), strict=True):
            priced.setBrush(counted.brush())
            priced.setLabelBrush(counted.labelBrush())
        for marker in chart.legend().markers(by_price):
            marker.setVisible(False)
        for marker, name in zip(chart.legend().markers(by_count), ("In stock", "Out of stock"), strict=False):
            marker.setLabel(name)

    def _stock_clicked(self, in_stock: bool) -> None:
        if in_stock:  # the items filter offers "in stock only"; out of stock has no filter to show it
            self.drill_down.emit("item", {"in_stock": True})

    def _stock_hovered(self, text: str, shown: bool) -> None:
        if shown:
            _tip(text)
