"""`make bench-api`: `taskforce serve` against the tutorial's own Task Manager app, on loopback.

    python -m benchmarks.api_bench                  # 1,000 tasks, 2,000 requests, 32 clients
    python -m benchmarks.api_bench --rounds 3       # each side three times, alternating
    python -m benchmarks.api_bench --sides tutorial,taskforce

Each side runs as its own server process on a free loopback port over a new SQLite file: the
tutorial's app (benchmarks/tutorial/task_manager.py, as the tutorial writes it) under uvicorn, then
`taskforce serve` (the store on worker threads), then the same routes on AsyncSession with aiosqlite
(benchmarks/async_variant.py, a measurement prototype). All get the same workload: 1,000 tasks made
through the API first (not timed), then 2,000 requests from 32 concurrent keep-alive clients, four
`GET /tasks/?status=todo&limit=100` to each `POST /tasks/`. The client is a small asyncio HTTP/1.1
client, so that it takes little of the processor the servers share with it. The table printed and the
JSON written to benchmarks/results/ give throughput, p50 and p99 latency for each side and their ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL_DIR = Path(__file__).resolve().parent / "tutorial"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
HOST = "127.0.0.1"
TOKEN = "api-bench-token"
START_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 30.0
RUN_TIMEOUT_S = 600.0  # the whole timed part of one side
SEED_CLIENTS = 8
TARGETS = {"throughput": 1.0, "p99": 1.0}  # Taskforce / tutorial: at least, at most
SIDES = ("tutorial", "taskforce", "async")  # the first is the reference of the ratios


@dataclass
class Workload:
    tasks: int = 1_000
    requests: int = 2_000
    clients: int = 32
    reads_per_write: int = 4


@dataclass
class SideResult:
    name: str
    requests: int
    seconds: float
    throughput: float  # requests per second
    p50_ms: float
    p99_ms: float
    read_p99_ms: float
    write_p50_ms: float
    write_p99_ms: float
    errors: int
    error_samples: list[str]


# --- a small HTTP/1.1 client -----------------------------------------------------------------------


class Connection:
    """One keep-alive connection; request() sends and reads one whole response."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self._port = port
        self._head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(HOST, self._port)
        length = f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n" if body else ""
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{self._port}\r\n{self._head}{length}\r\n"
        self._writer.write(head.encode() + body)
        status_line = await self._reader.readline()
        status = int(status_line.split()[1])
        content_length = 0
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                content_length = int(value)
        return status, await self._reader.readexactly(content_length)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()


def _task_body(number: int, owner_id: int) -> bytes:
    return json.dumps({"title": f"Task {number}", "description": "Load", "owner_id": owner_id}).encode()


async def _seed(port: int, headers: dict[str, str], tasks: int) -> int:
    """One user and `tasks` tasks of theirs, made through the API; the user's id."""
    connection = Connection(port, headers)
    user = json.dumps({"username": "bench", "email": "bench@example.org"}).encode()
    status, body = await connection.request("POST", "/users/", user)
    if status != 201:
        raise RuntimeError(f"POST /users/ answered {status}: {body[:300]!r}")
    owner_id = int(json.loads(body)["id"])
    await connection.close()
    numbers = iter(range(tasks))

    async def client() -> None:
        mine = Connection(port, headers)
        for number in numbers:
            status, body = await mine.request("POST", "/tasks/", _task_body(number, owner_id))
            if status != 201:
                raise RuntimeError(f"POST /tasks/ answered {status}: {body[:300]!r}")
        await mine.close()

    await asyncio.gather(*(client() for _ in range(SEED_CLIENTS)))
    return owner_id


async def _load(
    port: int, headers: dict[str, str], workload: Workload, owner_id: int
) -> tuple[list[tuple[float, bool]], list[str], float]:
    """The timed part: latencies (seconds), the answers that were not 200/201, wall time."""
    indexes = iter(range(workload.requests))
    latencies: list[tuple[float, bool]] = []
    errors: list[str] = []
    every = workload.reads_per_write + 1

    async def client() -> None:
        connection = Connection(port, headers)
        for index in indexes:
            write = index % every == every - 1
            started = time.perf_counter()
            if write:
                status, body = await connection.request(
                    "POST", "/tasks/", _task_body(100_000 + index, owner_id)
                )
            else:
                status, body = await connection.request("GET", "/tasks/?status=todo&limit=100")
            latencies.append((time.perf_counter() - started, write))
            if status != (201 if write else 200):
                errors.append(f"{status} {body[:200].decode(errors='replace')}")
        await connection.close()

    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(client() for _ in range(workload.clients))), RUN_TIMEOUT_S)
    return latencies, errors, time.perf_counter() - started


# --- the servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start (exit {process.returncode})")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no server on port {port} after {START_TIMEOUT_S:.0f} s")


def tutorial_command(port: int) -> list[str]:
    """The tutorial's way to run it (`uvicorn task_manager:app`), without --reload."""
    return [sys.executable, "-m", "uvicorn", "task_manager:app", "--host", HOST, "--port", str(port)]


def taskforce_command(port: int, data_dir: Path) -> list[str]:
    return [
        sys.executable, "-m", "desktop", "--data-dir", str(data_dir),
        "serve", "--host", HOST, "--port", str(port), "--token", TOKEN,
    ]  # fmt: skip


def async_variant_command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "--factory", "benchmarks.async_variant:app_from_environment",
        "--host", HOST, "--port", str(port), "--lifespan", "off",
    ]  # fmt: skip


