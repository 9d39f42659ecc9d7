"""How the tables paint their cells: from the model's formatted rows, exactly as Qt's own delegate would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QTableView
from pytestqt.qtbot import QtBot
from uihelpers import wait_loaded

from desktop.models import Task, TaskStatus, User
from desktop.store import ENTITIES, Store
from desktop.table import WINDOW_ROWS, Pending
from desktop.ui.delegates import EntityDelegate
from desktop.ui.main_window import MainWindow
from desktop.ui.table_model import CHECK_ROLE, PLACEHOLDER, EntityTableModel
from desktop.ui.views import EntityView

Filled = tuple[str, int, int, object, bool]
HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay.value


def filled(delegate: QStyledItemDelegate, table: QTableView, index: QModelIndex) -> Filled:
    """What a delegate puts in a cell's style option, starting from what the view gives every cell."""
    option = QStyleOptionViewItem()
    table.initViewItemOption(option)
    delegate.initStyleOption(option, index)
    animated = option.styleObject is not None
    return (
        option.text,
        int(option.displayAlignment),
        int(option.features.value),
        option.checkState,
        animated,
    )


def every_cell(model: EntityTableModel) -> Iterator[QModelIndex]:
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            yield model.index(row, column)


def shown_view(qtbot: QtBot, window: MainWindow, entity: str) -> EntityView:
    view = window.view(entity)
    window.tabs.setCurrentWidget(view)
    wait_loaded(qtbot, view.model)
    return view


def painted(view: EntityView, delegate: QStyledItemDelegate) -> QImage:
    view.table.setItemDelegate(delegate)
    return view.table.viewport().grab().toImage()


def test_the_tables_paint_with_the_entity_delegate(window: MainWindow) -> None:
    for entity in ENTITIES:
        assert isinstance(window.view(entity).table.itemDelegate(), EntityDelegate)


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_every_cell_is_filled_in_as_qt_fills_it_from_the_model(
    qtbot: QtBot, window: MainWindow, entity: str
) -> None:
    view = shown_view(qtbot, window, entity)
    ours, qts = view.table.itemDelegate(), QStyledItemDelegate()
    assert isinstance(ours, EntityDelegate)
    for index in every_cell(view.model):
        assert filled(ours, view.table, index) == filled(qts, view.table, index)


def test_a_cell_shows_its_text_and_numbers_are_aligned_right(qtbot: QtBot, window: MainWindow) -> None:
    view = shown_view(qtbot, window, "task")
    model, delegate = view.model, view.table.itemDelegate()
    assert isinstance(delegate, EntityDelegate)
    text, alignment, features, *_ = filled(delegate, view.table, model.index(0, model.column_of("title")))
    assert text == model.data(model.index(0, model.column_of("title")))
    assert alignment == int((Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter).value)
    assert features & QStyleOptionViewItem.ViewItemFeature.HasDisplay.value
    _, id_alignment, *_ = filled(delegate, view.table, model.index(0, model.column_of("id")))
    assert id_alignment == int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)


def test_check_boxes_show_the_saved_state(qtbot: QtBot, window: MainWindow, sample_store: Store) -> None:
    view = shown_view(qtbot, window, "item")
    model, delegate = view.model, view.table.itemDelegate()
    assert isinstance(delegate, EntityDelegate)
    column = model.column_of("in_stock")
    out_of_stock = model.row_id(0)
    assert out_of_stock is not None
    sample_store.repository("item").update(out_of_stock, {"in_stock": False})
    qtbot.waitUntil(lambda: model.data(model.index(0, column), CHECK_ROLE) == Qt.CheckState.Unchecked)
    states = set()
    for row in range(model.rowCount()):
        text, _, features, state, _ = filled(delegate, view.table, model.index(row, column))
        assert text == "" and features & QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator.value
        record = model.record_at(row)
        assert record is not None
        checked = Qt.CheckState.Checked if record.read.in_stock else Qt.CheckState.Unchecked
        assert state == checked
        states.add(state)
    assert len(states) == 2  # the sample has items in stock and out of stock


def test_a_line_break_in_a_title_is_painted_as_qt_paints_it(
    qtbot: QtBot, window: MainWindow, sample_store: Store
) -> None:
    view = shown_view(qtbot, window, "task")
    sample_store.tasks.update(1, {"title": "first line\nsecond line"})
    qtbot.waitUntil(lambda: view.model.data(view.model.index(0, 1)) == "first line\nsecond line")
    delegate = view.table.itemDelegate()
    assert isinstance(delegate, EntityDelegate)
    text, *_ = filled(delegate, view.table, view.model.index(0, view.model.column_of("title")))
    assert text == "first line\u2028second line"


@pytest.mark.parametrize("entity", ["task", "item"])
def test_the_table_paints_the_same_pixels_as_with_qts_delegate(
    qtbot: QtBot, window: MainWindow, entity: str
) -> None:
    view = shown_view(qtbot, window, entity)
    view.table.selectRow(1)
    ours = view.table.itemDelegate()
    assert painted(view, ours) == painted(view, QStyledItemDelegate(view.table))


def test_outdated_rows_are_painted_greyed(qtbot: QtBot, window: MainWindow) -> None:
    view = shown_view(qtbot, window, "task")
    ours = view.table.itemDelegate()
    assert isinstance(ours, EntityDelegate)
    normal = painted(view, ours)
    view._set_busy(Pending.SORT)
    greyed = painted(view, ours)
    assert greyed != normal
    assert greyed == painted(view, QStyledItemDelegate(view.table))
    option = QStyleOptionViewItem()
    view.table.initViewItemOption(option)
    ours.initStyleOption(option, view.model.index(0, 1))
    disabled = view.table.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    assert option.palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Text) == disabled


def test_rows_not_read_yet_show_a_placeholder_in_their_first_cell(qtbot: QtBot, sample_store: Store) -> None:
    rows = WINDOW_ROWS + 50
    with sample_store.engine.begin() as connection:
        owner = connection.execute(sa.select(User.__table__.c.id)).scalars().first()  # type: ignore[attr-defined]
        connection.execute(
            sa.insert(Task.__table__),  # type: ignore[attr-defined]
            [{"title": f"Task {n}", "status": TaskStatus.todo, "owner_id": owner} for n in range(rows)],
        )
    model = EntityTableModel(sample_store, ENTITIES["task"])
    wait_loaded(qtbot, model)
    table = QTableView()
    table.setModel(model)
    delegate = EntityDelegate(model, table)
    last = model.rowCount() - 1
    assert model.record_at(last) is None
    assert filled(delegate, table, model.index(last, 0))[0] == PLACEHOLDER
    assert not filled(delegate, table, model.index(last, 1))[2] & HAS_DISPLAY  # no text
    assert filled(delegate, table, model.index(last, 0)) == filled(
        QStyledItemDelegate(), table, model.index(last, 0)
    )
    wait_loaded(qtbot, model)  # the placeholder asked for the row's window
    assert filled(delegate, table, model.index(last, 1))[0] == model.data(model.index(last, 1))
    model.shutdown()
