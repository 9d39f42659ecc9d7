"""Task indexes that match the list's ORDER BY ..., id and its status filter.

The task list always breaks ties by id, and filters by status while sorted by creation time.
Single-column indexes end with the row id on SQLite and MariaDB, but not on PostgreSQL, where
sorting a million tasks by status, or the done ones by creation time, sorted them all for one
page. Each composite index replaces the single-column index it starts with.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (new index, its columns, the single-column index it replaces). Order matters on SQLite: between
# two indexes that serve "status = ?" equally, it uses the one created last, and (status, id) reads
# the matching rows in table order, which a filtered count with a text search needs.
INDEXES: tuple[tuple[str, list[str], str | None], ...] = (
    ("ix_task_status_created_at_id", ["status", "created_at", "id"], None),
    ("ix_task_title_id", ["title", "id"], "ix_task_title"),
    ("ix_task_status_id", ["status", "id"], "ix_task_status"),
    ("ix_task_created_at_id", ["created_at", "id"], "ix_task_created_at"),
    ("ix_task_owner_id_id", ["owner_id", "id"], "ix_task_owner_id"),
)


def upgrade() -> None:
    # New before old: MariaDB refuses to drop the owner_id index until another one serves its foreign key.
    for name, columns, replaced in INDEXES:
        op.create_index(name, "task", columns, unique=False)
        if replaced is not None:
            op.drop_index(replaced, table_name="task")


def downgrade() -> None:
    for name, columns, replaced in reversed(INDEXES):
        if replaced is not None:
            op.create_index(replaced, "task", columns[:1], unique=False)
        op.drop_index(name, table_name="task")
