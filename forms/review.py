"""The reviewer's decision on a survey: action, comment, and the revision that was reviewed."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from app.review.workflow import ACTIONS, COMMENT_REQUIRED, MAX_COMMENT

ACTION_LABELS = {
    "start_review": _l("Start review"),
    "approve": _l("Approve"),
    "request_changes": _l("Send back for revision"),
    "reject": _l("Reject"),
    "reopen": _l("Reopen"),
}


class ReviewForm(FlaskForm):
    action = SelectField(
        _l("Decision"),
        choices=[(a, ACTION_LABELS[a]) for a in ACTIONS],
        validators=[InputRequired()],
    )
    comment = TextAreaField(_l("Comment for the surveyor"), validators=[Length(max=MAX_COMMENT)])
    revision = HiddenField()

    def validate_comment(self, field: Any) -> None:
        if self.action.data in COMMENT_REQUIRED and not (field.data or "").strip():
            raise ValidationError(_l("Write what needs to change, so the surveyor can act on it."))

    def validate_revision(self, field: Any) -> None:
        if not (field.data or "").isdigit():
            raise ValidationError(_l("Reload the page and review again."))
