"""The speed-run chart's geometry (pure: no app)."""

from __future__ import annotations

import itertools
import math

import pytest

from app.surveys.run_chart import HEIGHT, TOP, WIDTH, RunFigures, nice_ceiling, run_chart


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(1, 1), (1.01, 2), (120.5, 200), (200, 200), (201, 250), (251, 500), (0.3, 0.5), (9.99, 10)],
)
def test_the_axis_ends_at_a_round_figure_at_or_above_the_largest(value, ceiling):
    assert math.isclose(nice_ceiling(value), ceiling)


def test_bars_stand_on_the_baseline_in_proportion_to_their_figures():
    chart = run_chart(
        [
            RunFigures("1 · 10:02", 120.5, 45.2),
            RunFigures("2 · 13:05", 98.0, 40.0),
            RunFigures("3 · 16:01", 150.0, None),
        ]
    )
    assert chart is not None and chart.top_value == 200
    assert [g.label for g in chart.groups] == ["1 · 10:02", "2 · 13:05", "3 · 16:01"]
    bars = [b for g in chart.groups for b in g.bars]
    assert [(b.metric, b.value) for b in bars] == [
        ("download_mbps", 120.5),
        ("upload_mbps", 45.2),
        ("download_mbps", 98.0),
        ("upload_mbps", 40.0),
        ("download_mbps", 150.0),  # a run without an upload figure draws one bar
    ]
    plot = chart.baseline - TOP
    for bar in bars:
        assert math.isclose(bar.y + bar.height, chart.baseline, abs_tol=0.02)
        assert math.isclose(bar.height, plot * bar.value / 200, abs_tol=0.01)
        assert chart.left <= bar.x and bar.x + bar.width <= chart.right
    # runs side by side, download left of upload within a run, nothing overlapping
    edges = [(b.x, b.x + b.width) for b in bars]
    assert all(a[1] <= b[0] + 1e-9 for a, b in itertools.pairwise(edges))
    assert [t.value for t in chart.ticks] == [0, 100, 200]
    assert chart.ticks[0].y == chart.baseline and chart.ticks[-1].y == TOP
    assert (chart.width, chart.height) == (WIDTH, HEIGHT)


def test_no_drawable_figure_no_chart_and_odd_figures_are_left_out():
    assert run_chart([]) is None
    assert run_chart([RunFigures("1", None, None), RunFigures("2", float("nan"), -1.0)]) is None
    chart = run_chart([RunFigures("1", 0.0, 0.0)])  # a run that measured nothing is still shown
    assert chart is not None and chart.top_value == 1.0
    assert [b.height for b in chart.groups[0].bars] == [0.0, 0.0]
    chart = run_chart([RunFigures("1", float("inf"), 30.0)])
    assert chart is not None and [b.metric for b in chart.groups[0].bars] == ["upload_mbps"]
