"""The benchmark still runs: generator, both sides, stall run and cold starts, on 2,000 tasks.

Only that it runs and that each view showed the rows it should; the figures mean nothing at
this size and are not checked (the benchmark itself is `make bench`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from benchmarks.generate import Sizes, generate, prepare_server_database
from desktop.db import sqlite_url
from desktop.opening import open_engine
from tests.conftest import SERVERS

ROOT = Path(__file__).resolve().parent.parent


def test_the_generator_makes_the_rows_it_was_asked_for(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "bench.db")
    report = generate(url, Sizes(users=20, tasks=500, teams=5, heroes=50, items=30))
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            counts = {
                table: connection.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar()  # noqa: S608
                for table in ("user", "task", "team", "hero", "item")
            }
            statuses = connection.execute(sa.text("SELECT DISTINCT status FROM task")).scalars().all()
            owners = connection.execute(sa.text("SELECT count(DISTINCT owner_id) FROM task")).scalar()
    finally:
        engine.dispose()
    assert counts == {"user": 20, "task": 500, "team": 5, "hero": 50, "item": 30}
    assert sorted(statuses) == ["done", "in_progress", "todo"]
    assert owners is not None and owners > 10
    assert report["sizes"]["tasks"] == 500


@pytest.fixture
def server_url() -> Iterator[str | None]:
    """A fresh PostgreSQL database for the server part of the run, or None when there is no server."""
    admin = sa.create_engine(SERVERS["postgresql"], isolation_level="AUTOCOMMIT")
    name = f"tf_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect():
            pass
    except sa.exc.OperationalError as error:
        admin.dispose()
        if os.environ.get("TASKFORCE_REQUIRE_SERVERS") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable: {error.orig}")
        yield None
        return
    try:
        yield sa.make_url(SERVERS["postgresql"]).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


SCHEMA_SQL = {
    "sqlite": "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name",
    "postgresql": "SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
    "UNION ALL SELECT 'trigger', tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal "
    "ORDER BY 1, 2",
}


def _schema_and_matches(url: str) -> tuple[list[tuple[str, str, str]], int]:
    """Every index and trigger of the database, and how many tasks a search through the store finds."""
    from desktop.store import Store

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            schema = [tuple(row) for row in connection.execute(sa.text(SCHEMA_SQL[engine.dialect.name]))]
    finally:
        engine.dispose()
    store = Store.open(url)
    try:
        matches = store.repository("task").count(search="invoice")
    finally:
        store.close()
    return schema, matches


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_bulk_load_leaves_the_indexes_and_triggers_the_migrations_made(
    backend: str, tmp_path: Path, server_url: str | None
) -> None:
    """The generator drops indexes and triggers to fill the tables, then makes them again."""
    if backend == "sqlite":
        url, empty = sqlite_url(tmp_path / "bench.db"), sqlite_url(tmp_path / "empty.db")
    else:
        assert server_url is not None, "PostgreSQL is unreachable"
        url = server_url
        empty = sa.make_url(server_url).set(database=f"{sa.make_url(server_url).database}_e")
        empty = empty.render_as_string(hide_password=False)
    generate(url, Sizes(users=20, tasks=2_000, teams=5, heroes=50, items=30))
    if backend == "postgresql":
        prepare_server_database(empty, force=True)
    open_engine(empty).dispose()  # the migrations alone
    try:
        schema, matches = _schema_and_matches(url)
        empty_schema, nothing = _schema_and_matches(empty)
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                scanned = connection.execute(
                    sa.text(
                        "SELECT count(*) FROM task WHERE lower(title) LIKE :p OR lower(description) LIKE :p"
                    ),
                    {"p": "%invoice%"},
                ).scalar()
        finally:
            engine.dispose()
    finally:
        if backend == "postgresql":
            admin = sa.create_engine(SERVERS["postgresql"], isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.exec_driver_sql(
                    f"DROP DATABASE IF EXISTS {sa.make_url(empty).database} WITH (FORCE)"
                )
            admin.dispose()
    assert schema == empty_schema
    assert len(schema) > 10
    assert nothing == 0
    assert matches == scanned > 0  # the search index was built from the rows


def test_the_whole_benchmark_runs_on_a_small_database(tmp_path: Path, server_url: str | None) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [
        sys.executable,
        "-m",
        "benchmarks.run",
        "--tasks",
        "2000",
        "--db",
        str(tmp_path / "bench.db"),
        "--quick",
        "--query-delay-ms",
        "20",
        "--no-save",
    ]
    if server_url is not None:
        command += ["--server", server_url]
    completed = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    output = completed.stdout
    assert completed.returncode == 0, output + completed.stderr
    assert "views showed the expected rows: yes" in output, output
    for label in ("first paint", "jump to last row", "inline edit commit", "peak RSS", "cold start"):
        assert label in output
    if server_url is not None:
        assert "2,000 tasks on postgresql" in output, output


def test_the_scale_run_compares_every_step_with_the_smaller_run(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "benchmarks.run",
        *("--tasks", "1000", "--db", str(tmp_path / "small.db")),
        *("--scale-tasks", "3000", "--scale-db", str(tmp_path / "large.db")),
        *("--quick", "--query-delay-ms", "20", "--no-save"),
    ]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    completed = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    output = completed.stdout
    assert completed.returncode == 0, output + completed.stderr
    assert "views showed the expected rows: yes" in output, output
    table = output.split("3,000 tasks on SQLite against 1,000")[1]
    for label in ("first paint", "sort created_at desc", "peak RSS", "worst event-loop stall", "cold start"):
        assert label in table, table
    assert "≤ 2.0x of smaller" in table


def test_a_side_reports_json_with_every_step(tmp_path: Path) -> None:
    path = tmp_path / "bench.db"
    generate(sqlite_url(path), Sizes(users=10, tasks=300, teams=3, heroes=10, items=10))
    command = [
        sys.executable,
        "-m",
        "benchmarks.qt_reference",
        "--db",
        str(path),
        "--runs",
        "1",
        "--jump-runs",
        "1",
        "--scroll-runs",
        "1",
        "--scroll-rows",
        "100",
    ]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    completed = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    line = next(line for line in completed.stdout.splitlines() if line.startswith("BENCH-RESULT "))
    result = json.loads(line.removeprefix("BENCH-RESULT "))
    assert set(result["steps"]) == {
        "open",
        "jump_to_last",
        "sort_created_desc",
        "filter_done_search",
        "scroll_10k",
        "edit_commit",
    }
    assert result["checks"]["edit_stored"] is True


def test_the_overview_benchmark_runs_on_a_small_database(tmp_path: Path) -> None:
    path = tmp_path / "bench.db"
    generate(sqlite_url(path), Sizes(users=30, tasks=500, teams=12, heroes=60, items=20))
    figures = tmp_path / "overview.json"
    command = [sys.executable, "-m", "benchmarks.overview_bench", "--database", str(path), "--runs", "1"]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    completed = subprocess.run(
        [*command, "--json", str(figures)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    for label in (
        "four charts painted",
        "filter counts after a change",
        "longest event-loop stall",
        "raw owners",
    ):
        assert label in completed.stdout
    report = json.loads(figures.read_text(encoding="utf-8"))
    assert report["tasks"] == 500 and report["overview_ms"] > 0 and report["counts_ms"] > 0
