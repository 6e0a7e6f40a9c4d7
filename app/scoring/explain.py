"""What a fast score keeps (the read values, each rule's points, each gate's status) and what it
builds from them when asked: the exact total, the category, gate and field objects, the reasons
and the summary dicts. Reasons are written by the same code as always (app.scoring.rules,
gates and tiers), reading the values through a SiteView of the snapshot.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any

from app.scoring.connectivity import ConnectivitySummary
from app.scoring.gates import gate_reasons
from app.scoring.plan import Plan
from app.scoring.result import CategoryScore, FieldScore, GateResult, GateStatus, Reasons
from app.scoring.rules import rule_reasons
from app.scoring.scorers import Values
from app.scoring.site import SiteView
from app.scoring.tiers import cap_reason, decide_tier


def points_out(points: int, scale: int) -> int | float:
    """values.points_out(Fraction(points, scale)) without the Fraction."""
    whole, rest = divmod(points, scale)
    return whole if rest == 0 else points / scale


def fraction_text(num: int, den: int) -> str:
    """str(Fraction(num, den)) for den > 0, without the Fraction."""
    common = math.gcd(num, den)
    num, den = num // common, den // common
    return str(num) if den == 1 else f"{num}/{den}"


class Computed:
    """The parts of a SiteScore that score_site leaves to be filled in on demand."""

    __slots__ = (
        "category_points",
        "missing",
        "plan",
        "points",
        "runs",
        "statuses",
        "total_num",
        "values",
    )

    def __init__(
        self,
        plan: Plan,
        values: Values,
        runs: ConnectivitySummary,
        points: list[int],  # scaled; MISSING (-1) when missing
        statuses: tuple[GateStatus, ...],
        category_points: list[int],
        total_num: int,
        missing: int,
    ) -> None:
        self.plan, self.values, self.runs, self.points = plan, values, runs, points
        self.statuses, self.category_points = statuses, category_points
        self.total_num, self.missing = total_num, missing

    def view(self) -> SiteView:
        return SiteView(self.values, self.runs)

    def total(self) -> float:
        return self.total_num * 10 // self.plan.total_den / 10

    def total_exact(self) -> Fraction:
        return Fraction(self.total_num, self.plan.total_den)

    def gates(self) -> tuple[GateResult, ...]:
        return tuple(
            GateResult(
                g.gate.code,
                g.gate.label_ja,
                g.gate.label_en,
                status,
                explain=functools.partial(self._gate_reasons, i),
            )
            for i, (g, status) in enumerate(zip(self.plan.gates, self.statuses, strict=True))
        )

    def _gate_reasons(self, index: int) -> Reasons:
        return gate_reasons(self.plan.gates[index].gate, self.view())

    def categories(self) -> tuple[CategoryScore, ...]:
        fraction = self.plan.fraction
        return tuple(
            CategoryScore(
                c.category.code,
                c.category.label_ja,
                c.category.label_en,
                c.category.weight,
                fraction(points),
                fraction(c.maximum),
                points * c.ratio,
            )
            for c, points in zip(self.plan.categories, self.category_points, strict=True)
        )

    def fields(self) -> tuple[FieldScore, ...]:
        fields, fraction, values = [], self.plan.fraction, self.values
        for i, (r, points) in enumerate(zip(self.plan.rules, self.points, strict=True)):
            rule = r.rule
            fields.append(
                FieldScore(
                    rule.category,
                    rule.code,
                    rule.label_ja,
                    rule.label_en,
                    r.value(values) if points >= 0 else None,
                    fraction(points if points > 0 else 0),
                    r.max_points,
                    points < 0 and not rule.optional,
                    explain=functools.partial(self._field_reasons, i),
                )
            )
        return tuple(fields)

    def _field_reasons(self, index: int) -> Reasons:
        return rule_reasons(self.plan.rules[index].rule, self.view())

    def tier_reasons(self) -> Reasons:
        rubric = self.plan.rubric
        cap = cap_reason(rubric.cap, self.view())
        _, (ja, en) = decide_tier(
            rubric,
            self.total_exact(),
            self.categories(),
            self.gates(),
            cap,
            self.missing,
            len(self.points),
        )
        return "、".join(ja), "; ".join(en)

    def compact(self) -> dict[str, Any]:
        """The gate statuses, category scores and field points by code (what is stored)."""
        plan, scale = self.plan, self.plan.scale
        fields = {
            row[1]: (None if points < 0 and not row[6] else 0)
            if points <= 0
            else (points if scale == 1 else points_out(points, scale))
            for row, points in zip(plan.summary_rows, self.points, strict=True)
        }
        categories = {
            c.category.code: points * c.ratio.numerator * 10 // c.ratio.denominator / 10
            for c, points in zip(plan.categories, self.category_points, strict=True)
        }
        gates = {g.gate.code: status for g, status in zip(plan.gates, self.statuses, strict=True)}
        return {"gates": gates, "categories": categories, "fields": fields}

    def summary(self) -> dict[str, Any]:
        """total_exact and the gate, category and field dicts of to_summary_dict()."""
        plan, values, scale = self.plan, self.values, self.plan.scale
        fields = [
            {
                "category": category,
                "code": code,
                "label_ja": label_ja,
                "label_en": label_en,
                "value": value(values) if points >= 0 else None,
                "points": 0 if points <= 0 else points if scale == 1 else points_out(points, scale),
                "max_points": max_out,
                "missing": points < 0 and not optional,
            }
            for (category, code, label_ja, label_en, value, max_out, optional), points in zip(
                plan.summary_rows, self.points, strict=True
            )
        ]
        categories = []
        for c, points in zip(plan.categories, self.category_points, strict=True):
            num, den = points * c.ratio.numerator, c.ratio.denominator
            categories.append(
                {
                    "code": c.category.code,
                    "label_ja": c.category.label_ja,
                    "label_en": c.category.label_en,
                    "weight": c.weight_out,
                    "points": points_out(points, scale),
                    "max_points": c.max_out,
                    "score": num * 10 // den / 10,
                    "score_exact": fraction_text(num, den),
                }
            )
        gates = [
            {
                "code": g.gate.code,
                "label_ja": g.gate.label_ja,
                "label_en": g.gate.label_en,
                "status": status,
            }
            for g, status in zip(plan.gates, self.statuses, strict=True)
        ]
        return {
            "total_exact": fraction_text(self.total_num, plan.total_den),
            "gates": gates,
            "categories": categories,
            "fields": fields,
        }
