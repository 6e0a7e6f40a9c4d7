"""Each rule kind compiled into two functions of a site's read values (app.scoring.reading):
its points (scaled to whole numbers, MISSING when an input it needs is blank) and the value
shown for it. No text is built here beyond that value: reasons are written only when asked for
(app.scoring.rules, from the same read values).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.scoring.fastnum import Number, compile_ladder, compile_ratio, compile_test, number_text
from app.scoring.fastnum import to_number as number
from app.scoring.model import (
    AlternativesRule,
    CarriersRule,
    ChoiceRule,
    HoursRule,
    RatioRule,
    SetRule,
    Spec,
    StepsRule,
    WithinRule,
    YesRule,
)
from app.scoring.values import to_code

Values = dict[str, Any]
Scorer = Callable[[Values], int]
Valuer = Callable[[Values], str]
MISSING = -1
MINUTES = "@open_minutes"  # the weekday opening span in minutes, read once per site
BLANK = (None, "")  # a coverage row is recorded when any of its readings is not blank


def scaled(points: Any, scale: int) -> int:
    """Points × the rubric's common denominator, a whole number by construction."""
    value = points * scale
    if value.denominator != 1:
        raise ValueError(f"points {points} do not scale by {scale}")
    return int(value.numerator)


def _steps(rule: StepsRule, scale: int) -> tuple[Scorer, Valuer]:
    name, match = rule.input, compile_ladder(rule.ladder, scale)

    def score(values: Values) -> int:
        value = values[name]
        return MISSING if value is None else match(value)

    return score, lambda values: number_text(values[name])


def _ratio(rule: RatioRule, scale: int) -> tuple[Scorer, Valuer]:
    name, per_name, ratio = rule.input, rule.per, compile_ratio(rule.ladder, scale)
    on_count = compile_ladder(rule.count, scale) if rule.count is not None else None

    def score(values: Values) -> int:
        count, per = values[name], values[per_name]
        if count is None or (per is None and on_count is None):
            return MISSING
        if per:
            points = ratio(count, per)
            if points or on_count is None:
                return points
        return on_count(count) if on_count is not None else 0

    def value(values: Values) -> str:
        count, per = values[name], values[per_name]
        shown = number_text(count)
        return shown if per is None else f"{shown}/{number_text(per)}"

    return score, value


def _yes(rule: YesRule, scale: int) -> tuple[Scorer, Valuer]:
    names, each = rule.inputs, scaled(rule.points, scale)

    def score(values: Values) -> int:
        total = 0
        for name in names:
            answer = values[name]
            if answer is None:
                return MISSING
            if answer:
                total += each
        return total

    def value(values: Values) -> str:
        if len(names) == 1:
            return "yes" if values[names[0]] else "no"
        return "; ".join(f"{n}={'yes' if values[n] else 'no'}" for n in names)

    return score, value


def _choice(rule: ChoiceRule, scale: int) -> tuple[Scorer, Valuer]:
    name, points = rule.input, {code: scaled(p, scale) for code, p in rule.points}

    def score(values: Values) -> int:
        code = values[name]
        return MISSING if code is None else points.get(code, 0)

    return score, lambda values: str(values[name])


def _set(rule: SetRule, scale: int) -> tuple[Scorer, Valuer]:
    name, codes, points = rule.list_name, rule.codes, scaled(rule.points, scale)
    wanted, require_all = frozenset(codes), rule.require_all

    def score(values: Values) -> int:
        ticked: frozenset[str] = values[name]
        if require_all:
            return points if wanted <= ticked else 0
        return 0 if wanted.isdisjoint(ticked) else points

    def value(values: Values) -> str:
        ticked = values[name]
        return ", ".join([code for code in codes if code in ticked])

    return score, value


