"""The API benchmark still runs: both servers, a tiny workload; the figures are not checked."""

from __future__ import annotations

from benchmarks import api_bench


def test_the_api_benchmark_runs_both_sides_without_errors() -> None:
    workload = api_bench.Workload(tasks=20, requests=50, clients=4)
    tutorial = api_bench.run_side("tutorial", workload)
    taskforce = api_bench.run_side("taskforce", workload)
    for side in (tutorial, taskforce):
        assert side.requests == 50
        assert side.errors == 0, side.error_samples
        assert side.throughput > 0 and side.p99_ms >= side.p50_ms > 0
    assert "ratio" in api_bench.report([(tutorial, taskforce)])
