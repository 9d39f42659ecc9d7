"""A migration that fails leaves the database at its old revision with its data, and a backup to go to."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from safetyhelpers import fill, filled_database, integrity, table_digests

from desktop import backup, db
from desktop.errors import DatabaseOpenError
from desktop.store import Store

FAILING_REVISION = '''"""A revision that changes things and then fails.

Revision ID: 9999
Revises: {head}
"""

import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("item", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("colour", sa.String(20), nullable=True))
    op.execute("UPDATE item SET name = 'half-migrated'")
    raise RuntimeError("this migration fails on purpose")


def downgrade() -> None:
    pass
'''


@pytest.fixture
def failing_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The real revisions plus one on top that fails; returns the old head."""
    head = db.head_revision()
    copy = tmp_path / "migrations"
    shutil.copytree(db.migrations_dir(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "versions" / "9999_fails.py").write_text(FAILING_REVISION.format(head=head))
    monkeypatch.setattr(db, "migrations_dir", lambda: copy)
    monkeypatch.setattr(db, "REVISIONS", (*db.REVISIONS, "9999"))
    monkeypatch.setattr(db, "HEAD_REVISION", "9999")
    assert db.head_revision() == "9999"
    return head


def revision_of(url: str) -> str | None:
    engine = db.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def test_a_failing_migration_leaves_the_sqlite_file_as_it_was(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    database = filled_database(tmp_path / "data" / "taskforce.db")
    before = table_digests(database)
    old_head = request.getfixturevalue("failing_migrations")

    with pytest.raises(DatabaseOpenError, match="failed, and it was left as it was: this migration fails"):
        Store.open(db.sqlite_url(database))

    assert revision_of(db.sqlite_url(database)) == old_head
    assert table_digests(database) == before
    assert integrity(database) == ["ok"]
    [pre_migration] = [
        info for info in backup.list_backups(database) if info.reason == f"before-upgrade-from-{old_head}"
    ]
    backup.verify(pre_migration.path)
    # The backup from before the attempt restores to exactly that data.
    with pytest.raises(DatabaseOpenError):
        Store.open(db.sqlite_url(database))  # still failing: nothing was half-applied the first time
    backup.restore(database, pre_migration.path)
    assert table_digests(database) == before


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_failing_migration_leaves_a_server_database_as_it_was(
    database_url: str, request: pytest.FixtureRequest
) -> None:
    with Store.open(database_url) as store:
        fill(store)
        names_before = [item.name for item in store.items.list()]
    old_head = request.getfixturevalue("failing_migrations")

    with pytest.raises(DatabaseOpenError, match="this migration fails"):
        Store.open(database_url)

    assert revision_of(database_url) == old_head
    engine = db.create_engine(database_url)
    try:
        with engine.connect() as connection:
            columns = {column["name"] for column in sa.inspect(connection).get_columns("item")}
            names = list(connection.execute(sa.text("SELECT name FROM item ORDER BY id")).scalars())
    finally:
        engine.dispose()
    assert "colour" not in columns
    assert names == names_before
