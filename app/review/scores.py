"""A stored site's readiness score: the columns written whenever its content changes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.scoring import Rubric, score_site

SCORE_COLUMNS = ("score", "tier", "rubric_version", "score_summary", "scored_at")


def score_columns(document: Mapping[str, Any], rubric: Rubric, now: datetime) -> dict[str, Any]:
    """Score, tier, rubric version and a compact breakdown (~1 KB) of one site document.

    The site page re-explains the score with reasons from the document itself; what is stored
    is what lists, maps, summaries and exports need without re-scoring.
    """
    result = score_site(document, rubric)
    return {
        "score": result.total,
        "tier": result.tier,
        "rubric_version": result.rubric_version,
        "score_summary": result.to_compact_dict(),
        "scored_at": now,
    }
