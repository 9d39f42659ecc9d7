"""The Alembic revisions on every database: up, no drift from the models, down, and up again."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import desktop
import desktop.models
from desktop import db
from desktop.store import Store
from desktop.store.entities import table_names

REPO_ROOT = Path(__file__).resolve().parents[2]
OUR_TABLES = table_names()  # every registered entity has its table at head


def revisions_oldest_first() -> list[str]:
    scripts = ScriptDirectory.from_config(db.alembic_config())
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]


def tables(url: str) -> set[str]:
    engine = db.create_engine(url)
    try:
        with engine.connect() as connection:
            return set(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    engine = db.create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def drift(url: str) -> list[object]:
    """What autogenerate would write for this database: empty when models and revisions agree."""
    engine = db.create_engine(url)
    try:
        with engine.connect() as connection:
            opts = {"compare_type": True, "include_object": db.compared_by_autogenerate}
            context = MigrationContext.configure(connection, opts=opts)
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


def test_one_head_and_a_linear_history() -> None:
    scripts = ScriptDirectory.from_config(db.alembic_config())
    assert len(scripts.get_heads()) == 1
    assert len(scripts.get_bases()) == 1
    assert revisions_oldest_first()[-1] == db.head_revision()


def test_upgrade_check_downgrade_upgrade(database_url: str) -> None:
    config = db.alembic_config(database_url)

    command.upgrade(config, "head")
    assert OUR_TABLES <= tables(database_url)
    assert current_revision(database_url) == db.head_revision()
    assert drift(database_url) == []
    command.check(config)  # what `alembic check` runs

    command.downgrade(config, "base")
    assert tables(database_url) - {"alembic_version"} == set()
    assert current_revision(database_url) is None

    command.upgrade(config, "head")
    assert drift(database_url) == []

    # A database taken down to base opens like a new one.
    command.downgrade(config, "base")
    with Store.open(database_url) as store:
        assert store.items.count() == 0
    assert current_revision(database_url) == db.head_revision()


def test_each_revision_steps_up_and_down(database_url: str) -> None:
    config = db.alembic_config(database_url)
    revisions = revisions_oldest_first()

    for revision in revisions:
        command.upgrade(config, "+1")
        assert current_revision(database_url) == revision
    for revision in [*reversed(revisions[:-1]), None]:
        command.downgrade(config, "-1")
        assert current_revision(database_url) == revision
    assert tables(database_url) - {"alembic_version"} == set()


def test_rows_survive_migrating_from_the_first_revision(database_url: str) -> None:
    first = revisions_oldest_first()[0]
    command.upgrade(db.alembic_config(database_url), first)
    engine = db.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO team (name) VALUES ('Avengers')")
            connection.exec_driver_sql(
                "INSERT INTO hero (name, power, level, team_id) VALUES ('Thor', 'thunder', 9, 1)"
            )
            users = sa.table("user", sa.column("username"), sa.column("email"))  # "user" is quoted for us
            connection.execute(users.insert().values(username="alice", email="alice@example.com"))
            connection.exec_driver_sql(
                "INSERT INTO task (title, description, status, created_at, owner_id) "
                "VALUES ('Plan', NULL, 'in_progress', '2026-01-02 03:04:05.123456', 1)"
            )
            connection.exec_driver_sql(
                "INSERT INTO item (name, price, in_stock) VALUES ('Widget', 12.99, TRUE)"
            )
    finally:
        engine.dispose()

    with Store.open(database_url) as store:
        [record] = store.heroes.page(0, 10)
        assert (record.read.name, record.read.level, record.refs) == ("Thor", 9, {"team": "Avengers"})
        planned = store.tasks.get(1)
        assert planned.status == "in_progress"
        assert planned.created_at.isoformat() == "2026-01-02T03:04:05.123456+00:00"
        assert store.items.list()[0].price == 12.99
        # Migrated rows can be changed and deleted like new ones.
        assert store.tasks.update(1, {"status": "done"}).status == "done"
        store.items.delete(1)
        assert store.users.names() == [(1, "alice")]
    assert drift(database_url) == []


def test_store_open_migrates_from_any_working_directory(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with Store.open(database_url) as store:
        store.teams.create({"name": "Avengers"})
    assert OUR_TABLES <= tables(database_url)
    assert current_revision(database_url) == db.head_revision()
    assert list(elsewhere.iterdir()) == []


def test_the_alembic_command_line_from_the_repository_root(database_url: str) -> None:
    alembic = Path(sys.executable).with_name("alembic")
    environment = {**os.environ, "TASKFORCE_DATABASE_URL": database_url}
    for arguments in (["upgrade", "head"], ["check"]):
        finished = subprocess.run(
            [str(alembic), *arguments],
            cwd=REPO_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert finished.returncode == 0, finished.stderr
    assert "No new upgrade operations detected" in finished.stdout + finished.stderr
    assert current_revision(database_url) == db.head_revision()


def test_the_app_never_creates_tables_behind_alembics_back() -> None:
    package = Path(desktop.__file__).resolve().parent
    offenders = [
        f"{path.relative_to(package.parent)}:{number}"
        for path in sorted(package.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\bcreate_all\b", line)
    ]
    assert offenders == []


def task_columns(url: str) -> set[str]:
    engine = db.create_engine(url)
    try:
        with engine.connect() as connection:
            return {column["name"] for column in sa.inspect(connection).get_columns("task")}
    finally:
        engine.dispose()


def test_completed_at_comes_empty_for_tasks_done_before_and_goes_on_downgrade(database_url: str) -> None:
    config = db.alembic_config(database_url)
    command.upgrade(config, "0004")
    engine = db.create_engine(database_url)
    try:
        with engine.begin() as connection:
            users = sa.table("user", sa.column("username"), sa.column("email"))
            connection.execute(users.insert().values(username="alice", email="alice@example.com"))
            tasks = sa.table(
                "task",
                sa.column("title"),
                sa.column("status"),
                sa.column("created_at"),
                sa.column("owner_id"),
            )
            for title, status in (("Old", "done"), ("Open", "todo")):
                connection.execute(
                    tasks.insert().values(
                        title=title, status=status, created_at=datetime(2026, 1, 2, 3, 4, 5), owner_id=1
                    )
                )
    finally:
        engine.dispose()

    command.upgrade(config, "0005")
    assert "completed_at" in task_columns(database_url)
    with Store.open(database_url) as store:
        old, open_task = store.tasks.get(1), store.tasks.get(2)
        assert (old.status, old.completed_at) == ("done", None)  # done before tracking
        assert open_task.completed_at is None
        assert store.tasks.update(2, {"status": "done"}).completed_at is not None

    command.downgrade(config, "0004")
    assert "completed_at" not in task_columns(database_url)
    engine = db.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT title, status FROM task ORDER BY id").all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in rows] == [("Old", "done"), ("Open", "done")]
    command.upgrade(config, "head")
    assert drift(database_url) == []
