"""Readiness scoring of a surveyed site against a versioned rubric file (pure: no Flask, no DB).

rubric = load_rubric()            # the bundled jp-workation-2026.1.toml, cached
result = score_site(doc, rubric)  # doc: the plain site document the app produces
result.to_dict()                  # JSON-ready; SiteScore.from_dict() reads it back
"""

from app.scoring.connectivity import ConnectivitySummary, summarize_runs
from app.scoring.engine import score_site
from app.scoring.model import Rubric
from app.scoring.result import CategoryScore, FieldScore, GateResult
from app.scoring.rubric import DEFAULT_PATH, RubricError, load_rubric, parse_rubric
from app.scoring.sitescore import SiteScore

__all__ = [
    "DEFAULT_PATH",
    "CategoryScore",
    "ConnectivitySummary",
    "FieldScore",
    "GateResult",
    "Rubric",
    "RubricError",
    "SiteScore",
    "load_rubric",
    "parse_rubric",
    "score_site",
    "summarize_runs",
]
