"""Dashboard routes: the map of the sites, its marker data, and the summary.

Every route needs a signed-in user and shows only the sites of the user's scope
(`current_scope()`), narrowed by the same filters as the survey list (`SiteFilter`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import login_required

from app.dashboard import service
from app.dashboard.tiles import tile_settings
from app.surveys.access import current_scope
from app.surveys.filters import TIERS, SiteFilter, filter_choices
from app.surveys.models import ReviewStatus

bp = Blueprint("dashboard", __name__, template_folder="templates")


def _form_context(chosen: SiteFilter) -> dict[str, Any]:
    return {
        "chosen": chosen,
        "args": chosen.query_args(),
        "choices": filter_choices(current_scope(), chosen),
        "statuses": list(ReviewStatus),
        "tiers": TIERS,
    }


@bp.get("/dashboard/map")
@login_required
def site_map() -> Any:
    chosen = SiteFilter.parse(request.args)
    tiles = tile_settings(current_app.config)
    response = Response(render_template("dashboard/map.html", tiles=tiles, **_form_context(chosen)))
    if tiles.csp:
        response.headers["Content-Security-Policy"] = tiles.csp
    return response


@bp.get("/dashboard/map.json")
@login_required
def map_data() -> Any:
    entry = service.map_data(current_scope(), SiteFilter.parse(request.args))
    response = Response(entry.value, mimetype="application/json")
    response.set_etag(entry.etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


@bp.get("/dashboard/summary")
@login_required
def summary() -> Any:
    chosen = SiteFilter.parse(request.args)
    data = service.cached_summary(current_scope(), chosen)
    return render_template(
        "dashboard/summary.html",
        data=data,
        tier_keys=service.tier_keys(data.tier_totals),
        metrics=service.SPEED_METRICS,
        **_form_context(chosen),
    )
