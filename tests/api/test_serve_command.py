"""`taskforce serve`: starts, answers, stops on Ctrl+C or SIGTERM; plain messages when it cannot."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from apihelpers import free_port

from desktop.app import build_parser

ROOT = Path(__file__).resolve().parents[2]


def _serve(tmp_path: Path, *arguments: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "desktop", "--data-dir", str(tmp_path / "data"), *arguments]
    return subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy()
    )


def _wait_for_health(url: str, process: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            return httpx.get(f"{url}/health", timeout=2)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("taskforce serve did not answer")


def test_the_serve_command_is_there_with_its_options() -> None:
    args = build_parser().parse_args(["--data-dir", "x", "serve", "--port", "9000", "--token", "t"])
    assert (args.command, args.host, args.port, args.token) == ("serve", "127.0.0.1", 9000, "t")
    assert build_parser().parse_args(["serve"]).port == 8000


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_answers_health_and_the_routes_then_stops(tmp_path: Path, stop: signal.Signals) -> None:
    port = free_port()
    process = _serve(tmp_path, "serve", "--port", str(port), "--token", "secret-token")
    try:
        url = f"http://127.0.0.1:{port}"
        health = _wait_for_health(url, process)
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        auth = {"Authorization": "Bearer secret-token"}
        created = httpx.post(f"{url}/teams/", json={"name": "Avengers"}, headers=auth, timeout=10)
        assert created.status_code == 201
        assert httpx.get(f"{url}/teams/", timeout=10).status_code == 401
        process.send_signal(stop)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert f"on {url}" in out and "Stopped." in out
    assert "Traceback" not in err
    assert "secret-token" not in out + err
    log = (tmp_path / "data" / "logs" / "taskforce.log").read_text(encoding="utf-8")
    assert "POST /teams/" in log and "secret-token" not in log


def test_a_port_in_use_is_a_plain_message(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _serve(tmp_path, "serve", "--port", str(port))
        _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert err.strip() == (
        f"taskforce: Port {port} on 127.0.0.1 is already in use: stop what uses it, "
        "or choose another with --port."
    )
    assert not (tmp_path / "data" / "taskforce.db").exists()  # nothing was opened


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("nonsense://", "Taskforce cannot open nonsense databases"),
        ("postgresql+psycopg://someone:hunter2@127.0.0.1:1/nowhere", ""),
    ],
)
def test_a_bad_database_url_is_a_plain_message(tmp_path: Path, url: str, expected: str) -> None:
    process = _serve(tmp_path, "--database-url", url, "serve", "--port", str(free_port()))
    _, err = process.communicate(timeout=120)
    assert process.returncode in (1, 2)
    assert err.startswith("taskforce: ") and expected in err
    assert "Traceback" not in err and "hunter2" not in err


def test_a_bad_port_is_refused_by_the_parser(tmp_path: Path) -> None:
    process = _serve(tmp_path, "serve", "--port", "70000")
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "70000 is not a port number" in err and "Traceback" not in err
