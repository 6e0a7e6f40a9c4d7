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
    full = score_site(document, rubric).to_summary_dict()
    return {
        "score": full["total"],
        "tier": full["tier"],
        "rubric_version": full["rubric_version"],
        "score_summary": compact_summary(full),
        "scored_at": now,
    }


def compact_summary(full: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "total": full["total"],
        "tier": full["tier"],
        "capped": full["capped"],
        "missing": full["missing_count"],
        "scored": full["scored_count"],
        "gates": {g["code"]: g["status"] for g in full["gates"]},
        "categories": {c["code"]: c["score"] for c in full["categories"]},
        "fields": {f["code"]: None if f["missing"] else f["points"] for f in full["fields"]},
        "connectivity": full["connectivity"],
    }
