"""A rubric compiled once for fast scoring (Rubric.plan): rule and gate functions, whole-number
points, and the category and tier arithmetic reduced to integer comparisons.

Points are scaled by `scale`, the least common denominator of every points value in the rubric
(1 for whole points), so a site's points are ints. A category's exact score is
points × weight ÷ maximum = points × ratio (the scale cancels); the exact total is
Σ points × num_c ÷ total_den, with every ratio put over the common denominator total_den.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from app.scoring.checks import Check, compile_cap, compile_gate
from app.scoring.model import (
    AlternativesRule,
    CarriersRule,
    Category,
    ChoiceRule,
    Gate,
    HoursRule,
    RatioRule,
    Rubric,
    Rule,
    Spec,
    StepsRule,
)
from app.scoring.reading import Reads, reads_of
from app.scoring.result import GateStatus
from app.scoring.scorers import Scorer, Valuer, compile_spec, scaled
from app.scoring.values import points_out

SummaryRow = tuple[str, str, str, str, Valuer, int | float, bool]


@dataclass(frozen=True)
class RulePlan:
    rule: Rule
    value: Valuer
    max_points: Fraction
    max_out: int | float  # max_points as JSON writes it


@dataclass(frozen=True)
class CategoryPlan:
    category: Category
    rules: tuple[int, ...]  # indices into Plan.rules
    maximum: int  # scaled
    ratio: Fraction  # weight ÷ scaled maximum: score = points × ratio
    total_num: int  # ratio × Plan.total_den
    weak_below: int  # scaled points under this are below the share of the weight
    weight_out: int | float
    max_out: int | float


@dataclass(frozen=True)
class GatePlan:
    gate: Gate
    status: Callable[[dict[str, Any]], GateStatus]


@dataclass(frozen=True, eq=False)
class Plan:
    rubric: Rubric
    reads: Reads
    scale: int
    scorers: tuple[Scorer, ...]
    rules: tuple[RulePlan, ...]
    optional: tuple[int, ...]  # rules that are never counted missing
    categories: tuple[CategoryPlan, ...]
    total_den: int
    gates: tuple[GatePlan, ...]
    capped: Check
    labels: dict[str, tuple[str, str]]  # tier code: (ja, en)

    @functools.cached_property
    def fractions(self) -> dict[int, Fraction]:
        """Scaled points back as Fractions, made once per value (Fractions are immutable)."""
        return {}

    def fraction(self, points: int) -> Fraction:
        value = self.fractions.get(points)
        if value is None:
            value = self.fractions[points] = Fraction(points, self.scale)
        return value

    @functools.cached_property
    def category_slices(self) -> tuple[slice, ...] | None:
        """Each category's rules as a slice of the rules, when every category's are adjacent."""
        slices = []
        for c in self.categories:
            if not c.rules or list(c.rules) != list(range(c.rules[0], c.rules[-1] + 1)):
                return None
            slices.append(slice(c.rules[0], c.rules[-1] + 1))
        return tuple(slices)

    @functools.cached_property
    def summary_rows(self) -> tuple[SummaryRow, ...]:
        """Per rule: what its summary dict takes from the rubric, and its value function."""
        return tuple(
            (r.category, r.code, r.label_ja, r.label_en, rp.value, rp.max_out, r.optional)
            for rp in self.rules
            for r in (rp.rule,)
        )

    def tier(
        self,
        total_num: int,
        category_points: list[int],
        statuses: tuple[GateStatus, ...],
        capped: bool,
        missing: int,
    ) -> str:
        """engine.decide_tier's tier code, decided in integers."""
        tiers, scored = self.rubric.tiers, len(self.rules) or 1
        limit = tiers.max_missing_fraction
        if missing * limit.denominator > limit.numerator * scored:
            return "insufficient"
        if "fail" in statuses or _below(total_num, self.total_den, tiers.nearly_min_score):
            return "invest"
        if "unknown" in statuses:
            return "insufficient"
        ready = not _below(total_num, self.total_den, tiers.ready_min_score)
        if ready and not capped:
            weak = (p < c.weak_below for p, c in zip(category_points, self.categories, strict=True))
            if not any(weak):
                return "ready"
        return "nearly"


def _below(num: int, den: int, limit: Fraction) -> bool:
    """num / den < limit, with den > 0."""
    return num * limit.denominator < limit.numerator * den


def _points_of(spec: Spec) -> list[Fraction]:
    """Every points value of a rule (their denominators set the scale)."""
    if isinstance(spec, StepsRule | CarriersRule):
        return [step.points for step in spec.ladder.steps]
    if isinstance(spec, RatioRule):
        ladders = (spec.ladder, spec.count) if spec.count is not None else (spec.ladder,)
        return [step.points for ladder in ladders for step in ladder.steps]
    if isinstance(spec, ChoiceRule):
        return [points for _, points in spec.points]
    if isinstance(spec, HoursRule):
        return [spec.weekday_points, spec.extended_points]
    if isinstance(spec, AlternativesRule):
        return [option.points for option in spec.options]
    return [spec.points]


def compile_rubric(rubric: Rubric) -> Plan:
    scale = math.lcm(*(p.denominator for r in rubric.rules for p in _points_of(r.spec)))
    compiled = [compile_spec(rule.spec, scale) for rule in rubric.rules]
    rules = tuple(
        RulePlan(rule, value, rule.max_points, points_out(rule.max_points))
        for rule, (_, value) in zip(rubric.rules, compiled, strict=True)
    )
    ratios = []
    for category in rubric.categories:
        maximum = scaled(rubric.category_max(category.code), scale)
        ratios.append((category, maximum, category.weight / maximum))
    total_den = math.lcm(*(ratio.denominator for _, _, ratio in ratios))
    share = rubric.tiers.category_min_share
    categories = tuple(
        CategoryPlan(
            category=category,
            rules=tuple(i for i, r in enumerate(rubric.rules) if r.category == category.code),
            maximum=maximum,
            ratio=ratio,
            total_num=scaled(ratio, total_den),
            weak_below=math.ceil(share * maximum),  # p < x is p < ceil(x) for whole p
            weight_out=points_out(category.weight),
            max_out=points_out(rubric.category_max(category.code)),
        )
        for category, maximum, ratio in ratios
    )
    return Plan(
        rubric=rubric,
        reads=reads_of(rubric),
        scale=scale,
        scorers=tuple(score for score, _ in compiled),
        rules=rules,
        optional=tuple(i for i, r in enumerate(rubric.rules) if r.optional),
        categories=categories,
        total_den=total_den,
        gates=tuple(GatePlan(gate, compile_gate(gate)) for gate in rubric.gates),
        capped=compile_cap(rubric.cap),
        labels={code: (ja, en) for code, ja, en in rubric.tiers.labels},
    )
