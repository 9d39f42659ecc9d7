"""What the store tells about its database's schema and about the drivers this installation has."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop import db
from desktop.store import Store
from desktop.store import store as store_module


def test_the_store_says_which_migration_its_database_is_at(store: Store) -> None:
    assert store.schema_revision() == db.head_revision()


def test_a_database_never_migrated_has_no_revision(tmp_path: Path) -> None:
    url = db.sqlite_url(tmp_path / "empty.db")
    engine = db.create_engine(url)
    try:
        assert Store(engine, url).schema_revision() is None
    finally:
        engine.dispose()


def test_every_server_driver_loads_and_a_missing_one_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    Store.load_server_drivers()

    missing = "postgresql+nosuchdriver://check@localhost/check"
    monkeypatch.setattr(store_module, "SERVER_DRIVER_PROBES", (*store_module.SERVER_DRIVER_PROBES, missing))
    with pytest.raises(sa.exc.NoSuchModuleError):
        Store.load_server_drivers()
