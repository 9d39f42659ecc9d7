"""A chart view that follows the palette and can be saved as PNG or SVG or copied, from its context menu."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCharts import QChart, QChartView
from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QBrush, QContextMenuEvent, QPainter, QPalette, QPen
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QWidget


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def apply_palette(chart: QChart, palette: QPalette) -> None:
    """QtCharts' light or dark theme, on the window's own background and text colours.

    setTheme() recolours the series too: call it before the series are added.
    """
    chart.setTheme(
        QChart.ChartTheme.ChartThemeDark if is_dark(palette) else QChart.ChartTheme.ChartThemeLight
    )
    text = palette.color(QPalette.ColorRole.WindowText)
    chart.setBackgroundBrush(QBrush(palette.color(QPalette.ColorRole.Base)))
    chart.setBackgroundPen(QPen(palette.color(QPalette.ColorRole.Mid)))
    chart.setBackgroundRoundness(4)
    chart.setTitleBrush(QBrush(text))
    chart.legend().setLabelColor(text)
    for axis in chart.axes():
        axis.setLabelsColor(text)
        axis.setTitleBrush(QBrush(text))
        grid = palette.color(QPalette.ColorRole.Mid)
        axis.setGridLineColor(grid)
        axis.setLinePenColor(grid)


def new_chart(palette: QPalette) -> QChart:
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)  # new numbers replace the old at once
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    apply_palette(chart, palette)
    return chart


class ChartView(QChartView):
    """One chart of the overview. Right-click: Save as PNG, Save as SVG, Copy."""

    def __init__(self, name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.title = title  # also the file name offered when saving
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(240, 150)
        self.setChart(new_chart(self.palette()))

    def replace_chart(self, chart: QChart) -> None:
        """Show a new chart in place of the old one, in one step: no empty chart is ever painted."""
        old = self.chart()
        self.setChart(chart)
        old.deleteLater()

    # --- saving ---------------------------------------------------------------------

    def context_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName(f"{self.objectName()}Menu")
        menu.addAction("Save as &PNG…", lambda: self._save("PNG image (*.png)", ".png", self.save_png))
        menu.addAction("Save as &SVG…", lambda: self._save("SVG image (*.svg)", ".svg", self.save_svg))
        menu.addSeparator()
        menu.addAction("&Copy", self.copy_to_clipboard)
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.context_menu().exec(event.globalPos())

    @classmethod
    def ask_path(cls, parent: QWidget, caption: str, suggested: str, file_filter: str) -> str | None:
        """Where to save (None: cancelled). Tests replace this classmethod."""
        path, _chosen = QFileDialog.getSaveFileName(parent, caption, suggested, file_filter)
        return path or None

    def _save(self, file_filter: str, suffix: str, write: object) -> None:
        suggested = str(Path.home() / f"{self.title}{suffix}")
        path = type(self).ask_path(self, f"Save “{self.title}”", suggested, file_filter)
        if path is None:
            return
        target = Path(path) if Path(path).suffix else Path(path + suffix)
        assert callable(write)
        if not write(target):
            window = self.window()
            message = f"Could not write {target}. Check that the folder exists and may be written."
            show_error = getattr(window, "show_error", None)
            if callable(show_error):
                show_error(message)

    def save_png(self, path: Path) -> bool:
        return self.grab().save(str(path), "PNG")

    def save_svg(self, path: Path) -> bool:
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        size = self.size()
        generator.setSize(size)
        generator.setViewBox(QRect(QPoint(0, 0), size))
        generator.setTitle(self.title)
        generator.setDescription("Taskforce overview chart")
        painter = QPainter()
        if not painter.begin(generator):
            return False
        try:
            self.render(painter)
        finally:
            painter.end()
        return path.is_file() and path.stat().st_size > 0

    def copy_to_clipboard(self) -> None:
        QApplication.clipboard().setPixmap(self.grab())

    def sizeHint(self) -> QSize:
        return QSize(540, 300)
