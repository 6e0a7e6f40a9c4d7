"""Unit conversions and latency statistics for speed results (pure; goodput, no overhead factor)."""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

MBPS_PLACES = 2
MS_PLACES = 2


def bits_per_s_to_mbps(bits_per_s: float) -> float:
    """Decimal megabits per second (1 Mbps = 1,000,000 bit/s), rounded to 2 places."""
    return round(_finite(bits_per_s) / 1_000_000, MBPS_PLACES)


def bytes_to_mbps(n_bytes: int, seconds: float) -> float:
    """The goodput of `n_bytes` payload moved in `seconds`, in Mbps."""
    if seconds <= 0:
        raise ValueError("seconds must be positive")
    return bits_per_s_to_mbps(n_bytes * 8 / seconds)


def window_seconds(n_bytes: int, bits_per_s: float) -> float | None:
    """The time a rate was measured over, from the bytes it counted (None when unknown)."""
    if n_bytes <= 0 or bits_per_s <= 0:
        return None
    return n_bytes * 8 / bits_per_s


def seconds_to_ms(seconds: float) -> float:
    return round(_finite(seconds) * 1000, MS_PLACES)


def median(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("median of no values")
    return float(statistics.median(values))


def jitter(samples: Sequence[float]) -> float:
    """Mean absolute difference of consecutive samples (RFC 3550 style; LibreSpeed, Ookla)."""
    if len(samples) < 2:
        return 0.0
    return sum(abs(b - a) for a, b in itertools.pairwise(samples)) / (len(samples) - 1)


@dataclass(frozen=True)
class LatencyStats:
    latency_ms: float  # the minimum round trip: the path's latency without queueing
    median_ms: float
    jitter_ms: float
    samples: int


def latency_stats(round_trips_s: Sequence[float]) -> LatencyStats:
    """Latency as the minimum, jitter from the spread, of a few small round trips."""
    if not round_trips_s:
        raise ValueError("no round trips")
    return LatencyStats(
        latency_ms=seconds_to_ms(min(round_trips_s)),
        median_ms=seconds_to_ms(median(round_trips_s)),
        jitter_ms=seconds_to_ms(jitter(round_trips_s)),
        samples=len(round_trips_s),
    )


def _finite(value: float) -> float:
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"not a finite, non-negative number: {value!r}")
    return float(value)
