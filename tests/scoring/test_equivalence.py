"""The scorer's outputs are pinned: every generated document scores exactly as the fixture says.

tests/scoring/expected_scores.json holds `score_site(doc).to_dict()` of each document of
tests/scoring/equivalence_docs.py, produced by the scorer before it was optimized; a faster
scorer must give identical dicts (reasons included, and 1 is not 1.0), for the bundled rubric
and for a variant with fractional points, weights and thresholds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.scoring import DEFAULT_PATH, Rubric, SiteScore, load_rubric, score_site
from tests.scoring.equivalence_docs import FIXTURE, documents, plain, variant_rubric_text

EXPECTED: dict[str, list[dict[str, Any]]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
DOCS = documents()
CASES = [(name, i) for name, items in EXPECTED.items() for i in range(len(items))]
IDS = [f"{name}-{i}" for name, i in CASES]
REASONS = ("reason_ja", "reason_en")


@pytest.fixture(scope="module")
def rubrics(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rubric]:
    path: Path = tmp_path_factory.mktemp("rubric") / "variant.toml"
    path.write_text(variant_rubric_text(DEFAULT_PATH.read_text(encoding="utf-8")), "utf-8")
    return {"default": load_rubric(), "variant": load_rubric(path)}


def text(data: Any) -> str:
    """JSON text: tells 1 from 1.0 and True from 1, which == does not."""
    return json.dumps(data, ensure_ascii=False)


def without_reasons(data: dict[str, Any]) -> dict[str, Any]:
    """A to_dict() as to_summary_dict() should give it: no reason texts."""
    drop = ("tier_reason_ja", "tier_reason_en")
    summary = {k: v for k, v in data.items() if k not in drop}
    for key in ("gates", "fields"):
        summary[key] = [{k: v for k, v in item.items() if k not in REASONS} for item in data[key]]
    return summary


def test_the_fixture_covers_every_tier_and_the_generator_is_unchanged() -> None:
    assert len(EXPECTED["default"]) == len(DOCS)
    assert EXPECTED["default"][0]["total_exact"] == "87"  # site A, first
    tiers = {d["tier"] for items in EXPECTED.values() for d in items}
    assert tiers == {"ready", "nearly", "invest", "insufficient"}


@pytest.mark.parametrize(("name", "index"), CASES, ids=IDS)
def test_scores_are_identical_to_the_pinned_ones(
    rubrics: dict[str, Rubric], name: str, index: int
) -> None:
    expected = EXPECTED[name][index]
    summary = text(without_reasons(expected))
    result = score_site(DOCS[index], rubrics[name])
    assert text(plain(result.to_summary_dict())) == summary  # before any reason is written
    assert text(plain(result.to_dict())) == text(expected)
    stored = SiteScore.from_dict(expected)
    assert stored == result
    assert text(plain(stored.to_summary_dict())) == summary


def compacted(summary: dict[str, Any]) -> dict[str, Any]:
    """What the app stored before to_compact_dict(): app.review.scores.compact_summary."""
    return {
        "total": summary["total"],
        "tier": summary["tier"],
        "capped": summary["capped"],
        "missing": summary["missing_count"],
        "scored": summary["scored_count"],
        "gates": {g["code"]: g["status"] for g in summary["gates"]},
        "categories": {c["code"]: c["score"] for c in summary["categories"]},
        "fields": {f["code"]: None if f["missing"] else f["points"] for f in summary["fields"]},
        "connectivity": summary["connectivity"],
    }


@pytest.mark.parametrize(("name", "index"), CASES, ids=IDS)
def test_the_stored_summary_is_the_compacted_full_one(
    rubrics: dict[str, Rubric], name: str, index: int
) -> None:
    expected = text(compacted(without_reasons(EXPECTED[name][index])))
    assert text(plain(score_site(DOCS[index], rubrics[name]).to_compact_dict())) == expected
    assert text(plain(SiteScore.from_dict(EXPECTED[name][index]).to_compact_dict())) == expected