def _carriers(rule: CarriersRule, scale: int) -> tuple[Scorer, Valuer]:
    carriers, match = rule.carriers, compile_ladder(rule.ladder, scale)
    rsrp_ok, bars_ok = compile_test(">=", rule.rsrp_at), compile_test(">=", rule.bars_at)

    def covered(values: Values) -> int | None:
        """How many counted carriers cover the site; None when none of them is recorded."""
        recorded, good = False, set()
        for row in values["coverage"]:
            if row.get("carrier") in carriers and (
                row.get("technology") not in BLANK
                or row.get("rsrp_dbm") not in BLANK
                or row.get("signal_bars") not in BLANK
            ):
                recorded = True
                rsrp = number(row.get("rsrp_dbm"))
                if rsrp is not None:
                    ok = rsrp_ok(rsrp)
                else:
                    bars = number(row.get("signal_bars"))
                    ok = bars is not None and bars_ok(bars)
                if ok:
                    good.add(str(row["carrier"]))
        return len(good) if recorded else None

    memo = f"@covered {id(rule)}"  # kept in the site's values for its value text

    def score(values: Values) -> int:
        count = values[memo] = covered(values)
        return MISSING if count is None else match(count)

    return score, lambda values: str(values[memo] if memo in values else covered(values))


def _hours(rule: HoursRule, scale: int) -> tuple[Scorer, Valuer]:
    access, full = rule.weekday.access_24h, scaled(rule.max_points, scale)
    span_ok = compile_test(">=", rule.weekday.min_hours * 60)
    days_ok = compile_test(">=", rule.weekday.min_days)
    extended_ok = compile_test(">=", rule.extended_days)
    weekday_points = scaled(rule.weekday_points, scale)
    extended_points = scaled(rule.extended_points, scale)

    def score(values: Values) -> int:
        if access in values["amenities"]:
            return full
        span, days = values[MINUTES], values["days_per_week"]
        if span is None or days is None:
            return MISSING
        weekday = span_ok(span) and days_ok(days)
        return weekday_points * weekday + extended_points * extended_ok(days)

    def value(values: Values) -> str:
        if access in values["amenities"]:
            return "24h"
        text = f"{to_code(values['weekday_open'])}–{to_code(values['weekday_close'])}"
        return f"{text}; days_per_week={number_text(values['days_per_week'])}"

    return score, value


def _within(rule: WithinRule, scale: int) -> tuple[Scorer, Valuer]:
    ranges = [(r.input, compile_test(">=", r.low), compile_test("<=", r.high)) for r in rule.ranges]
    points = scaled(rule.points, scale)

    def score(values: Values) -> int:
        read: list[Number] = []
        for name, _, _ in ranges:
            value = values[name]
            if value is None:
                return MISSING
            read.append(value)
        inside = all(low(v) and high(v) for (_, low, high), v in zip(ranges, read, strict=True))
        return points if inside else 0

    def value(values: Values) -> str:
        return "; ".join(f"{name}={number_text(values[name])}" for name, _, _ in ranges)

    return score, value


def _alternatives(rule: AlternativesRule, scale: int) -> tuple[Scorer, Valuer]:
    inputs = rule.inputs
    options = [
        (scaled(o.points, scale), [(c.input, compile_test(c.op, c.at)) for c in o.any])
        for o in rule.options
    ]

    def score(values: Values) -> int:
        if all(values[name] is None for name in inputs):
            return MISSING
        for points, conditions in options:
            for name, test in conditions:
                value = values[name]
                if value is not None and test(value):
                    return points
        return 0

    def value(values: Values) -> str:
        known = ((name, values[name]) for name in inputs)
        return "; ".join(f"{name}={number_text(v)}" for name, v in known if v is not None)

    return score, value


COMPILERS: dict[type, Callable[[Any, int], tuple[Scorer, Valuer]]] = {
    StepsRule: _steps,
    RatioRule: _ratio,
    YesRule: _yes,
    ChoiceRule: _choice,
    SetRule: _set,
    CarriersRule: _carriers,
    HoursRule: _hours,
    WithinRule: _within,
    AlternativesRule: _alternatives,
}


def compile_spec(spec: Spec, scale: int) -> tuple[Scorer, Valuer]:
    """The points function and the value function of one rule."""
    return COMPILERS[type(spec)](spec, scale)
