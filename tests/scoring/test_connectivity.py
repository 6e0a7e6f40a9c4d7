"""Medians of the speed runs."""

from __future__ import annotations

from app.scoring import ConnectivitySummary, summarize_runs


def test_odd_number_of_runs_takes_the_middle_one() -> None:
    runs = [{"download_mbps": 10}, {"download_mbps": 30}, {"download_mbps": 20}]
    assert summarize_runs(runs).download_mbps == 20


def test_even_number_of_runs_averages_the_middle_two() -> None:
    runs = [{"upload_mbps": v} for v in (40, 10, 30, 20)]
    assert summarize_runs(runs).upload_mbps == 25


def test_each_metric_uses_only_the_runs_that_have_it() -> None:
    runs = [
        {"download_mbps": 10, "upload_mbps": None, "latency_ms": 30},
        {"download_mbps": 20, "upload_mbps": 5, "latency_ms": None},
        {"download_mbps": None, "upload_mbps": 7, "latency_ms": None, "jitter_ms": 4},
    ]
    summary = summarize_runs(runs)
    assert summary == ConnectivitySummary(
        run_count=3,
        download_mbps=15,
        upload_mbps=6,
        latency_ms=30,
        jitter_ms=4,
        loss_pct=None,
    )


def test_no_runs() -> None:
    assert summarize_runs([]) == ConnectivitySummary(run_count=0)
    assert summarize_runs(None) == ConnectivitySummary(run_count=0)


def test_medians_are_exact_decimals() -> None:
    runs = [{"loss_pct": 0.1}, {"loss_pct": 0.2}]
    assert summarize_runs(runs).loss_pct == 0.15  # not 0.15000000000000002
    runs = [{"latency_ms": 0.1}, {"latency_ms": 0.2}, {"latency_ms": 0.3}, {"latency_ms": 0.7}]
    assert summarize_runs(runs).latency_ms == 0.25


def test_summary_round_trips_through_a_dict() -> None:
    summary = summarize_runs([{"download_mbps": 12.5, "upload_mbps": 3}])
    assert summary.to_dict() == {
        "run_count": 1,
        "download_mbps": 12.5,
        "upload_mbps": 3.0,
        "latency_ms": None,
        "jitter_ms": None,
        "loss_pct": None,
    }
    assert ConnectivitySummary.from_dict(summary.to_dict()) == summary
