"""Guards the PySide6 pin: the installed Qt binding must not lose references to None."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = Path(__file__).with_name("pyside_none_refcount_probe.py")


def test_installed_pyside_keeps_its_references_to_none() -> None:
    finished = subprocess.run(
        [sys.executable, str(PROBE)],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, (
        "The installed PySide6 loses a reference to None on every QModelIndex.data() call without a "
        "value (the PySide6 6.12.0 bug); the app would abort with 'Fatal Python error: none_dealloc' "
        "after a few thousand table cells. Keep PySide6-Essentials pinned to 6.11.3 (pyproject.toml "
        f"excludes 6.12.0).\n{finished.stdout}{finished.stderr}"
    )
    assert "None references lost" in finished.stdout
