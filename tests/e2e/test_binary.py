"""The packaged program (make dist): it starts, passes its self-test, and stays small.

Skipped when dist/Taskforce/Taskforce has not been built, unless TASKFORCE_REQUIRE_BINARY=1
(CI builds it first), where a missing program fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import __version__

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "Taskforce"
BINARY = BUNDLE / ("Taskforce.exe" if sys.platform == "win32" else "Taskforce")
SIZE_LIMIT = 120 * 1024 * 1024


@pytest.fixture
def binary() -> Path:
    if not BINARY.is_file():
        if os.environ.get("TASKFORCE_REQUIRE_BINARY") == "1":
            pytest.fail(f"{BINARY} is required (TASKFORCE_REQUIRE_BINARY=1) but has not been built")
        pytest.skip(f"{BINARY.relative_to(ROOT)} has not been built (make dist)")
    return BINARY


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    """A home of its own, so that the program cannot touch real data, settings or logs."""
    home = tmp_path / "home"
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "share"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
        "TASKFORCE_DATA_DIR": str(home / "data"),
        "QT_QPA_PLATFORM": "offscreen",
    }


def run(binary: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(binary), *args], env=env, capture_output=True, text=True, check=False, timeout=180
    )


def test_the_self_test_passes(binary: Path, environment: dict[str, str]) -> None:
    result = run(binary, "--self-test", env=environment)

    assert result.returncode == 0, result.stdout + result.stderr
    [line] = result.stdout.splitlines()
    assert line.startswith(f"Taskforce {__version__} self-test passed")
    assert "6 tabs rendered" in line and "postgresql (psycopg binary)" in line
    assert "Traceback" not in result.stderr


def test_the_self_test_touches_no_data(binary: Path, environment: dict[str, str]) -> None:
    run(binary, "--self-test", env=environment)

    assert not Path(environment["TASKFORCE_DATA_DIR"]).exists()
    assert not Path(environment["XDG_CONFIG_HOME"]).exists()


def test_version(binary: Path, environment: dict[str, str]) -> None:
    result = run(binary, "--version", env=environment)

    assert (result.returncode, result.stdout) == (0, f"Taskforce {__version__}\n")


def test_a_subcommand_runs_from_the_bundle(binary: Path, environment: dict[str, str], tmp_path: Path) -> None:
    result = run(binary, "--database-url", f"sqlite:///{tmp_path / 'none.db'}", "check", env=environment)

    assert result.returncode == 1
    assert "There is no database at" in result.stderr


def test_the_window_paints_and_the_cold_start_is_reported(binary: Path, environment: dict[str, str]) -> None:
    result = run(binary, env={**environment, "TASKFORCE_EXIT_AFTER_FIRST_PAINT": "1"})

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("first paint after ")


def test_the_bundle_is_at_most_120_mb(binary: Path) -> None:
    size = sum(path.lstat().st_size for path in BUNDLE.rglob("*") if path.is_file() and not path.is_symlink())

    assert size <= SIZE_LIMIT, f"{BUNDLE.relative_to(ROOT)} holds {size / 2**20:.1f} MB"


def test_only_the_qt_that_taskforce_uses_is_bundled(binary: Path) -> None:
    names = {path.name for path in BUNDLE.rglob("*")}

    assert {"libqsvgicon.so", "libqsvg.so", "libqxcb.so", "libqoffscreen.so", "libqwayland.so"} <= names
    assert {"libQt6Charts.so.6", "QtCharts.abi3.so"} <= names  # the Overview's charts
    assert (
        not {"libQt6Network.so.6", "libQt6Qml.so.6", "libQt6Sql.so.6", "libqgtk3.so", "libqeglfs.so"} & names
    )
    assert not any(name.endswith(".qm") for name in names)
    assert not (BUNDLE / "_internal" / "PySide6" / "Qt" / "translations").exists()
    assert not [path for path in BUNDLE.rglob("*") if path.is_symlink() and not path.exists()]


def test_the_migrations_and_resources_travel_inside(binary: Path) -> None:
    internal = BUNDLE / "_internal"

    assert (internal / "migrations" / "env.py").is_file()
    assert list((internal / "migrations" / "versions").glob("0001_*.py"))
    assert (internal / "resources" / "icons" / "taskforce.svg").is_file()
    assert (internal / "resources" / "icons" / "dark" / "delete.svg").is_file()
