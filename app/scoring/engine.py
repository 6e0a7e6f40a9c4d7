"""Score a site document against a rubric: category scores, total, gates, cap and tier.

The rubric is compiled once (Rubric.plan); a site is read once into plain values
(app.scoring.reading) and scored in integers. The texts (reasons, the value shown) and the
per-field objects are built only when they are asked for (app.scoring.explain).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.scoring.explain import Computed
from app.scoring.model import Rubric
from app.scoring.reading import read_site
from app.scoring.rubric import load_rubric
from app.scoring.scorers import MISSING
from app.scoring.sitescore import SiteScore
from app.scoring.tiers import decide_tier

__all__ = ["decide_tier", "score_site"]


def score_site(doc: Mapping[str, Any], rubric: Rubric | None = None) -> SiteScore:
    """Score one site document (plain data as the app produces it); pure and deterministic."""
    rubric = load_rubric() if rubric is None else rubric
    plan = rubric.plan
    values, runs = read_site(doc, plan.reads)
    points = [score(values) for score in plan.scorers]
    statuses = tuple(gate.status(values) for gate in plan.gates)
    capped = bool(plan.capped(values))
    missing = points.count(MISSING) - sum(1 for i in plan.optional if points[i] == MISSING)
    scored = [p if p > 0 else 0 for p in points]
    if (slices := plan.category_slices) is not None:
        category_points = [sum(scored[part]) for part in slices]
    else:
        category_points = [sum([scored[i] for i in c.rules]) for c in plan.categories]
    total_num = sum(
        p * category.total_num for p, category in zip(category_points, plan.categories, strict=True)
    )
    tier = plan.tier(total_num, category_points, statuses, capped, missing)
    parts = Computed(plan, values, runs, points, statuses, category_points, total_num, missing)
    counts = (missing, len(points))
    return SiteScore.computed(rubric.version, tier, plan.labels[tier], capped, counts, runs, parts)
