"""A sixth entity from a model and a registry entry alone: its tab, dialog, filters, cells, counts.

The model lives on its own SQLAlchemy registry, so that its table never joins the application's
metadata (the migration tests compare that with the migrations); the test creates the table
itself, as a migration would.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel
from uihelpers import column_texts, shown_window, wait_settled

from desktop import backup
from desktop.demo import load_sample_data
from desktop.models import TABLE_ARGS, Team, shown_with, version_field, versioned_mapper_args
from desktop.store import ENTITIES, Store
from desktop.store.entities import Entity, FilterKind, FilterSpec, OnDelete, Reference, registry_problems
from desktop.ui.edit_dialog import EditDialog

throwaway = registry()


class ThrowawayModel(SQLModel, registry=throwaway):
    pass


class Size(StrEnum):
    small = "small"
    large = "large"


class GadgetBase(ThrowawayModel):
    name: str = Field(min_length=1, max_length=60)
    weight: float = Field(ge=0, le=500, schema_extra=shown_with(decimals=1))
    size: Size = Field(
        default=Size.small,
        sa_type=sa.Enum(Size, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e]),
    )
    fragile: bool = False
    team_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey(Team.__table__.c.id)])  # type: ignore[attr-defined]


class Gadget(GadgetBase, table=True):
    __table_args__ = TABLE_ARGS
    __mapper_args__ = versioned_mapper_args
    id: int | None = Field(default=None, primary_key=True)
    version: int = version_field()


class GadgetCreate(GadgetBase):
    pass


class GadgetRead(GadgetBase):
    id: int
    version: int


class GadgetUpdate(ThrowawayModel):
    name: str | None = Field(default=None, min_length=1, max_length=60)
    weight: float | None = Field(default=None, ge=0, le=500)
    size: Size | None = None
    fragile: bool | None = None
    team_id: int | None = None


GADGETS = Entity(
    name="gadget",
    label="Gadget",
    plural="gadgets",
    table=Gadget,
    create=GadgetCreate,
    read=GadgetRead,
    update=GadgetUpdate,
    search_columns=("name",),
    label_column="name",
    references=(Reference("team_id", "team", "team", OnDelete.SET_NULL),),
    filter_specs=(
        FilterSpec(FilterKind.CHOICE, "size", "Size"),
        FilterSpec(FilterKind.REFERENCE, "team_id", "Team", none_label="No team"),
        FilterSpec(FilterKind.MINIMUM, "weight", "Weight"),
        FilterSpec(FilterKind.FLAG, "fragile", "Fragile only"),
    ),
)


@pytest.fixture
def gadget_store(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[Store]:
    """A store that knows gadgets (the registry entry), on a database that has their table."""
    monkeypatch.setitem(ENTITIES, "gadget", GADGETS)
    opened = Store.open(database_url)
    throwaway.metadata.create_all(opened.engine)
    try:
        yield opened
    finally:
        opened.close()


def add_gadgets(store: Store) -> None:
    load_sample_data(store)
    avengers = store.teams.names()[0][0]
    gadgets = store.repository("gadget")
    gadgets.create({"name": "Shield", "weight": 12.5, "size": "large", "team_id": avengers})
    gadgets.create({"name": "Compass", "weight": 0.5, "fragile": True})


def test_the_registry_entry_is_consistent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ENTITIES, "gadget", GADGETS)
    assert registry_problems() == []
    weight = GADGETS.fields["weight"]
    assert (weight.decimals, weight.minimum, weight.maximum) == (1, 0, 500)


def test_the_store_filters_deletes_and_counts_a_sixth_entity(gadget_store: Store) -> None:
    add_gadgets(gadget_store)
    gadgets = gadget_store.repository("gadget")
    assert [g.name for g in gadgets.list(size=Size.large)] == ["Shield"]
    assert [g.name for g in gadgets.list(has_team=False)] == ["Compass"]
    assert [g.name for g in gadgets.list(min_weight=1)] == ["Shield"]
    assert [g.name for g in gadgets.list(fragile=True)] == ["Compass"]
    assert gadgets.page(0, 10, search="shi")[0].refs == {"team": "Avengers"}

    team_id = gadgets.list(size=Size.large)[0].team_id
    gadget_store.teams.delete(team_id)  # heroes and gadgets of the team are left without one
    assert gadgets.list(has_team=True) == []

    if gadget_store.path is not None:
        counts = backup.row_counts(gadget_store.path)
    else:
        counts = backup.check_server(gadget_store.engine).counts
    assert counts["gadget"] == 2
    assert backup.describe_counts(counts).endswith(", 2 gadgets")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_window_gets_a_tab_filters_and_a_dialog_for_a_sixth_entity(
    qtbot: QtBot, gadget_store: Store, tmp_path: Path
) -> None:
    add_gadgets(gadget_store)
    settings = QSettings(str(tmp_path / "taskforce.ini"), QSettings.Format.IniFormat)
    with shown_window(qtbot, gadget_store, settings) as window:
        assert window.tabs.tabText(window.tabs.count() - 1) == "Gadgets"
        view = window.view("gadget")
        window.tabs.setCurrentWidget(view)
        wait_settled(qtbot, window)
        assert column_texts(view.table, "weight") == ["12.5", "0.5"]
        assert column_texts(view.table, "size") == ["Large", "Small"]
        assert column_texts(view.table, "team_id") == ["Avengers", ""]

        size = window.findChild(QComboBox, "gadgetsSizeFilter")
        team = window.findChild(QComboBox, "gadgetsTeamFilter")
        weight = window.findChild(QDoubleSpinBox, "gadgetsMinWeight")
        fragile = window.findChild(QCheckBox, "gadgetsFragileFilter")
        assert size is not None and team is not None and weight is not None and fragile is not None
        assert [size.itemText(i) for i in range(size.count())] == ["All", "Small", "Large"]
        assert (weight.decimals(), weight.maximum(), fragile.text()) == (1, 500.0, "Fragile only")
        qtbot.waitUntil(lambda: team.count() == 2 + len(gadget_store.teams.names()))
        assert [team.itemText(i) for i in range(2)] == ["All", "No team"]
        fragile.click()
        wait_settled(qtbot, window)
        assert column_texts(view.table, "name") == ["Compass"]
        assert window.count_label.text() == "1 of 2 gadgets"
        assert window.findChild(QAction, "actionShowGadgets") is not None

    dialog = EditDialog(gadget_store, GADGETS)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.loading)
    labels = [label.text().replace("&", "") for label in dialog.findChildren(QLabel) if label.buddy()]
    assert labels == ["Name", "Weight", "Size", "Fragile", "Team"]
    name = dialog.findChild(QLineEdit, "name")
    spin = dialog.findChild(QDoubleSpinBox, "weight")
    teams = dialog.findChild(QComboBox, "team_id")
    assert name is not None and spin is not None and teams is not None
    assert (name.maxLength(), spin.decimals(), spin.maximum()) == (60, 1, 500.0)
    assert teams.itemText(0) == "(no team)"
    name.setText("Lantern")
    spin.setValue(3.5)
    teams.setCurrentIndex(1)
    dialog.accept()
    saved = gadget_store.repository("gadget").list(search="Lantern")[0]
    assert (saved.weight, saved.size, saved.team_id) == (3.5, Size.small, teams.itemData(1))
    assert isinstance(dialog.findChild(QWidget, "fragile"), QCheckBox)
