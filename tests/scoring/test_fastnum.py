"""The fast numbers agree with the exact ones: comparisons, value texts and run medians."""

from __future__ import annotations

import random
import statistics
from fractions import Fraction

import pytest

from app.scoring.connectivity import _median
from app.scoring.fastnum import compile_ladder, compile_ratio, compile_test, number_text, to_number
from app.scoring.model import OPS, Ladder, Op, Step
from app.scoring.values import fmt, to_fraction

THRESHOLDS = [Fraction(t) for t in ("100", "0.1", "-90.5", "1/3", "99.95", "0.125", "-0")]
THRESHOLDS += [Fraction(2**53 + 1), Fraction("1e-7"), Fraction("12345678901234567.5")]


def near(rng: random.Random, at: Fraction) -> float | int | str:
    """A value at, around or far from a threshold, as a document might hold it."""
    base = float(at)
    return rng.choice(
        (
            base,
            round(base, rng.randint(0, 3)),
            base + rng.choice((-1, 1)) * rng.random() * 10 ** -rng.randint(0, 12),
            base * (1 + rng.uniform(-1e-15, 1e-15)),
            int(base) + rng.randint(-2, 2),
            rng.uniform(-1e6, 1e6),
            f"{base + rng.randint(-3, 3)}",
            str(at),
            -0.0,
        )
    )


@pytest.mark.parametrize("op", OPS)
def test_compiled_comparisons_are_exact(op: Op) -> None:
    rng = random.Random(f"compare {op}")
    holds = {
        ">=": Fraction.__ge__,
        ">": Fraction.__gt__,
        "<=": Fraction.__le__,
        "<": Fraction.__lt__,
    }
    for at in THRESHOLDS:
        test = compile_test(op, at)
        for _ in range(800):
            raw = near(rng, at)
            value, exact = to_number(raw), to_fraction(raw)
            assert value is not None and exact is not None
            assert test(value) == holds[op](exact, at), (raw, op, at)


def test_compiled_ladders_and_ratios_are_exact() -> None:
    rng = random.Random("ladders")
    steps = (Step(Fraction(1), Fraction(4)), Step(Fraction(1, 2), Fraction(2)))
    ladder = Ladder(">=", steps)
    on_ladder, on_ratio = compile_ladder(ladder, 1), compile_ratio(ladder, 1)
    for _ in range(5000):
        count = rng.choice((rng.randint(-5, 60), rng.uniform(0, 60), "7.5"))
        per = rng.choice((rng.randint(-5, 60), rng.uniform(0.1, 60), "2.5"))
        c, p = to_number(count), to_number(per)
        assert c is not None and p is not None
        exact_count, exact_per = to_fraction(count), to_fraction(per)
        assert exact_count is not None and exact_per is not None
        expected = ladder.match(exact_count)
        assert on_ladder(c) == (expected.points if expected else 0)
        if exact_per:
            expected = ladder.match(exact_count / exact_per)
            assert on_ratio(c, p) == (expected.points if expected else 0), (count, per)


def test_value_texts_match_fmt() -> None:
    rng = random.Random("texts")
    for _ in range(8000):
        value = rng.choice(
            (
                rng.uniform(-1e3, 1e3),
                round(rng.uniform(-1e3, 1e3), rng.randint(0, 8)),
                rng.random() * 10 ** rng.randint(-12, 20),
                float(rng.randint(-(10**17), 10**17)),
                rng.randint(-(10**20), 10**20),
                -0.0,
                Fraction(rng.randint(-999, 999), rng.randint(1, 64)),
            )
        )
        number = to_number(value)
        exact = to_fraction(value)
        assert number is not None and exact is not None
        assert number_text(number) == fmt(exact), value


def test_run_medians_match_the_exact_median() -> None:
    rng = random.Random("medians")
    pool = (0.1, 0.2, 0.05, 0.15, 99.9, 100.1, 1e16, 3.0, 7, -0.0, 0, 2**53 + 1, 1e-7, None, "5")
    for _ in range(5000):
        values = [rng.choice((*pool, rng.uniform(0, 500), rng.randint(0, 500))) for _ in range(5)]
        values = values[: rng.randint(0, 5)]
        exact = [v for v in map(to_fraction, values) if v is not None]
        expected = float(statistics.median(exact)) if exact else None
        got = _median(values)
        assert repr(got) == repr(expected), values
