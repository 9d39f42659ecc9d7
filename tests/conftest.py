"""Fixtures shared by every layer: an isolated data dir and a fresh database per test.

Each test gets its own database: a file on SQLite; on PostgreSQL and MariaDB a new database
for `database_url` (dropped afterwards), and for `store` one database per run emptied before
each test. Server tests skip with the reason when a server is unreachable, unless
TASKFORCE_REQUIRE_SERVERS=1 (CI), where they fail instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QSettings
from sqlmodel import SQLModel

import desktop.models  # noqa: F401  (registers every table on SQLModel.metadata)
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
    # Qt reads XDG_CONFIG_HOME once per process, at the first QSettings: each test says it again.
    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, str(home / "config"))
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
    """A URL of a new, empty database (no tables) on each backend in turn."""
    backend: str = request.param
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'taskforce.db'}"
        return
    yield from _fresh_server_database(backend)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`store` alone runs on each backend in turn; with `database_url` it opens that database."""
    if "store" in metafunc.fixturenames and "database_url" not in metafunc.fixturenames:
        metafunc.parametrize("store", BACKENDS, indirect=True)


@pytest.fixture(scope="session")
def _run_databases() -> Iterator[Callable[[str], str]]:
    """backend -> the URL of one server database migrated to head for the whole run (made on first use)."""
    made: dict[str, str] = {}
    cleanups: list[Iterator[str]] = []

    def get(backend: str) -> str:
        if backend not in made:
            database = _fresh_server_database(backend)
            url = next(database)
            cleanups.append(database)
            Store.open(url).close()
            made[backend] = url
        return made[backend]

    yield get
    for database in cleanups:
        next(database, None)  # the generator's finally drops the database


def _empty_server_database(url: str) -> None:
    """Delete every row and restart the ids at 1: as good as new, in milliseconds instead of a migration."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            postgres = connection.dialect.name == "postgresql"
            # A test that left a transaction open makes this fail instead of hang.
            if postgres:
                connection.exec_driver_sql("SET lock_timeout = '10s'")
            else:
                connection.exec_driver_sql(
                    "SET SESSION lock_wait_timeout = 10, innodb_lock_wait_timeout = 10"
                )
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(table.delete())
            if postgres:
                for table in SQLModel.metadata.sorted_tables:
                    if "id" in table.c:
                        quoted = connection.dialect.identifier_preparer.quote(table.name)
                        sequence = sa.func.pg_get_serial_sequence(quoted, "id")
                        connection.execute(sa.select(sa.func.setval(sequence, 1, False)))
                return
            used = connection.exec_driver_sql(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = DATABASE() AND auto_increment > 1"
            ).scalars()
            for name in used:  # ALTER TABLE is the slow part: only where ids were handed out
                connection.exec_driver_sql(f"ALTER TABLE `{name}` AUTO_INCREMENT = 1")
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'taskforce.db'}"


@pytest.fixture
def store(
    request: pytest.FixtureRequest, sqlite_url: str, _run_databases: Callable[[str], str]
) -> Iterator[Store]:
    """A store on an empty database at the newest schema, on each backend in turn.

    On the servers one database serves the whole run and is emptied before each test, which is
    much quicker than creating and migrating one. A test that also asks for `database_url` gets
    its store on that new database.
    """
    if "database_url" in request.fixturenames:
        url: str = request.getfixturevalue("database_url")
    elif request.param == "sqlite":
        url = sqlite_url
    else:
        url = _run_databases(request.param)
        _empty_server_database(url)
    opened = Store.open(url)
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


@pytest.fixture
def run_offscreen() -> Callable[[str], str]:
    """Run Python code in a fresh interpreter on Qt's offscreen platform; what it printed."""

    def run(code: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return result.stdout

    return run
