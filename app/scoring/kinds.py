"""The rule kinds a rubric file may use: each turns one [[rules]] table into its spec."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from app.scoring import schema
from app.scoring.model import (
    AlternativesRule,
    CarriersRule,
    ChoiceRule,
    HoursCheck,
    HoursRule,
    Option,
    Range,
    RatioRule,
    SetRule,
    Spec,
    StepsRule,
    WithinRule,
    YesRule,
)
from app.scoring.reader import Table, read_condition, read_input, read_ladder, read_op, read_points


def _steps(t: Table) -> Spec:
    op = read_op(t)
    return StepsRule(input=read_input(t), ladder=read_ladder(t, "steps", op))


def _ratio(t: Table) -> Spec:
    op = read_op(t, default=">=")
    count = read_ladder(t, "count_steps", op) if t.has("count_steps") else None
    per = read_input(t, "per")
    return RatioRule(read_input(t), per, read_ladder(t, "steps", op), count)


def _yes(t: Table) -> Spec:
    inputs = t.texts("inputs")
    for name in inputs:
        if name not in schema.FLAG_INPUTS:
            raise t.error(f"'{name}' is not a yes/no survey input")
    return YesRule(inputs=inputs, points=read_points(t))


def _choice(t: Table) -> Spec:
    name = t.text("input")
    if name not in schema.CODE_INPUTS:
        raise t.error(f"'{name}' is not a select survey input")
    table = t.table("points")
    pairs = tuple((code, read_points(table, code)) for code in table.data)
    unknown = [code for code, _ in pairs if code not in schema.CODE_INPUTS[name]]
    if unknown or not pairs:
        raise t.error(f"'points' needs codes of {name}: {', '.join(schema.CODE_INPUTS[name])}")
    return ChoiceRule(input=name, points=pairs)


def _set(t: Table, require_all: bool) -> Spec:
    list_name = t.text("list") if t.has("list") else "amenities"
    if list_name not in schema.LIST_INPUTS:
        raise t.error(f"'list' must be one of {', '.join(schema.LIST_INPUTS)}")
    codes = t.texts("codes")
    unknown = sorted(set(codes) - schema.LIST_INPUTS[list_name])
    if unknown:
        raise t.error(f"unknown {list_name} code(s) {', '.join(unknown)}")
    return SetRule(list_name, codes, read_points(t), require_all)


def _carriers(t: Table) -> Spec:
    carriers = t.texts("carriers")
    unknown = sorted(set(carriers) - schema.CARRIERS)
    if unknown:
        raise t.error(f"unknown carrier(s) {', '.join(unknown)}")
    steps = read_ladder(t, "steps", read_op(t, default=">="))
    return CarriersRule(carriers, t.number("rsrp_at"), t.number("bars_at"), steps)


def hours_check(t: Table, days_key: str) -> HoursCheck:
    amenity = t.text("access_24h")
    if amenity not in schema.LIST_INPUTS["amenities"]:
        raise t.error(f"unknown amenity '{amenity}'")
    return HoursCheck(t.number("min_hours"), t.number(days_key), amenity)


def _hours(t: Table) -> Spec:
    weekday = hours_check(t, "weekday_days")
    points = read_points(t, "weekday_points"), read_points(t, "extended_points")
    return HoursRule(weekday, points[0], t.number("extended_days"), points[1])


def _within(t: Table) -> Spec:
    ranges = []
    for item in t.tables("ranges"):
        low, high = item.number("min"), item.number("max")
        if low > high:
            raise item.error("'min' is above 'max'")
        ranges.append(Range(read_input(item), low, high))
        item.done()
    return WithinRule(ranges=tuple(ranges), points=read_points(t))


def _alternatives(t: Table) -> Spec:
    options = []
    for item in t.tables("options"):
        conditions = tuple(read_condition(c) for c in item.tables("any"))
        options.append(Option(points=read_points(item), any=conditions))
        item.done()
    if any(b.points > a.points for a, b in itertools.pairwise(options)):
        raise t.error("'options' must run from the most points to the fewest")
    return AlternativesRule(options=tuple(options))


KINDS: dict[str, Callable[[Table], Spec]] = {
    "steps": _steps,
    "ratio_steps": _ratio,
    "yes": _yes,
    "choice": _choice,
    "any_of": lambda t: _set(t, require_all=False),
    "all_of": lambda t: _set(t, require_all=True),
    "carriers": _carriers,
    "hours": _hours,
    "within": _within,
    "alternatives": _alternatives,
}
