"""`taskforce` on the command line: --version, --help, subcommands, and where the log goes."""

from __future__ import annotations

import argparse
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import __version__, app
from desktop.app import Command


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        app.main(["--version"])

    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"Taskforce {__version__}\n"


def test_the_version_is_the_installed_packages() -> None:
    from importlib.metadata import version

    assert __version__ == version("taskforce")  # pyproject.toml reads it from desktop/__init__.py


def test_python_m_desktop_answers_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert (result.returncode, result.stdout) == (0, f"Taskforce {__version__}\n")


def test_help_lists_the_options_and_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        app.main(["--help"])

    text = capsys.readouterr().out
    for option in ("--database-url", "--data-dir", "--verbose", "--self-test", "backup", "restore", "check"):
        assert option in text


def recording_command(calls: list[argparse.Namespace]) -> Command:
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--times", type=int, default=1)

    def run(args: argparse.Namespace) -> int:
        calls.append(args)
        return 7

    return Command("greet", "say hello", add_arguments, run)


def test_a_subcommand_runs_instead_of_the_window_and_gives_the_exit_status(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[argparse.Namespace] = []
    monkeypatch.setattr(app, "COMMANDS", [recording_command(calls)])
    monkeypatch.setattr(app, "start_gui", lambda *args: pytest.fail("the window must not open"))

    status = app.main(["--data-dir", "/tmp/somewhere", "greet", "--times", "3"])

    assert status == 7
    [args] = calls
    assert (args.command, args.times, args.data_dir) == ("greet", 3, "/tmp/somewhere")


def test_without_a_subcommand_the_window_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[argparse.Namespace] = []
    monkeypatch.setattr(app, "start_gui", lambda args, log_path: started.append(args) or 0)

    assert app.main(["--verbose"]) == 0
    assert started[0].verbose


def test_without_commands_the_parser_has_no_command_argument(capsys: pytest.CaptureFixture[str]) -> None:
    parser = app.build_parser(commands=[])

    parser.print_help()

    assert "COMMAND" not in capsys.readouterr().out


def test_the_run_is_logged_in_the_data_dir_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app, "start_gui", lambda args, log_path: 0)

    app.main(["--data-dir", str(tmp_path / "elsewhere")])

    log_text = (tmp_path / "elsewhere" / "logs" / "taskforce.log").read_text(encoding="utf-8")
    assert f"Taskforce {__version__} starting" in log_text
    assert f"Taskforce {__version__} stopping" in log_text


def test_an_unwritable_log_folder_does_not_stop_taskforce(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "data"
    blocked.write_text("a file where the data folder should be")
    received: list[Path | None] = []
    monkeypatch.setattr(app, "start_gui", lambda args, log_path: received.append(log_path) or 0)

    assert app.main(["--data-dir", str(blocked)]) == 0
    assert received == [None]


def test_a_new_data_dir_is_private_with_every_folder_it_makes(tmp_path: Path) -> None:
    data = tmp_path / "new" / "place" / "data"

    assert app.main(["--data-dir", str(data), "check"]) == 1  # no database there yet

    for folder in (tmp_path / "new", tmp_path / "new" / "place", data, data / "logs"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
