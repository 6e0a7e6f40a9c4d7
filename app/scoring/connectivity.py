"""The medians of a site's speed runs (the figures the connectivity rules and G1 read)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from app.scoring.values import to_fraction

METRICS: tuple[str, ...] = ("download_mbps", "upload_mbps", "latency_ms", "jitter_ms", "loss_pct")


@dataclass(frozen=True)
class ConnectivitySummary:
    """Median of each metric over the runs that have it (None when no run has it)."""

    run_count: int
    download_mbps: float | None = None
    upload_mbps: float | None = None
    latency_ms: float | None = None
    jitter_ms: float | None = None
    loss_pct: float | None = None

    def median(self, metric: str) -> float | None:
        """The median of one metric by name (a name from METRICS)."""
        if metric not in METRICS:
            raise KeyError(metric)
        value: float | None = getattr(self, metric)
        return value

    def to_dict(self) -> dict[str, Any]:
        return {"run_count": self.run_count} | {m: self.median(m) for m in METRICS}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConnectivitySummary:
        values = {m: None if data.get(m) is None else float(data[m]) for m in METRICS}
        return cls(run_count=int(data["run_count"]), **values)


def summarize_runs(measurements: Iterable[Mapping[str, Any]] | None) -> ConnectivitySummary:
    """Median download/upload/latency/jitter/loss over the runs, computed exactly."""
    runs = [run for run in measurements or () if isinstance(run, Mapping)]
    medians = {metric: _median(run.get(metric) for run in runs) for metric in METRICS}
    return ConnectivitySummary(run_count=len(runs), **medians)


def _median(values: Iterable[Any]) -> float | None:
    present: list[Fraction] = [v for v in map(to_fraction, values) if v is not None]
    if not present:
        return None
    return float(statistics.median(present))
