"""SQLite ids are never reused (AUTOINCREMENT), so an undone delete can always have its ids back.

Without AUTOINCREMENT SQLite hands out max(id) + 1: delete the newest row, create another, and
the new row takes the deleted one's id, so undoing the delete collides. PostgreSQL and MariaDB
sequences never reuse ids; this revision changes nothing there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 12:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Parents before children, so each rebuilt table's rows are copied with their references intact.
TABLES = ("team", "user", "hero", "item", "task")


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # Foreign keys are off during migrations on SQLite (desktop.db.migration_transaction) and checked
    # before the commit, so a parent can be rebuilt while its children point at it.
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
