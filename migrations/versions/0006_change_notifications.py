"""Changes announce themselves, so that every open window shows what other clients commit.

PostgreSQL: statement-level triggers send NOTIFY on the channel `taskforce_changes` with the table,
the operation and the (id, version) of each row changed (none past 200 rows: the whole table is
re-read then). MariaDB has no NOTIFY: row triggers write the same facts to `change_log`, which
watchers poll by id. SQLite needs neither: PRAGMA data_version tells a watcher that another
connection committed. `change_log` exists on every database so that the schema is the same.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("team", "user", "hero", "item", "task")
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION taskforce_notify_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed json;
    counted bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT count(*), json_agg(json_build_array(id, version)) INTO counted, changed
        FROM (SELECT id, version FROM old_rows LIMIT 201) AS named;
    ELSE
        SELECT count(*), json_agg(json_build_array(id, version)) INTO counted, changed
        FROM (SELECT id, version FROM new_rows LIMIT 201) AS named;
    END IF;
    IF counted > 0 THEN
        PERFORM pg_notify('taskforce_changes', json_build_object(
            'entity', TG_TABLE_NAME,
            'op', lower(TG_OP),
            'rows', CASE WHEN counted > 200 THEN NULL ELSE changed END
        )::text);
    END IF;
    RETURN NULL;
END
$$
"""

EVENTS = {
    "insert": "NEW TABLE AS new_rows",
    "update": "NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
}


def _trigger_name(table: str, event: str) -> str:
    return f"taskforce_{table}_{event}"


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("row_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("operation", sa.String(10), nullable=False),
        sa.Column("connection_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
        mariadb_charset="utf8mb4",
        mariadb_collate="utf8mb4_bin",
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        for table in TABLES:
            for event, transition in EVENTS.items():
                op.execute(
                    f'CREATE TRIGGER {_trigger_name(table, event)} AFTER {event.upper()} ON "{table}" '
                    f"REFERENCING {transition} FOR EACH STATEMENT "
                    "EXECUTE FUNCTION taskforce_notify_changes()"
                )
    elif dialect in ("mysql", "mariadb"):
        for table in TABLES:
            for event in EVENTS:
                row = "OLD" if event == "delete" else "NEW"
                op.execute(
                    f"CREATE TRIGGER {_trigger_name(table, event)} AFTER {event.upper()} ON `{table}` "  # noqa: S608
                    "FOR EACH ROW INSERT INTO change_log (entity, row_id, version, operation, connection_id) "
                    f"VALUES ('{table}', {row}.id, {row}.version, '{event}', CONNECTION_ID())"
                )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in TABLES:
            for event in EVENTS:
                op.execute(f'DROP TRIGGER IF EXISTS {_trigger_name(table, event)} ON "{table}"')
        op.execute("DROP FUNCTION IF EXISTS taskforce_notify_changes()")
    elif dialect in ("mysql", "mariadb"):
        for table in TABLES:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS {_trigger_name(table, event)}")
    op.drop_table("change_log")
