"""The survey's page: every field, the score with its breakdown, and the review panel."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from flask_babel import get_locale
from flask_babel import gettext as _

from app.extensions import db
from app.regions.service import municipality_names
from app.review.service import latest_comment
from app.review.workflow import actions_for
from app.scoring import score_site
from app.scoring.connectivity import summarize_runs
from app.station.models import UpstreamState
from app.surveys.access import current_scope
from app.surveys.documents import site_document
from app.surveys.models import Site
from app.surveys.run_chart import RunChart, RunFigures, run_chart
from app.surveys.service import form_data
from app.timeutil import to_jst
from forms.catalog import AMENITIES
from forms.review import ReviewForm
from forms.survey import SECTIONS, SurveyForm


def site_page(site: Site, review_form: ReviewForm | None = None, status: int = 200) -> Any:
    scope = current_scope()
    rubric = current_app.extensions["rubric"]
    document = site_document(site)
    can_review = scope.can_review(site.municipality_code)
    if review_form is None and can_review:
        review_form = ReviewForm(formdata=None, revision=str(site.revision))
    return (
        render_template(
            "surveys/detail.html",
            site=site,
            doc=document,
            sections=SECTIONS,
            form=SurveyForm(data=form_data(site), meta={"csrf": False}),
            amenities=AMENITIES,
            locale=str(get_locale()),
            places=municipality_names(),
            can_edit=scope.can_edit(site.municipality_code),
            runs_median=summarize_runs(document["measurements"]),
            run_chart=_run_chart(site),
            breakdown=score_site(document, rubric).to_dict(),
            rubric_version=rubric.version,
            review_form=review_form if can_review else None,
            review_actions=actions_for(site.status) if can_review else [],
            last_comment=latest_comment(site),
            upstream=db.session.get(UpstreamState, site.id),  # a station's view of upstream
        ),
        status,
    )


def _run_chart(site: Site) -> RunChart | None:
    """Each run labelled with its number and its time in Japan (the table's order)."""
    return run_chart(
        [
            RunFigures(
                _("Run %(n)s", n=n) + (f" {to_jst(m.measured_at):%H:%M}" if m.measured_at else ""),
                m.download_mbps,
                m.upload_mbps,
            )
            for n, m in enumerate(site.measurements, start=1)
        ]
    )
