"""Fixtures shared by every layer: an isolated data dir and a fresh database per test.

Each test gets its own database: a file on SQLite, a new database on PostgreSQL and
MariaDB (dropped afterwards). Server tests skip with the reason when a server is
unreachable, unless TASKFORCE_REQUIRE_SERVERS=1 (CI), where they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.store import Store

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SERVERS = {
    "postgresql": os.environ.get(
        "TASKFORCE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
    "mariadb": os.environ.get("TASKFORCE_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
BACKENDS = ["sqlite", "postgresql", "mariadb"]


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never touch the real user dirs: data, logs and settings go to a temporary folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("TASKFORCE_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "share"))
    monkeypatch.delenv("TASKFORCE_DATABASE_URL", raising=False)
    return home


def _server_unavailable(backend: str, reason: str) -> None:
    if os.environ.get("TASKFORCE_REQUIRE_SERVERS") == "1":
        pytest.fail(f"{backend} is required (TASKFORCE_REQUIRE_SERVERS=1) but unreachable: {reason}")
    pytest.skip(f"{backend} unreachable at {SERVERS[backend]}: {reason}")


def _fresh_server_database(backend: str) -> Iterator[str]:
    admin_url = sa.make_url(SERVERS[backend])
    name = f"tf_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            charset = " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" if backend == "mariadb" else ""
            connection.exec_driver_sql(f"CREATE DATABASE {name}{charset}")
    except sa.exc.OperationalError as error:
        admin.dispose()
        _server_unavailable(backend, str(error.orig).splitlines()[0])
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            if backend == "postgresql":
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            else:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database on each backend in turn."""
    backend: str = request.param
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'taskforce.db'}"
        return
    yield from _fresh_server_database(backend)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'taskforce.db'}"


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = Store.open(database_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[Store]:
    opened = Store.open(sqlite_url)
    try:
        yield opened
    finally:
        opened.close()
