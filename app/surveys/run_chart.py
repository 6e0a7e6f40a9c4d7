"""The speed runs of a site as a small bar chart: download and upload of each run, in Mbps.

Pure geometry (plain data in, plain data out): the site page draws it as inline SVG, so no
chart library is loaded and nothing is left for the CSP to block. The table beside it keeps
every figure; the chart makes the spread between runs visible at a glance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 480
HEIGHT = 200
LEFT = 44  # room for the axis figures
RIGHT = 8
TOP = 16  # room for the figure over the tallest bar
BOTTOM = 28  # room for the run labels
METRICS = ("download_mbps", "upload_mbps")
BAR_SHARE = 0.32  # of a run's slot, per bar (two bars and the gaps around them)
NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class RunFigures:
    label: str  # e.g. "1回目 10:02"
    download_mbps: float | None
    upload_mbps: float | None


@dataclass(frozen=True)
class Bar:
    metric: str  # one of METRICS
    value: float
    x: float
    y: float
    width: float
    height: float

    @property
    def label_x(self) -> float:
        return round(self.x + self.width / 2, 2)

    @property
    def label_y(self) -> float:
        return round(self.y - 3, 2)


@dataclass(frozen=True)
class RunGroup:
    label: str
    centre: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Tick:
    value: float
    y: float


@dataclass(frozen=True)
class RunChart:
    width: int
    height: int
    left: float
    right: float
    baseline: float
    top_value: float
    groups: tuple[RunGroup, ...]
    ticks: tuple[Tick, ...]


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above `value` (> 0)."""
    power = 10.0 ** math.floor(math.log10(value))
    for step in NICE_STEPS:
        if step * power >= value * (1 - 1e-12):
            return step * power
    return 10 * power  # pragma: no cover  (10 always reaches)


def run_chart(runs: Sequence[RunFigures]) -> RunChart | None:
    """The chart of the runs that have a download or upload figure; None when none has."""
    figures = [(r, [v for m in METRICS if (v := _value(getattr(r, m))) is not None]) for r in runs]
    shown = [run for run, values in figures if values]
    if not shown:
        return None
    largest = max(v for _, values in figures for v in values)
    top_value = nice_ceiling(largest) if largest > 0 else 1.0
    baseline = HEIGHT - BOTTOM
    plot_height = baseline - TOP
    slot = (WIDTH - LEFT - RIGHT) / len(shown)
    bar_width = round(slot * BAR_SHARE, 2)
    groups = []
    for index, run in enumerate(shown):
        centre = LEFT + slot * (index + 0.5)
        bars = []
        for offset, metric in zip((-1, 0), METRICS, strict=True):
            value = _value(getattr(run, metric))
            if value is None:
                continue
            height = round(plot_height * value / top_value, 2)
            x = round(centre + offset * bar_width, 2)
            bars.append(Bar(metric, value, x, round(baseline - height, 2), bar_width, height))
        groups.append(RunGroup(run.label, round(centre, 2), tuple(bars)))
    ticks = tuple(
        Tick(top_value * share, round(baseline - plot_height * share, 2))
        for share in (0.0, 0.5, 1.0)
    )
    return RunChart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, baseline, top_value, tuple(groups), ticks)


def _value(value: float | None) -> float | None:
    """A figure the chart can draw: finite and not negative (None otherwise)."""
    if value is None or not math.isfinite(value) or value < 0:
        return None
    return float(value)
