"""Review routes: a reviewer's decision on a survey, and the survey's audit trail."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.review.history_values import field_labels, shown_lines
from app.review.service import StaleReview, audit_trail, review_site
from app.review.workflow import InvalidTransition
from app.surveys.access import current_scope, visible_site
from app.surveys.pages import site_page
from app.templating import status_label
from forms.review import ReviewForm

bp = Blueprint("review", __name__, template_folder="templates")


def reviewable_site(site_uuid: str) -> Any:
    site = visible_site(site_uuid)
    if not current_scope().can_review(site.municipality_code):
        abort(403)
    return site


@bp.post("/surveys/<site_uuid>/review")
@login_required
def decide(site_uuid: str) -> Any:
    site = reviewable_site(site_uuid)
    form = ReviewForm()
    if not form.validate():
        return site_page(site, review_form=form, status=422)
    try:
        step = review_site(
            site, form.action.data, form.comment.data or "", int(form.revision.data), current_user
        )
        db.session.commit()
    except (StaleReview, StaleDataError):
        db.session.rollback()
        flash(_("The survey changed while you were reviewing it. Look at it again."), "warning")
        return redirect(url_for("surveys.show_site", site_uuid=site_uuid), 303)
    except InvalidTransition:
        db.session.rollback()
        form.action.errors.append(_("This decision is not possible in the survey's state."))
        return site_page(site, review_form=form, status=409)
    flash(_("Decision saved: %(status)s.", status=status_label(step.to_status)), "success")
    return redirect(url_for("surveys.show_site", site_uuid=site_uuid), 303)


@bp.get("/surveys/<site_uuid>/history")
@login_required
def history(site_uuid: str) -> Any:
    site = visible_site(site_uuid)
    revisions, events = audit_trail(site)
    return render_template(
        "review/history.html",
        site=site,
        revisions=revisions,
        events=events,
        labels=field_labels(),
        shown_lines=shown_lines,
    )