def run_side(name: str, workload: Workload) -> SideResult:
    folder = Path(tempfile.mkdtemp(prefix=f"api-bench-{name}-"))
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(TUTORIAL_DIR)])}
    if name == "tutorial":
        shutil.copy(TUTORIAL_DIR / "task_manager.py", folder / "task_manager.py")
        command, headers = tutorial_command(port), {}
    elif name == "async":
        env |= {"TASKFORCE_BENCH_DATABASE": str(folder / "taskforce.db"), "TASKFORCE_API_TOKEN": TOKEN}
        command, headers = async_variant_command(port), {"Authorization": f"Bearer {TOKEN}"}
    else:
        command, headers = taskforce_command(port, folder / "data"), {"Authorization": f"Bearer {TOKEN}"}
    process = subprocess.Popen(
        command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        _wait_until_up(port, process)
        owner_id = asyncio.run(_seed(port, headers, workload.tasks))
        latencies, errors, seconds = asyncio.run(_load(port, headers, workload, owner_id))
    finally:
        process.terminate()
        try:
            _, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
        shutil.rmtree(folder, ignore_errors=True)
    if process.returncode not in (0, -15):
        sys.stderr.write(stderr.decode(errors="replace")[-3000:])
    every = sorted(latency for latency, _ in latencies)
    reads = sorted(latency for latency, write in latencies if not write)
    writes = sorted(latency for latency, write in latencies if write)
    return SideResult(
        name=name,
        requests=len(every),
        seconds=seconds,
        throughput=len(every) / seconds,
        p50_ms=1000 * statistics.median(every),
        p99_ms=1000 * percentile(every, 0.99),
        read_p99_ms=1000 * percentile(reads, 0.99),
        write_p50_ms=1000 * statistics.median(writes),
        write_p99_ms=1000 * percentile(writes, 0.99),
        errors=len(errors),
        error_samples=errors[:5],
    )


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of sorted values."""
    return ordered[max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))]


# --- report ----------------------------------------------------------------------------------------


def ratios(tutorial: SideResult, taskforce: SideResult) -> dict[str, float]:
    return {
        "throughput": taskforce.throughput / tutorial.throughput,
        "p50": taskforce.p50_ms / tutorial.p50_ms,
        "p99": taskforce.p99_ms / tutorial.p99_ms,
    }


def round_ratios(sides: Sequence[SideResult]) -> dict[str, dict[str, float]]:
    """Each side's figures over the first side's (the tutorial's) of the same round."""
    return {side.name: ratios(sides[0], side) for side in sides[1:]}


def report(rounds: Sequence[Sequence[SideResult]]) -> str:
    lines = [
        f"{'round':<6}{'side':<11}{'requests/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'GET p99':>10}{'POST p50':>10}{'POST p99':>10}",
    ]
    for number, pair in enumerate(rounds, 1):
        for side in pair:
            lines.append(
                f"{number:<6}{side.name:<11}{side.throughput:>11.1f}{side.p50_ms:>9.1f}{side.p99_ms:>9.1f}"
                f"{side.errors:>8}{side.read_p99_ms:>10.1f}{side.write_p50_ms:>10.1f}{side.write_p99_ms:>10.1f}"
            )
        for name, got in round_ratios(pair).items():
            lines.append(
                f"{'':<6}{name + ' ratio':<17}{got['throughput']:>4.2f}x"
                f"{got['p50']:>8.2f}x{got['p99']:>8.2f}x"
                f"   (targets: throughput ≥ {TARGETS['throughput']:.1f}x, p99 ≤ {TARGETS['p99']:.1f}x)"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--tasks", type=int, default=Workload.tasks)
    parser.add_argument("--requests", type=int, default=Workload.requests)
    parser.add_argument("--clients", type=int, default=Workload.clients)
    parser.add_argument("--rounds", type=int, default=1, help="run both sides this many times, alternating")
    parser.add_argument(
        "--sides",
        default=",".join(SIDES),
        help=f"which servers to run, in this order, the first the reference (default: {','.join(SIDES)})",
    )
    parser.add_argument("--no-save", action="store_true", help="do not write benchmarks/results/")
    args = parser.parse_args(argv)
    workload = Workload(tasks=args.tasks, requests=args.requests, clients=args.clients)
    sides = [name.strip() for name in args.sides.split(",") if name.strip()]
    if len(sides) < 2 or not set(sides) <= set(SIDES):
        parser.error(f"--sides: two or more of {', '.join(SIDES)}")
    rounds = [tuple(run_side(name, workload) for name in sides) for _ in range(args.rounds)]
    print(report(rounds))
    if not args.no_save:
        RESULTS_DIR.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        result: dict[str, Any] = {
            "benchmark": "api",
            "when": stamp,
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "system": platform.platform(),
            },
            "workload": asdict(workload),
            "rounds": [
                {**{side.name: asdict(side) for side in pair}, "ratios": round_ratios(pair)}
                for pair in rounds
            ],
            "targets": TARGETS,
        }
        path = RESULTS_DIR / f"{stamp}-api.json"
        path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"Saved {path.relative_to(ROOT)}")
    for side in (side for pair in rounds for side in pair if side.errors):
        print(f"{side.name}: {side.errors} failed requests, such as: {side.error_samples}")
    failed = any(side.errors for pair in rounds for side in pair)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
