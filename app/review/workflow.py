"""The review workflow as plain data: which action moves a survey from which state to which.

submitted -> in review -> approved / needs revision / rejected. A reviewer may also decide
straight from submitted. Needs revision goes back to the surveyor, whose resubmission (handled
by the survey form) makes it submitted again. Approved and rejected can be reopened.
"""

from __future__ import annotations

from dataclasses import dataclass

DRAFT, SUBMITTED, IN_REVIEW = "draft", "submitted", "in_review"
APPROVED, NEEDS_REVISION, REJECTED = "approved", "needs_revision", "rejected"

START, APPROVE, REQUEST_CHANGES, REJECT, REOPEN = (
    "start_review",
    "approve",
    "request_changes",
    "reject",
    "reopen",
)
ACTIONS: tuple[str, ...] = (START, APPROVE, REQUEST_CHANGES, REJECT, REOPEN)

TRANSITIONS: dict[tuple[str, str], str] = {
    (SUBMITTED, START): IN_REVIEW,
    (SUBMITTED, APPROVE): APPROVED,
    (SUBMITTED, REQUEST_CHANGES): NEEDS_REVISION,
    (SUBMITTED, REJECT): REJECTED,
    (IN_REVIEW, APPROVE): APPROVED,
    (IN_REVIEW, REQUEST_CHANGES): NEEDS_REVISION,
    (IN_REVIEW, REJECT): REJECTED,
    (APPROVED, REOPEN): IN_REVIEW,
    (REJECTED, REOPEN): IN_REVIEW,
}
# the surveyor must learn why: sending back, rejecting and reopening need a comment
COMMENT_REQUIRED: frozenset[str] = frozenset({REQUEST_CHANGES, REJECT, REOPEN})
MAX_COMMENT = 2000


class InvalidTransition(ValueError):
    """This action is not possible from the survey's current state."""


@dataclass(frozen=True)
class Transition:
    from_status: str
    action: str
    to_status: str
    comment: str


def actions_for(status: str) -> list[str]:
    """The actions a reviewer can take on a survey in this state, in display order."""
    return [action for action in ACTIONS if (status, action) in TRANSITIONS]


def transition(status: str, action: str, comment: str = "") -> Transition:
    """Validate one review step; raises InvalidTransition with the reason."""
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise InvalidTransition(f"cannot {action} a survey that is {status}")
    comment = comment.strip()
    if action in COMMENT_REQUIRED and not comment:
        raise InvalidTransition(f"{action} needs a comment for the surveyor")
    if len(comment) > MAX_COMMENT:
        raise InvalidTransition(f"a comment has at most {MAX_COMMENT} characters")
    return Transition(status, action, target, comment)
