"""The log file: where it is, how it rotates, that no password reaches it, and --verbose SQL timing."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from desktop import app, db, logs
from desktop.store import Store

log = logging.getLogger("tests.logs")


@pytest.fixture(autouse=True)
def _logging_removed_afterwards() -> Iterator[None]:
    yield
    logs.shutdown_logging()


def file_handlers() -> list[RotatingFileHandler]:
    return [h for h in logging.getLogger().handlers if isinstance(h, RotatingFileHandler)]


def test_the_log_is_in_the_log_dir_of_the_data_folder(_private_dirs: Path) -> None:
    path = logs.setup_logging()

    log.info("hello")

    assert path == _private_dirs / "data" / "logs" / "taskforce.log"
    assert "INFO    tests.logs: hello" in path.read_text(encoding="utf-8")


def test_the_log_rotates_at_one_megabyte_keeping_five_files() -> None:
    logs.setup_logging()

    [handler] = file_handlers()
    assert (handler.maxBytes, handler.backupCount) == (1_000_000, 5)


def test_a_full_log_moves_aside_and_old_logs_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)
    path = logs.setup_logging()

    for number in range(400):
        log.info("line %d %s", number, "x" * 50)

    names = sorted(p.name for p in path.parent.iterdir())
    assert names == [f"taskforce.log{suffix}" for suffix in ("", ".1", ".2", ".3", ".4", ".5")]
    assert all(p.stat().st_size <= 2_000 for p in path.parent.iterdir())


def test_setting_up_again_replaces_the_handlers_instead_of_adding_more() -> None:
    logs.setup_logging()
    logs.setup_logging()

    assert len(file_handlers()) == 1


def test_shutting_down_restores_the_level_the_root_logger_had() -> None:
    root = logging.getLogger()
    before = root.level
    logs.setup_logging(verbose=True)
    assert root.level == logging.DEBUG

    logs.shutdown_logging()

    assert root.level == before
    assert file_handlers() == []


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("postgresql+psycopg://me:secret@db.example.org/tf", "postgresql+psycopg://me:***@db.example.org/tf"),
        ("mysql+pymysql://root:p@ss@127.0.0.1:3306/test", "mysql+pymysql://root:***@127.0.0.1:3306/test"),
        ("Cannot open postgresql://u:s3cr%40t@h/db: refused", "Cannot open postgresql://u:***@h/db: refused"),
        ("host=db user=me password=secret dbname=tf", "host=db user=me password=*** dbname=tf"),
        ("sqlite:////home/me/taskforce.db", "sqlite:////home/me/taskforce.db"),
        ("postgresql://me@db/tf and mail bob@example.com", "postgresql://me@db/tf and mail bob@example.com"),
    ],
)
def test_passwords_in_urls_are_masked(text: str, masked: str) -> None:
    assert logs.mask_passwords(text) == masked


def test_no_password_reaches_the_log_in_messages_arguments_or_tracebacks() -> None:
    path = logs.setup_logging()
    url = "postgresql+psycopg://alice:hunter2@db.example.org/tf"

    log.warning("opening %s", url)
    log.info(f"connected to {url}")
    try:
        raise ConnectionError(f"could not reach {url}")
    except ConnectionError:
        log.exception("failed")

    text = path.read_text(encoding="utf-8")
    assert "hunter2" not in text
    assert text.count("alice:***@db.example.org") == 3  # two messages and the error in the traceback
    assert "Traceback" in text


def test_verbose_logs_each_sql_statement_with_its_duration(sqlite_url: str) -> None:
    path = logs.setup_logging(verbose=True)

    with Store.open(sqlite_url) as store:
        store.teams.count()

    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if " desktop.sql: " in line]
    assert any(
        re.search(r"DEBUG   desktop\.sql: \d+\.\d\d ms: SELECT count\(\*\) AS count_1 FROM team", line)
        for line in lines
    )


def test_without_verbose_no_sql_is_logged(sqlite_url: str) -> None:
    path = logs.setup_logging()

    with Store.open(sqlite_url) as store:
        store.teams.count()
    log.info("done")

    assert "desktop.sql" not in path.read_text(encoding="utf-8")


def test_sql_timing_stops_with_the_logging(sqlite_url: str) -> None:
    import sqlalchemy as sa
    from sqlalchemy.engine import Engine

    logs.setup_logging(verbose=True)
    logs.shutdown_logging()

    assert not sa.event.contains(Engine, "before_cursor_execute", logs._before_cursor_execute)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a file that is always full")
def test_a_log_on_a_full_disk_changes_no_outcome(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    (data / "logs").mkdir(parents=True)
    (data / "logs" / "taskforce.log").symlink_to("/dev/full")  # every write: "No space left on device"
    database = data / "taskforce.db"
    with Store.open(db.sqlite_url(database)) as store:
        store.teams.create({"name": "Avengers"})
    capsys.readouterr()

    checked = app.main(["--data-dir", str(data), "check"])
    backed_up = app.main(["--data-dir", str(data), "backup"])

    out, err = capsys.readouterr()
    assert (checked, backed_up) == (0, 0), err
    assert "in good order" in out and "Backed up and verified" in out
    assert "Logging error" not in err and "Traceback" not in err
