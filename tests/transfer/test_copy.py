"""Copying a whole database: SQLite -> PostgreSQL -> MariaDB -> SQLite keeps every row, by checksum."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from transferhelpers import seed, table_contents

from desktop import db
from desktop.store import Store
from desktop.transfer.copying import (
    CopyError,
    TargetNotEmptyError,
    copy_database,
    table_checksum,
    tables_in_order,
)
from tests.conftest import _fresh_server_database


@pytest.fixture
def server_urls() -> Iterator[dict[str, str]]:
    made = {backend: _fresh_server_database(backend) for backend in ("postgresql", "mariadb")}
    urls = {backend: next(database) for backend, database in made.items()}
    yield urls
    for database in made.values():
        next(database, None)


def _checksums(url: str) -> list[tuple[str, int, str]]:
    engine = db.create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(vars(table_checksum(connection, table)).values()) for table in tables_in_order()]  # type: ignore[misc]
    finally:
        engine.dispose()


def test_sqlite_to_postgresql_to_mariadb_to_sqlite(tmp_path: Path, server_urls: dict[str, str]) -> None:
    first = db.sqlite_url(tmp_path / "first.db")
    last = db.sqlite_url(tmp_path / "last.db")
    with Store.open(first) as store:
        seed(store)
        store.tasks.delete(store.tasks.list()[0].id)  # a gap in the ids must be copied as it is
        original = table_contents(store)
        highest_team = max(team.id for team in store.teams.list())
    chain = [first, server_urls["postgresql"], server_urls["mariadb"], last]
    for source, target in itertools.pairwise(chain):
        progress: list[tuple[int, int]] = []
        result = copy_database(
            source, target, progress=lambda done, total, seen=progress: seen.append((done, total))
        )
        assert result.rows == sum(len(rows) for rows in original.values())
        assert progress[-1] == (result.rows, result.rows)
    sums = [_checksums(url) for url in chain]
    assert sums[0] == sums[1] == sums[2] == sums[3]
    with Store.open(last) as store:
        assert table_contents(store) == original
        # New rows get ids after the copied ones.
        added = store.teams.create({"name": "After the copy"})
        assert added.id > highest_team
    with Store.open(server_urls["postgresql"]) as store:
        added = store.teams.create({"name": "After the copy"})
        assert added.id > highest_team


def test_a_target_with_rows_is_refused_unless_replaced(tmp_path: Path) -> None:
    source, target = db.sqlite_url(tmp_path / "source.db"), db.sqlite_url(tmp_path / "target.db")
    with Store.open(source) as store:
        seed(store)
    with Store.open(target) as store:
        store.users.create({"username": "keep", "email": "keep@example.com"})
        before = table_contents(store)
    with pytest.raises(TargetNotEmptyError, match="already holds rows"):
        copy_database(source, target)
    with Store.open(target) as store:
        assert table_contents(store) == before
    copy_database(source, target, replace=True)
    assert _checksums(source) == _checksums(target)


def test_a_cancelled_copy_leaves_the_target_as_it_was(tmp_path: Path) -> None:
    source, target = db.sqlite_url(tmp_path / "source.db"), db.sqlite_url(tmp_path / "target.db")
    with Store.open(source) as store:
        seed(store)
    with Store.open(target) as store:
        empty = table_contents(store)
    with pytest.raises(CopyError, match="cancelled"):
        copy_database(source, target, should_stop=lambda: True)
    with Store.open(target) as store:
        assert table_contents(store) == empty


def test_copying_a_database_onto_itself_is_refused(tmp_path: Path) -> None:
    url = db.sqlite_url(tmp_path / "same.db")
    with pytest.raises(CopyError, match="same database"):
        copy_database(url, url)


def test_checksums_see_a_changed_value(tmp_path: Path) -> None:
    source, target = db.sqlite_url(tmp_path / "source.db"), db.sqlite_url(tmp_path / "target.db")
    with Store.open(source) as store:
        seed(store)
    copy_database(source, target)
    engine = db.create_engine(target)
    with engine.begin() as connection:
        table = sa.table("item", sa.column("price"))
        connection.execute(sa.update(table).values(price=13.0))
    engine.dispose()
    assert _checksums(source) != _checksums(target)
