"""GUI fixtures: a store with the sample data, settings in a temporary ini file, waiting for models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from desktop.demo import load_sample_data
from desktop.store import Store
from desktop.ui.loading import wait_for_queries


@pytest.fixture
def sample_store(sqlite_store: Store) -> Store:
    load_sample_data(sqlite_store)
    return sqlite_store


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "taskforce.ini"), QSettings.Format.IniFormat)


@pytest.fixture(autouse=True)
def _queries_finish() -> Iterator[None]:
    """No query may still be running on a store that the next fixture closes."""
    yield
    wait_for_queries()
