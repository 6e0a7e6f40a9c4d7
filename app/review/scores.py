"""A stored site's readiness score: the columns written whenever its content changes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.scoring import Rubric, score_site

SCORE_COLUMNS = ("score", "tier", "rubric_version", "score_summary", "scored_at")


def score_columns(document: Mapping[str, Any], rubric: Rubric, now: datetime) -> dict[str, Any]:
    """Score, tier, rubric version and the compact breakdown of one site document."""
    result = score_site(document, rubric)
    return {
        "score": result.total,
        "tier": result.tier,
        "rubric_version": result.rubric_version,
        "score_summary": result.to_dict(),
        "scored_at": now,
    }
