"""The rubric as frozen dataclasses (built and checked by app.scoring.rubric)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from app.scoring.plan import Plan

Op = Literal[">=", ">", "<=", "<"]
OPS: tuple[Op, ...] = (">=", ">", "<=", "<")
NEGATED: dict[Op, Op] = {">=": "<", ">": "<=", "<=": ">", "<": ">="}
OP_JA: dict[str, str] = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}
TIER_CODES: tuple[str, ...] = ("ready", "nearly", "invest", "insufficient")


def compare(value: Fraction, op: Op, at: Fraction) -> bool:
    """value `op` at, exactly."""
    if op == ">=":
        return value >= at
    if op == ">":
        return value > at
    if op == "<=":
        return value <= at
    return value < at


@dataclass(frozen=True)
class Step:
    at: Fraction
    points: Fraction


@dataclass(frozen=True)
class Ladder:
    """Thresholds tried in order; the first that holds gives its points."""

    op: Op
    steps: tuple[Step, ...]

    @cached_property
    def max_points(self) -> Fraction:
        return max(step.points for step in self.steps)

    def match(self, value: Fraction) -> Step | None:
        return next((s for s in self.steps if compare(value, self.op, s.at)), None)


@dataclass(frozen=True)
class Condition:
    input: str
    op: Op
    at: Fraction


@dataclass(frozen=True)
class StepsRule:
    input: str
    ladder: Ladder

    @cached_property
    def max_points(self) -> Fraction:
        return self.ladder.max_points


@dataclass(frozen=True)
class RatioRule:
    input: str
    per: str
    ladder: Ladder
    count: Ladder | None

    @cached_property
    def max_points(self) -> Fraction:
        return max(self.ladder.max_points, self.count.max_points if self.count else Fraction(0))


@dataclass(frozen=True)
class YesRule:
    inputs: tuple[str, ...]
    points: Fraction

    @cached_property
    def max_points(self) -> Fraction:
        return self.points * len(self.inputs)


@dataclass(frozen=True)
class ChoiceRule:
    input: str
    points: tuple[tuple[str, Fraction], ...]

    @cached_property
    def max_points(self) -> Fraction:
        return max(points for _, points in self.points)

    def points_for(self, code: str) -> Fraction:
        return dict(self.points).get(code, Fraction(0))


@dataclass(frozen=True)
class SetRule:
    """any_of / all_of over a checklist."""

    list_name: str
    codes: tuple[str, ...]
    points: Fraction
    require_all: bool

    @cached_property
    def max_points(self) -> Fraction:
        return self.points


@dataclass(frozen=True)
class CarriersRule:
    carriers: tuple[str, ...]
    rsrp_at: Fraction
    bars_at: Fraction
    ladder: Ladder

    @cached_property
    def max_points(self) -> Fraction:
        return self.ladder.max_points


@dataclass(frozen=True)
class HoursCheck:
    """Open at least min_hours a day on at least min_days a week, or the 24-hour amenity."""

    min_hours: Fraction
    min_days: Fraction
    access_24h: str


@dataclass(frozen=True)
class HoursRule:
    weekday: HoursCheck
    weekday_points: Fraction
    extended_days: Fraction
    extended_points: Fraction

    @cached_property
    def max_points(self) -> Fraction:
        return self.weekday_points + self.extended_points


@dataclass(frozen=True)
class Range:
    input: str
    low: Fraction
    high: Fraction


@dataclass(frozen=True)
class WithinRule:
    ranges: tuple[Range, ...]
    points: Fraction

    @cached_property
    def max_points(self) -> Fraction:
        return self.points


@dataclass(frozen=True)
class Option:
    points: Fraction
    any: tuple[Condition, ...]


@dataclass(frozen=True)
class AlternativesRule:
    options: tuple[Option, ...]

    @cached_property
    def max_points(self) -> Fraction:
        return max(option.points for option in self.options)

    @cached_property
    def inputs(self) -> tuple[str, ...]:
        names = (c.input for option in self.options for c in option.any)
        return tuple(dict.fromkeys(names))


Spec = (
    StepsRule
    | RatioRule
    | YesRule
    | ChoiceRule
    | SetRule
    | CarriersRule
    | HoursRule
    | WithinRule
    | AlternativesRule
)


@dataclass(frozen=True)
class Rule:
    code: str
    category: str
    kind: str
    label_ja: str
    label_en: str
    optional: bool
    spec: Spec

    @cached_property
    def max_points(self) -> Fraction:
        return self.spec.max_points


@dataclass(frozen=True)
class Category:
    code: str
    label_ja: str
    label_en: str
    weight: Fraction


@dataclass(frozen=True)
class WifiCheck:
    input: str
    pass_codes: tuple[str, ...]
    fail_codes: tuple[str, ...]
    no_wifi: str
    wired_amenity: str


@dataclass(frozen=True)
class Gate:
    code: str
    label_ja: str
    label_en: str
    conditions: tuple[Condition, ...] = ()
    yes: tuple[str, ...] = ()
    hours: HoursCheck | None = None
    wifi: WifiCheck | None = None


@dataclass(frozen=True)
class Tiers:
    max_missing_fraction: Fraction
    ready_min_score: Fraction
    nearly_min_score: Fraction
    category_min_share: Fraction
    labels: tuple[tuple[str, str, str], ...]  # (code, ja, en)

    def label(self, code: str, locale: str) -> str:
        for tier, ja, en in self.labels:
            if tier == code:
                return ja if locale == "ja" else en
        raise KeyError(code)


@dataclass(frozen=True)
class Cap:
    input: str
    above: Fraction
    label_ja: str
    label_en: str


@dataclass(frozen=True)
class Rubric:
    version: str
    categories: tuple[Category, ...]
    rules: tuple[Rule, ...]
    gates: tuple[Gate, ...]
    tiers: Tiers
    cap: Cap

    def category_max(self, code: str) -> Fraction:
        """A category's maximum: the sum of its rules' maxima."""
        return self.category_maxima.get(code, Fraction(0))

    @cached_property
    def category_maxima(self) -> dict[str, Fraction]:
        """Each category's maximum, computed once (the rubric is frozen)."""
        maxima = {c.code: Fraction(0) for c in self.categories}
        for rule in self.rules:
            maxima[rule.category] = maxima.get(rule.category, Fraction(0)) + rule.max_points
        return maxima

    def __getstate__(self) -> dict[str, object]:
        """Pickled and copied without what is cached (the compiled plan holds functions)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @cached_property
    def plan(self) -> Plan:
        """The rubric compiled for fast scoring, built on first use and kept."""
        from app.scoring.plan import compile_rubric  # plan imports this module

        return compile_rubric(self)
