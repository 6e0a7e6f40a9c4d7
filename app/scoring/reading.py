"""A site document read once into the plain values the rubric looks at.

The read values are a snapshot: numbers as app.scoring.fastnum keeps them, yes/no answers as
bool or None, select codes stripped, checklists as frozensets of the codes the rubric names,
coverage rows copied, and the speed-run medians under their "runs.X" names. Scoring reads only
these, and so does SiteView when the reasons are written later, so a document changed after
scoring cannot change what its score says.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.scoring.connectivity import ConnectivitySummary, summarize_runs
from app.scoring.fastnum import to_number
from app.scoring.model import (
    AlternativesRule,
    CarriersRule,
    ChoiceRule,
    HoursRule,
    RatioRule,
    Rubric,
    SetRule,
    StepsRule,
    WithinRule,
    YesRule,
)
from app.scoring.schema import LIST_INPUTS
from app.scoring.scorers import MINUTES, Values
from app.scoring.site import DAY_MINUTES, RUNS_PREFIX
from app.scoring.values import to_code, to_codes, to_flag, to_minutes


@dataclass(frozen=True)
class Reads:
    """Which inputs a rubric reads."""

    numbers: tuple[str, ...]  # document fields
    runs: tuple[tuple[str, str], ...]  # ("runs.X", "X")
    flags: tuple[str, ...]
    codes: tuple[str, ...]
    lists: tuple[tuple[str, frozenset[str]], ...]  # (list, the codes the rubric names)
    coverage: bool
    hours: bool


def reads_of(rubric: Rubric) -> Reads:
    numbers: list[str] = [rubric.cap.input]
    flags: list[str] = []
    codes: list[str] = []
    listed: dict[str, set[str]] = {name: set() for name in LIST_INPUTS}
    coverage = hours = False
    for rule in rubric.rules:
        spec = rule.spec
        if isinstance(spec, StepsRule | RatioRule):
            numbers += [spec.input] + ([spec.per] if isinstance(spec, RatioRule) else [])
        elif isinstance(spec, YesRule):
            flags += spec.inputs
        elif isinstance(spec, ChoiceRule):
            codes.append(spec.input)
        elif isinstance(spec, SetRule):
            listed[spec.list_name].update(spec.codes)
        elif isinstance(spec, CarriersRule):
            coverage = True
        elif isinstance(spec, HoursRule):
            hours = True
            listed["amenities"].add(spec.weekday.access_24h)
        elif isinstance(spec, WithinRule):
            numbers += [r.input for r in spec.ranges]
        elif isinstance(spec, AlternativesRule):
            numbers += spec.inputs
    for gate in rubric.gates:
        numbers += [c.input for c in gate.conditions]
        flags += gate.yes
        if gate.hours is not None:
            hours = True
            listed["amenities"].add(gate.hours.access_24h)
        if gate.wifi is not None:
            codes.append(gate.wifi.input)
            listed["amenities"].add(gate.wifi.wired_amenity)
    if hours:
        numbers.append("days_per_week")
    names = tuple(dict.fromkeys(numbers))
    return Reads(
        numbers=tuple(n for n in names if not n.startswith(RUNS_PREFIX)),
        runs=tuple((n, n.removeprefix(RUNS_PREFIX)) for n in names if n.startswith(RUNS_PREFIX)),
        flags=tuple(dict.fromkeys(flags)),
        codes=tuple(dict.fromkeys(codes)),
        lists=tuple((name, frozenset(wanted)) for name, wanted in listed.items()),
        coverage=coverage,
        hours=hours,
    )


def read_site(doc: Mapping[str, Any], reads: Reads) -> tuple[Values, ConnectivitySummary]:
    """The values a rubric reads from one document, and the medians of its speed runs."""
    get = doc.get
    values: Values = {
        name: v if (v := get(name)) is None or type(v) is int else to_number(v)
        for name in reads.numbers
    }
    runs = summarize_runs(get("measurements"))
    for name, metric in reads.runs:
        values[name] = runs.median(metric)
    for name in reads.flags:
        answer = get(name)
        values[name] = answer if answer is None or type(answer) is bool else to_flag(answer)
    for name in reads.codes:
        values[name] = to_code(get(name))
    for name, wanted in reads.lists:
        values[name] = _ticked(get(name), wanted)
    if reads.coverage:
        rows = get("coverage")
        values["coverage"] = _rows(rows) if isinstance(rows, list) else []
    if reads.hours:
        opens, closes = get("weekday_open"), get("weekday_close")
        opens, closes = _text(opens), _text(closes)
        values["weekday_open"], values["weekday_close"] = opens, closes
        values[MINUTES] = _span(opens, closes)
    return values, runs


def _ticked(value: Any, wanted: frozenset[str]) -> frozenset[str]:
    """The ticked codes (strings of a list, tuple or set) among those the rubric names."""
    if isinstance(value, list | tuple | set | frozenset):
        try:
            return wanted.intersection(value)  # only strings can equal the codes
        except TypeError:  # an unhashable item: keep only the strings
            return wanted & to_codes(value)
    return frozenset()


def _rows(rows: Iterable[Any]) -> list[Mapping[str, Any]]:
    return [dict(row) for row in rows if type(row) is dict or isinstance(row, Mapping)]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@functools.lru_cache(maxsize=512)
def _span(opens: str | None, closes: str | None) -> int | None:
    """SiteView.open_minutes, for the (few distinct) opening times surveyed."""
    start, end = to_minutes(opens), to_minutes(closes)
    if start is None or end is None:
        return None
    return end - start + (DAY_MINUTES if end < start else 0)
