"""The freedesktop menu entry: `make install-desktop` and `make uninstall-desktop` in a temporary home."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)


def make(target: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value for key, value in os.environ.items() if key not in ("XDG_DATA_HOME", "MAKEFLAGS")
    }
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), target],
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.fixture
def program(tmp_path: Path) -> Path:
    """Stands in for the program the entry starts (a path with a space, as homes can have)."""
    path = tmp_path / "my apps" / "Taskforce"
    path.parent.mkdir()
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def installed_files(data_home: Path) -> list[Path]:
    return [
        data_home / "applications" / "taskforce.desktop",
        data_home / "icons" / "hicolor" / "scalable" / "apps" / "taskforce.svg",
        *(data_home / "icons" / "hicolor" / f"{n}x{n}" / "apps" / "taskforce.png" for n in ICON_SIZES),
    ]


def entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_entry_names_the_program_its_icon_and_menu_categories() -> None:
    desktop = entry(ROOT / "resources" / "taskforce.desktop")

    assert desktop["Type"] == "Application"
    assert desktop["Name"] == "Taskforce"
    assert desktop["Icon"] == "taskforce"
    assert desktop["Categories"] == "Office;ProjectManagement;"
    assert desktop["Exec"] == "taskforce"
    assert desktop["Comment"]


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None, reason="desktop-file-utils is not installed"
)
def test_the_entry_is_valid() -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(ROOT / "resources" / "taskforce.desktop")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_install_puts_the_entry_and_icons_under_the_home_and_uninstall_removes_them(
    tmp_path: Path, program: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "DESKTOP_EXEC": str(program)}

    installed = make("install-desktop", env)

    assert installed.returncode == 0, installed.stderr
    data_home = home / ".local" / "share"
    assert all(path.is_file() for path in installed_files(data_home))
    desktop = entry(data_home / "applications" / "taskforce.desktop")
    assert desktop["Exec"] == f'"{program}"'
    assert desktop["TryExec"] == str(program)
    assert f"it starts {program}" in installed.stdout
    if shutil.which("desktop-file-validate"):
        validate = ["desktop-file-validate", str(data_home / "applications" / "taskforce.desktop")]
        assert subprocess.run(validate, capture_output=True, check=False).returncode == 0

    removed = make("uninstall-desktop", env)

    assert removed.returncode == 0, removed.stderr
    assert not any(path.exists() for path in installed_files(data_home))


def test_xdg_data_home_is_honoured(tmp_path: Path, program: Path) -> None:
    data_home = tmp_path / "xdg"
    env = {"HOME": str(tmp_path / "unused"), "XDG_DATA_HOME": str(data_home), "DESKTOP_EXEC": str(program)}

    assert make("install-desktop", env).returncode == 0
    assert all(path.is_file() for path in installed_files(data_home))
    assert not (tmp_path / "unused").exists()

    assert make("uninstall-desktop", env).returncode == 0
    assert not any(path.exists() for path in installed_files(data_home))


def test_without_a_home_nothing_is_installed(program: Path) -> None:
    result = make("install-desktop", {"HOME": "", "XDG_DATA_HOME": "", "DESKTOP_EXEC": str(program)})

    assert result.returncode != 0
    assert "Neither HOME nor XDG_DATA_HOME is set" in result.stderr


def test_a_missing_program_is_reported_before_anything_is_installed(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "DESKTOP_EXEC": str(tmp_path / "nothing-here")}

    result = make("install-desktop", env)

    assert result.returncode != 0
    assert "nothing-here is missing: run make dist or make run first" in result.stderr
    assert not (tmp_path / ".local").exists()
