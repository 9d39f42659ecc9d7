"""The API benchmark still runs: every server, a tiny workload; the figures are not checked."""

from __future__ import annotations

from benchmarks import api_bench


def test_the_api_benchmark_runs_every_side_without_errors() -> None:
    workload = api_bench.Workload(tasks=20, requests=50, clients=4)
    sides = tuple(api_bench.run_side(name, workload) for name in api_bench.SIDES)
    for side in sides:
        assert side.requests == 50
        assert side.errors == 0, side.error_samples
        assert side.throughput > 0 and side.p99_ms >= side.p50_ms > 0
    report = api_bench.report([sides])
    assert "taskforce ratio" in report and "async ratio" in report
