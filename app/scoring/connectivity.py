"""The medians of a site's speed runs (the figures the connectivity rules and G1 read)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from app.scoring.values import to_fraction

EXACT_INT = 2**53  # ints below this in size are exact doubles
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
    runs = [run for run in measurements or () if type(run) is dict or isinstance(run, Mapping)]
    medians = {metric: _median([run.get(metric) for run in runs]) for metric in METRICS}
    return ConnectivitySummary(run_count=len(runs), **medians)


def _median(values: list[Any]) -> float | None:
    """The exact median as a float. Ints (below 2**53) and finite floats, each standing for the
    decimal it was typed as, sort as their decimals do; only a mean of two non-whole floats
    needs Fractions. Any other value takes the exact path."""
    present: list[int | float] = []
    for value in values:
        kind = type(value)
        if kind is float:
            if value - value != 0:  # inf or nan
                return _exact_median(values)
        elif kind is not int or not -EXACT_INT < value < EXACT_INT:
            if value is None:
                continue
            return _exact_median(values)
        present.append(value)
    if not present:
        return None
    present.sort()
    middle = len(present) // 2
    if len(present) % 2:
        return float(present[middle]) + 0.0  # + 0.0: a median -0.0 is 0.0, as exactly
    low, high = present[middle - 1], present[middle]
    if _whole(low) and _whole(high):
        return (int(low) + int(high)) / 2
    return float((_decimal(low) + _decimal(high)) / 2)


def _decimal(value: int | float) -> Fraction:
    return Fraction(repr(value)) if type(value) is float else Fraction(value)


def _whole(value: int | float) -> bool:
    if isinstance(value, int):
        return True
    return value.is_integer() and -EXACT_INT < value < EXACT_INT


def _exact_median(values: Iterable[Any]) -> float | None:
    present: list[Fraction] = [v for v in map(to_fraction, values) if v is not None]
    if not present:
        return None
    return float(statistics.median(present))
