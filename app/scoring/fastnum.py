"""Exact comparisons without building a Fraction per comparison.

A site number is kept as an int, a finite float or (rarely) a Fraction. A float stands for the
decimal it was typed as, Fraction(repr(x)), exactly as values.to_fraction reads it. Comparing
such a float x with float(t) gives the same answer as comparing its decimal with the threshold
t, as long as repr(float(t)) is t itself: rounding to the nearest double is monotonic, and two
decimals that round to the same double are the same decimal when both are shortest reprs. Every
threshold is checked for that when the rubric is compiled; one that fails it (and every
Fraction site value) is compared exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from app.scoring.model import Ladder, Op
from app.scoring.values import fmt, to_fraction

Number = int | float | Fraction
Test = Callable[[Number], bool]
EXACT_INT = 2**53  # ints below this in size are exact doubles


def to_number(value: Any) -> Number | None:
    """to_fraction(value), as an int or a finite float where that is the same number."""
    kind = type(value)
    if kind is int or (kind is float and value - value == 0):
        number: Number = value
        return number
    if value is None:
        return None
    exact = to_fraction(value)
    if exact is None:
        return None
    return exact.numerator if exact.denominator == 1 else exact


def exact(value: Number) -> Fraction:
    """The exact number a site value stands for."""
    return Fraction(repr(value)) if type(value) is float else Fraction(value)


def fast_threshold(at: Fraction) -> int | float | None:
    """A threshold as an int or float that compares exactly with site numbers, or None."""
    if at.denominator == 1 and abs(at.numerator) < EXACT_INT:
        return at.numerator
    near = float(at)
    return near if Fraction(repr(near)) == at else None


def number_text(value: Number) -> str:
    """values.fmt of a site number, without a Fraction when its repr already is that text."""
    if type(value) is int:
        return str(value)
    if type(value) is float:
        text = repr(value)
        whole, dot, places = text.partition(".")
        if dot and "e" not in places and len(places) <= 6:
            if places == "0":
                return "0" if whole == "-0" else whole
            return text
    return fmt(exact(value))


_EXACT_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
}


def compile_test(op: Op, at: Fraction) -> Test:
    """value `op` at, exactly, as a function of the site value."""
    fast, holds = fast_threshold(at), _EXACT_OPS[op]
    if fast is None:
        return lambda v: holds(exact(v) if type(v) is float else v, at)
    if op == ">=":
        return lambda v: v >= at if type(v) is Fraction else v >= fast
    if op == ">":
        return lambda v: v > at if type(v) is Fraction else v > fast
    if op == "<=":
        return lambda v: v <= at if type(v) is Fraction else v <= fast
    return lambda v: v < at if type(v) is Fraction else v < fast


def compile_ladder(ladder: Ladder, scale: int) -> Callable[[Number], int]:
    """The (scaled, integer) points of the first step that holds for a value, else 0."""
    steps = [(s.at, int(s.points * scale)) for s in ladder.steps]
    fast = [(fast_threshold(at), points) for at, points in steps]
    holds = _EXACT_OPS[ladder.op]

    def exact_match(v: Number) -> int:
        value = exact(v) if type(v) is float else v
        return next((points for at, points in steps if holds(value, at)), 0)

    if any(at is None for at, _ in fast):
        return exact_match
    return _FAST_LADDERS[ladder.op](fast, exact_match)


Steps = list[tuple[Any, int]]
Matcher = Callable[[Number], int]


def _ge(steps: Steps, slow: Matcher) -> Matcher:
    def match(v: Number) -> int:
        if type(v) is Fraction:
            return slow(v)
        for at, points in steps:
            if v >= at:
                return points
        return 0

    return match


def _gt(steps: Steps, slow: Matcher) -> Matcher:
    def match(v: Number) -> int:
        if type(v) is Fraction:
            return slow(v)
        for at, points in steps:
            if v > at:
                return points
        return 0

    return match


def _le(steps: Steps, slow: Matcher) -> Matcher:
    def match(v: Number) -> int:
        if type(v) is Fraction:
            return slow(v)
        for at, points in steps:
            if v <= at:
                return points
        return 0

    return match


def _lt(steps: Steps, slow: Matcher) -> Matcher:
    def match(v: Number) -> int:
        if type(v) is Fraction:
            return slow(v)
        for at, points in steps:
            if v < at:
                return points
        return 0

    return match


_FAST_LADDERS: dict[str, Callable[[Steps, Matcher], Matcher]] = {
    ">=": _ge,
    ">": _gt,
    "<=": _le,
    "<": _lt,
}


def compile_ratio(ladder: Ladder, scale: int) -> Callable[[Number, Number], int]:
    """Points for count ÷ per on a ladder; per must be non-zero. Whole counts over a positive
    whole `per` compare count × denominator with numerator × per, in integers."""
    steps = [(s.at.numerator, s.at.denominator, int(s.points * scale)) for s in ladder.steps]
    holds = _EXACT_OPS[ladder.op]
    on_ladder = compile_ladder(ladder, scale)

    def match(count: Number, per: Number) -> int:
        if type(count) is int and type(per) is int and per > 0:
            for num, den, points in steps:
                if holds(count * den, num * per):
                    return points
            return 0
        return on_ladder(exact(count) / exact(per))

    return match
