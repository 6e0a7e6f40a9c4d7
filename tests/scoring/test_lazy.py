"""Scoring writes no text until asked, reads the document once, and its results stay frozen."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError
from fractions import Fraction
from typing import Any

import pytest

from app.scoring import SiteScore, explain, load_rubric, score_site
from tests.scoring.test_tiers import SITE_A, SITE_B


def no_text(*_: Any, **__: Any) -> Any:
    raise AssertionError("a reason was written")


@pytest.fixture
def textless(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every writer of reasons raises."""
    for name in ("rule_reasons", "gate_reasons", "decide_tier", "cap_reason"):
        monkeypatch.setattr(explain, name, no_text)


@pytest.mark.usefixtures("textless")
def test_scores_points_and_the_summary_write_no_reason() -> None:
    result = score_site(SITE_A)
    assert (result.total, result.tier, result.total_exact) == (87.0, "ready", 87)
    assert [c.points for c in result.categories] == [25, 17, 12, 9, 9, 7, 8]
    assert result.field("outlets").points == 4 and result.field("outlets").value == "20/20"
    assert [g.status for g in result.gates] == ["pass"] * 4
    summary = result.to_summary_dict()
    assert summary["fields"][0]["points"] == 7 and "reason_ja" not in summary["fields"][0]
    with pytest.raises(AssertionError, match="reason"):
        _ = result.field("download").reason_ja
    with pytest.raises(AssertionError, match="reason"):
        _ = result.tier_reason_en


def test_reasons_are_written_once_on_access() -> None:
    result = score_site(SITE_B)
    field = result.field("hours")
    assert field.reason_en is field.reason_en
    assert field.reason_en == "opening hours: 10:00–19:00 (9 h), 6 days a week → 3 points"
    assert result.tier_reason_ja == result.tier_reason_ja


def test_a_document_changed_after_scoring_does_not_change_its_score() -> None:
    doc = copy.deepcopy(SITE_A)
    result = score_site(doc)
    doc["seats"] = 0
    doc["amenities"].clear()
    doc["coverage"][0]["rsrp_dbm"] = -130
    doc["measurements"].clear()
    doc["weekday_close"] = "10:00"
    assert result.to_dict() == score_site(SITE_A).to_dict()


def test_results_are_frozen_hashable_and_copy_whole() -> None:
    result = score_site(SITE_B)
    for obj, name in ((result, "tier"), (result.fields[0], "points"), (result.gates[0], "status")):
        with pytest.raises(FrozenInstanceError):
            setattr(obj, name, None)
    assert hash(result) == hash(SiteScore.from_dict(result.to_dict()))
    for clone in (copy.deepcopy(result), pickle.loads(pickle.dumps(score_site(SITE_B)))):
        assert clone == result and clone.to_dict() == result.to_dict()
    assert "FieldScore(category='connectivity', code='download'" in repr(result.fields[0])


def test_points_are_exact_fractions() -> None:
    result = score_site(SITE_A)
    field, category = result.field("chair"), result.category("workspace")
    assert isinstance(field.points, Fraction) and field.points == 2
    assert isinstance(category.score_exact, Fraction) and category.score_exact == 17
    assert isinstance(result.total_exact, Fraction)


def test_the_compiled_rubric_is_built_once() -> None:
    rubric = load_rubric()
    assert rubric.plan is rubric.plan
    assert rubric.category_maxima is rubric.category_maxima
    assert rubric.rules[0].max_points is rubric.rules[0].max_points


def test_a_used_rubric_still_pickles_and_copies() -> None:
    rubric = load_rubric()
    expected = score_site(SITE_A, rubric).to_dict()
    for clone in (pickle.loads(pickle.dumps(rubric)), copy.deepcopy(rubric)):
        assert clone == rubric and "plan" not in vars(clone)
        assert score_site(SITE_A, clone).to_dict() == expected
