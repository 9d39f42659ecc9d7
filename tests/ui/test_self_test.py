"""`taskforce --self-test`, run in this process: one line, exit status 0, nobody's data touched."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from desktop import __version__, app, selftest
from desktop.selftest import SelfTest, run_self_test


def test_the_self_test_passes_and_prints_one_line(qapp: QApplication) -> None:
    out = io.StringIO()

    status = run_self_test(stream=out)

    line = out.getvalue()
    assert status == 0, line
    assert line.startswith(f"Taskforce {__version__} self-test passed in ")
    assert line.count("\n") == 1
    for fact in (
        "database migrated to ",
        "created, read, updated and deleted a team, hero, item, user, task",
        "6 tabs rendered (Overview, Tasks, Users, Heroes, Teams, Items)",
        "sorting by language",
        "drivers sqlite, postgresql (psycopg ",
    ):
        assert fact in line


def test_the_self_test_leaves_the_data_folder_and_settings_alone(
    qapp: QApplication, _private_dirs: Path
) -> None:
    data_dir = os.environ["TASKFORCE_DATA_DIR"]
    os.environ["TASKFORCE_DATABASE_URL"] = "sqlite:////nonexistent/elsewhere.db"

    assert run_self_test(stream=io.StringIO()) == 0

    assert os.environ["TASKFORCE_DATA_DIR"] == data_dir
    assert os.environ["TASKFORCE_DATABASE_URL"] == "sqlite:////nonexistent/elsewhere.db"
    assert not Path(data_dir).exists()
    assert not (_private_dirs / "config").exists()


def test_a_failing_step_gives_exit_status_1_with_the_step_and_the_reason(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_window(self: SelfTest, *args: object) -> str:
        raise RuntimeError("no paint engine")

    monkeypatch.setattr(SelfTest, "render_window", broken_window)
    out = io.StringIO()

    status = run_self_test(stream=out)

    assert status == 1
    failed = "FAILED while rendering the main window: RuntimeError: no paint engine"
    assert out.getvalue() == f"Taskforce {__version__} self-test {failed}\n"


def test_a_failed_check_names_what_is_wrong(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selftest, "ROWS", {**selftest.ROWS, "team": ({"name": "A team"}, {"name": " "})})
    out = io.StringIO()

    assert run_self_test(stream=out) == 1
    assert "FAILED while creating, reading and updating rows: " in out.getvalue()


def test_the_command_line_option_runs_it(qapp: QApplication, capsys: pytest.CaptureFixture[str]) -> None:
    status = app.main(["--self-test"])

    assert status == 0
    assert "self-test passed" in capsys.readouterr().out
