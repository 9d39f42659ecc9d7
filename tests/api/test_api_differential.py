"""The same requests to the tutorial's own apps and to Taskforce: the same status codes and fields.

The tutorial's Heroes API and Task Manager API (benchmarks/tutorial/, as the tutorial writes them)
run under uvicorn in a process of their own, each on a new SQLite file; Taskforce answers over a
new SQLite store. Where the tutorial is lax Taskforce is stricter (an owner that does not exist,
a duplicate username, limit above 100 on heroes): those requests are left out here and tested in
test_api_routes.py. Taskforce answers may carry more fields (version, team_id), never fewer.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from apihelpers import TOKEN, free_port

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "benchmarks" / "tutorial"

Request = tuple[str, str, dict[str, Any] | None]

HEROES_SEQUENCE: list[Request] = [
    ("POST", "/heroes/", {"name": "Spider-Man", "power": "wall-crawling", "level": 5}),
    ("POST", "/heroes/", {"name": "Thor", "power": "thunder"}),
    ("POST", "/heroes/", {"name": "Storm", "power": "weather", "level": 9}),
    ("GET", "/heroes/", None),
    ("GET", "/heroes/?skip=1&limit=1", None),
    ("GET", "/heroes/?limit=2", None),
    ("GET", "/heroes/1", None),
    ("GET", "/heroes/99", None),
    ("PATCH", "/heroes/1", {"level": 7}),
    ("PATCH", "/heroes/1", {"name": "Peter", "power": "webs"}),
    ("PATCH", "/heroes/99", {"level": 2}),
    ("DELETE", "/heroes/2", None),
    ("DELETE", "/heroes/2", None),
    ("GET", "/heroes/2", None),
    ("GET", "/heroes/", None),
    ("POST", "/heroes/", {"name": "No power"}),
    ("POST", "/heroes/", {"name": "X", "power": "y", "level": "high"}),
    ("GET", "/heroes/abc", None),
]

TASKS_SEQUENCE: list[Request] = [
    ("POST", "/users/", {"username": "alice", "email": "alice@example.org"}),
    ("POST", "/users/", {"username": "bob", "email": "bob@example.org"}),
    ("POST", "/tasks/", {"title": "Write", "owner_id": 1}),
    ("POST", "/tasks/", {"title": "Read", "description": "A book", "status": "done", "owner_id": 1}),
    ("POST", "/tasks/", {"title": "Sleep", "status": "in_progress", "owner_id": 2}),
    ("POST", "/tasks/", {"title": "Walk", "owner_id": 2}),
    ("GET", "/tasks/", None),
    ("GET", "/tasks/?status=todo", None),
    ("GET", "/tasks/?owner_id=1", None),
    ("GET", "/tasks/?status=done&owner_id=1", None),
    ("GET", "/tasks/?status=todo&owner_id=2&skip=0&limit=100", None),
    ("GET", "/tasks/?skip=1&limit=2", None),
    ("GET", "/tasks/?skip=-1", None),
    ("GET", "/tasks/?limit=101", None),
    ("GET", "/tasks/?status=someday", None),
    ("PATCH", "/tasks/1", {"status": "in_progress"}),
    ("PATCH", "/tasks/1", {"description": "Now with words"}),
    ("PATCH", "/tasks/3", {"title": "Nap", "status": "done"}),
    ("PATCH", "/tasks/999", {"status": "done"}),
    ("PATCH", "/tasks/1", {"status": "someday"}),
    ("POST", "/tasks/", {"title": "No owner"}),
    ("POST", "/tasks/", {"title": "Bad owner", "owner_id": "abc"}),
    ("POST", "/users/", {"username": "carol"}),
    ("GET", "/tasks/?limit=100", None),
]


@pytest.fixture(scope="module")
def tutorial_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """module name -> base URL of the tutorial's app, each in its own folder and process."""
    urls: dict[str, str] = {}
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for module in ("heroes", "task_manager"):
            folder = tmp_path_factory.mktemp(module)
            shutil.copy(TUTORIAL / f"{module}.py", folder / f"{module}.py")
            port = free_port()
            command = [
                sys.executable,
                "-m",
                "uvicorn",
                f"{module}:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ]
            processes.append(
                subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )
            urls[module] = f"http://127.0.0.1:{port}"
        for url in urls.values():
            _wait_for(url)
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"the tutorial's app at {url} did not start")


def _same_fields(tutorial: Any, ours: Any, where: str) -> None:
    """Every field the tutorial answers is in ours, with the same value (created_at: both a time)."""
    if isinstance(tutorial, list):
        assert isinstance(ours, list) and len(ours) == len(tutorial), where
        for number, (theirs, mine) in enumerate(zip(tutorial, ours, strict=True)):
            _same_fields(theirs, mine, f"{where}[{number}]")
        return
    assert isinstance(ours, dict), where
    for name, value in tutorial.items():
        assert name in ours, f"{where}: {name} missing"
        if name == "created_at":
            datetime.fromisoformat(value), datetime.fromisoformat(ours[name])
        else:
            assert ours[name] == value, f"{where}: {name} {ours[name]!r} != {value!r}"


def _compare(sequence: list[Request], tutorial: httpx.Client, ours: Any) -> None:
    for method, path, body in sequence:
        where = f"{method} {path} {body}"
        theirs, mine = tutorial.request(method, path, json=body), ours.request(method, path, json=body)
        assert mine.status_code == theirs.status_code, f"{where}: {mine.status_code} != {theirs.status_code}"
        if theirs.status_code == 422:
            assert isinstance(mine.json()["detail"], list), where
        else:
            _same_fields(theirs.json(), mine.json(), where)


@pytest.mark.parametrize(
    ("module", "sequence"), [("heroes", HEROES_SEQUENCE), ("task_manager", TASKS_SEQUENCE)]
)
def test_taskforce_answers_as_the_tutorials_app(
    tutorial_servers: dict[str, str], anonymous: Any, module: str, sequence: list[Request]
) -> None:
    anonymous.headers["Authorization"] = f"Bearer {TOKEN}"
    with httpx.Client(base_url=tutorial_servers[module], timeout=30) as tutorial:
        _compare(sequence, tutorial, anonymous)
