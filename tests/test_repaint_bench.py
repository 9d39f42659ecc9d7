"""The repaint benchmark runs, and a repaint of the tasks table calls no data() from Qt.

The figures mean nothing at this size and are not checked (see docs/performance.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.generate import Sizes, generate
from benchmarks.measure import RESULT_PREFIX
from desktop.db import sqlite_url

ROOT = Path(__file__).resolve().parent.parent


def test_a_repaint_enters_python_once_per_cell_for_its_content(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "bench.db")
    generate(url, Sizes(users=20, tasks=500, teams=5, heroes=50, items=30))
    finished = subprocess.run(
        [sys.executable, "-m", "benchmarks.repaint_bench", "--url", url, "--repaints", "10"],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        check=True,
        timeout=180,
    )
    line = next(line for line in finished.stdout.splitlines() if line.startswith(RESULT_PREFIX))
    result = json.loads(line.removeprefix(RESULT_PREFIX))
    cells = result["cells"]
    own = result["python_calls_by_function"]["own_delegate"]
    qts = result["python_calls_by_function"]["qt_delegate"]
    assert cells > 0
    assert own["EntityDelegate.initStyleOption"] == cells
    assert "EntityTableModel.data" not in own
    assert qts["EntityTableModel.data"] >= 7 * cells  # Qt's delegate asks seven roles of every cell
    assert result["python_calls"]["own_delegate"] < result["python_calls"]["qt_delegate"] / 2
    assert set(result["repaint_ms"]) == {"own_delegate", "qt_delegate"} and result["reference_ms"] > 0
