"""Search from an index: trigrams of the searchable text of every entity.

SQLite: an FTS5 table `<table>_search` with the trigram tokenizer over the table's searchable
columns (external content: it holds only the index; detail=none: which rows hold a trigram, not
where, a quarter of the size), kept in step by triggers. PostgreSQL: GIN
indexes of pg_trgm over the same columns. MariaDB has no trigram index: searching scans there.

The index only narrows a search to candidate rows; desktop.store.search_index decides when it
may (folding differs between the index and str.casefold for some characters), and the search's
own comparison still decides every row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 01:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The searchable columns of each table when this revision was written (Entity.search_columns);
# a change there needs a revision of its own (tests/data/test_search_index.py compares them).
COLUMNS = {
    "team": ("name",),
    "hero": ("name", "power"),
    "item": ("name", "description"),
    "user": ("username", "email"),
    "task": ("title", "description"),
}


def _quoted(name: str) -> str:
    return f'"{name}"'


def _sqlite_upgrade() -> None:
    for table, columns in COLUMNS.items():
        index = f"{table}_search"
        names = ", ".join(columns)
        new = ", ".join(f"new.{column}" for column in columns)
        old = ", ".join(f"old.{column}" for column in columns)
        # Names from COLUMNS above, never from input.
        remove = f"INSERT INTO {index}({index}, rowid, {names}) VALUES ('delete', old.id, {old});"  # noqa: S608
        add = f"INSERT INTO {index}(rowid, {names}) VALUES (new.id, {new});"  # noqa: S608
        op.execute(
            f"CREATE VIRTUAL TABLE {index} USING fts5({names}, content={_quoted(table)}, "
            "content_rowid='id', tokenize='trigram', detail=none)"
        )
        op.execute(f"INSERT INTO {index}({index}) VALUES ('rebuild')")  # noqa: S608
        op.execute(f"CREATE TRIGGER {index}_insert AFTER INSERT ON {_quoted(table)} BEGIN {add} END")
        op.execute(f"CREATE TRIGGER {index}_delete AFTER DELETE ON {_quoted(table)} BEGIN {remove} END")
        op.execute(
            f"CREATE TRIGGER {index}_update AFTER UPDATE OF id, {names} ON {_quoted(table)} "
            f"BEGIN {remove} {add} END"
        )


def _sqlite_downgrade() -> None:
    for table in COLUMNS:
        index = f"{table}_search"
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {index}_{event}")
        op.execute(f"DROP TABLE IF EXISTS {index}")


def _postgresql_upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, columns in COLUMNS.items():
        for column in columns:
            op.execute(
                f"CREATE INDEX ix_{table}_{column}_trigram ON {_quoted(table)} "
                f"USING gin ({column} gin_trgm_ops)"
            )


def _postgresql_downgrade() -> None:
    for table, columns in COLUMNS.items():
        for column in columns:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_trigram")
    # The extension stays: other objects in the database may use it.


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_upgrade()
    elif dialect == "postgresql":
        _postgresql_upgrade()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_downgrade()
    elif dialect == "postgresql":
        _postgresql_downgrade()
