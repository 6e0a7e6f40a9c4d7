"""The review workflow as plain data (no app)."""

from __future__ import annotations

import pytest

from app.review.workflow import (
    ACTIONS,
    TRANSITIONS,
    InvalidTransition,
    actions_for,
    transition,
)

STATES = ("draft", "submitted", "in_review", "approved", "needs_revision", "rejected")


@pytest.mark.parametrize(
    ("status", "action", "target"),
    [
        ("submitted", "start_review", "in_review"),
        ("submitted", "approve", "approved"),
        ("in_review", "approve", "approved"),
        ("in_review", "request_changes", "needs_revision"),
        ("in_review", "reject", "rejected"),
        ("approved", "reopen", "in_review"),
        ("rejected", "reopen", "in_review"),
    ],
)
def test_allowed_steps(status, action, target):
    assert transition(status, action, "理由").to_status == target


@pytest.mark.parametrize("status", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_other_step_is_refused(status, action):
    if (status, action) in TRANSITIONS:
        return
    with pytest.raises(InvalidTransition):
        transition(status, action, "理由")


def test_draft_and_needs_revision_belong_to_the_surveyor():
    assert actions_for("draft") == [] and actions_for("needs_revision") == []
    assert actions_for("in_review") == ["approve", "request_changes", "reject"]


@pytest.mark.parametrize("action", ["request_changes", "reject"])
def test_sending_back_or_rejecting_needs_a_comment(action):
    with pytest.raises(InvalidTransition, match="comment"):
        transition("in_review", action, "   ")
    assert transition("in_review", action, " 写真が足りません ").comment == "写真が足りません"


def test_approving_needs_no_comment_and_comments_are_bounded():
    assert transition("in_review", "approve").comment == ""
    with pytest.raises(InvalidTransition, match="2000"):
        transition("in_review", "approve", "x" * 2001)
