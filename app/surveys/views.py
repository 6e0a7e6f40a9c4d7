"""Survey pages: the list, a new survey, a site's page, editing."""

from __future__ import annotations

import uuid as uuidlib
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.dashboard.service import cached_count
from app.dashboard.tiles import tile_settings
from app.extensions import db
from app.photos.held import held_photos, held_token
from app.photos.uploads import store_uploads
from app.regions.service import municipality_names
from app.review.rescore import versions
from app.review.service import latest_comment
from app.surveys.access import current_scope, editable_site, municipality_problem, visible_site
from app.surveys.filters import TIERS, SiteFilter, filter_choices, filter_notes
from app.surveys.models import ReviewStatus, Site
from app.surveys.pages import site_page
from app.surveys.service import form_data, save_survey
from app.templating import STATUS_LABELS, TIER_LABELS
from app.timeutil import today_jst
from forms.catalog import AMENITIES, CARRIERS
from forms.document import cleaned_data
from forms.survey import SECTIONS, SurveyForm

bp = Blueprint("surveys", __name__, template_folder="templates")
PAGE_SIZE = 50
NOTICES = {
    "geocoded": _l("The coordinates were found from the address; check them on site."),
    "geocoder_unavailable": _l(
        "The address could not be looked up now; the survey was saved without coordinates."
    ),
    "address_not_found": _l("The address was not found; the survey was saved without coordinates."),
    "changed_after_approval": _l(
        "The survey had been approved. Your change was saved and sent back for review."
    ),
    "already_in_review": _l("Saved. The survey is already waiting for review."),
    "rejected_needs_reopen": _l(
        "Saved, but not submitted: a rejected survey can be submitted again only after a"
        " reviewer reopens it."
    ),
}


@bp.app_context_processor
def _filter_notes() -> dict[str, Any]:
    """The shared filter form (list, map, summary) says which filter values it left out."""
    return {"filter_notes": lambda: filter_notes(request.args)}


@bp.get("/")
@login_required
def index() -> Any:
    return redirect(url_for("surveys.list_sites"))


# What a list row shows: plain rows of these columns, no ORM objects (no JSON documents, no
# relationships to load). A row has them as attributes, as a Site would.
LIST_COLUMNS = (
    Site.uuid,
    Site.name,
    Site.is_demo,
    Site.photos_complete,
    Site.municipality_code,
    Site.status,
    Site.tier,
    Site.score,
    Site.surveyed_on,
    Site.updated_at,
)


@bp.get("/surveys")
@login_required
def list_sites() -> Any:
    scope = current_scope()
    chosen = SiteFilter.parse(request.args)

    def matching(stmt: Any) -> Any:
        return chosen.apply(scope.filter(stmt, Site.municipality_code, Site.prefecture_code))

    total = cached_count(matching(select(func.count()).select_from(Site)))
    last_page = max(1, -(-total // PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), last_page)  # past the end: last
    rows = db.session.execute(
        chosen.ordered(matching(select(*LIST_COLUMNS)))
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "surveys/list.html",
        sites=rows,
        total=total,
        page=page,
        page_size=PAGE_SIZE,
        chosen=chosen,
        args=chosen.query_args(),
        statuses=list(ReviewStatus),
        tiers=TIERS,
        places=municipality_names(),
        choices=filter_choices(scope, chosen),
        can_create=scope.can_create,
        status_names={code: str(label) for code, label in STATUS_LABELS.items()},
        tier_names={code: str(label) for code, label in TIER_LABELS.items()},
        rubric_versions=versions() if scope.sees_everything else [],
        current_rubric=current_app.extensions["rubric"].version,
    )


def _build_form(site: Site | None = None) -> SurveyForm:
    if request.method == "POST":
        form = SurveyForm()
    elif site is not None:
        form = SurveyForm(data=form_data(site))
    else:
        form = SurveyForm(
            data={
                "uuid": str(uuidlib.uuid4()),
                "municipality_code": current_user.municipality_code or "",
                "surveyed_on": today_jst(),
            }
        )
    if request.method == "GET":  # back from a language switch: the photos it held
        form.held_photos.data = request.args.get("held", "")[:4000]
    form.check_municipality = municipality_problem
    _complete_rows(form)
    if site is not None:
        form.remove_photos.choices = [(p.sha256, p.sha256) for p in site.photos]
    return form


def _complete_rows(form: SurveyForm) -> None:
    """Always one coverage row per carrier and one spare speed-run row to fill in."""
    have = [entry.form.carrier.data for entry in form.coverage]
    while len(form.coverage.entries) < len(CARRIERS):
        form.coverage.append_entry()
    for entry, carrier in zip(form.coverage, CARRIERS, strict=True):
        if entry.form.carrier.data not in CARRIERS or have.count(entry.form.carrier.data) > 1:
            entry.form.carrier.data = carrier
    entries = form.measurements.entries
    if request.method == "GET" and (not entries or not entries[-1].form.is_blank):
        form.measurements.append_entry()


def _render(form: SurveyForm, site: Site | None, status: int = 200) -> Any:
    held = held_photos(form.held_photos.data, current_user.id)
    sent_back = site is not None and site.status in (
        ReviewStatus.NEEDS_REVISION,
        ReviewStatus.REJECTED,
    )
    tiles = tile_settings(current_app.config)  # the map pick's background (地理院タイル by default)
    response = Response(
        render_template(
            "surveys/form.html",
            form=form,
            site=site,
            sections=SECTIONS,
            amenities=AMENITIES,
            locale=str(get_locale()),
            places=municipality_names(),
            geo_accept_m=current_app.config["GEOLOCATION_ACCEPT_M"],
            geo_warn_m=current_app.config["GEOLOCATION_WARN_M"],
            tiles=tiles,
            held=held,
            held_token=form.held_photos.data or "",
            last_comment=latest_comment(site) if sent_back else None,
        ),
        status,
    )
    if tiles.csp:
        response.headers["Content-Security-Policy"] = tiles.csp
    return response


@bp.route("/surveys/new", methods=["GET", "POST"])
@login_required
def new_site() -> Any:
    if not current_scope().can_create:
        abort(403)
    form = _build_form()
    if request.method == "POST":
        site_uuid = _valid_uuid(form.uuid.data)
        existing = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
        if existing is not None and existing.name == (form.name.data or "").strip():
            flash(_("This survey was already saved."), "info")  # a double submit: the first won
            return redirect(url_for("surveys.show_site", site_uuid=existing.uuid))
        if existing is not None:  # another survey under a used identity: keep it, as a new one
            return _reused_identity(form, existing)
        if form.validate():
            return _save(form, None, site_uuid)
        return _shown_again(form, None, 422)
    return _render(form, None)


@bp.route("/surveys/<site_uuid>/edit", methods=["GET", "POST"])
@login_required
def edit_site(site_uuid: str) -> Any:
    site = editable_site(site_uuid)
    form = _build_form(site)
    if request.method == "POST":
        if form.base_revision.data != str(site.revision):
            return _stale(form, site)
        if form.validate():
            return _save(form, site, site.uuid)
        return _shown_again(form, site, 422)
    form.base_revision.data = str(site.revision)
    return _render(form, site)


def _reused_identity(form: SurveyForm, existing: Site) -> Any:
    """A new-survey form arrived with the identity (uuid) of a saved survey but other content
    (e.g. a page that restored an old draft): nothing is overwritten or dropped; the input
    comes back under a fresh identity, to be saved as a new survey."""
    flash(
        _(
            "This form carried the identity of the survey “%(name)s”, which is already saved."
            " Nothing was overwritten, and your input is still here as a new survey: check it"
            " and save again.",
            name=existing.name,
        ),
        "warning",
    )
    form.uuid.data = str(uuidlib.uuid4())
    g.taken_uuid = existing.uuid  # the page's script forgets a local draft under it
    return _shown_again(form, None, 409)


def _stale(form: SurveyForm, site: Site) -> Any:
    """Someone saved this site since the form was opened: keep the input, overwrite nothing."""
    flash(
        _(
            "Someone else saved this survey (revision %(n)s) while you were editing. "
            "Nothing was overwritten and your input is still here: compare with the current "
            "version, then save again to replace it.",
            n=site.revision,
        ),
        "error",
    )
    form.base_revision.data = str(site.revision)
    return _shown_again(form, site, 409)


def _shown_again(form: SurveyForm, site: Site | None, status: int) -> Any:
    """Show the form again with its input; the photos chosen with it are stored now and kept
    in the form (held), so that they need not be chosen again."""
    _hold_chosen_photos(form)
    return _render(form, site, status)


def _hold_chosen_photos(form: SurveyForm) -> None:
    removed = set(form.remove_photos.data or [])
    held = [p for p in held_photos(form.held_photos.data, current_user.id) if p not in removed]
    uploads = store_uploads(form.photo_files, "", current_user)
    if uploads:
        db.session.commit()  # the photos alone: no site row is written before the form is valid
        held += [p["sha256"] for p in uploads if p["sha256"] not in held]
    else:
        db.session.rollback()
    form.held_photos.data = held_token(held, current_user.id)
    if form.held_photos.data:  # a language switch from this page keeps them (language_return)
        g.language_return_args = {"held": form.held_photos.data}


def _save(form: SurveyForm, site: Site | None, site_uuid: str) -> Any:
    caption = form.photo_caption.data or ""
    uploads = store_uploads(form.photo_files, caption, current_user)
    if uploads is None:
        db.session.rollback()
        return _render(form, site, 422)
    data = cleaned_data(form)
    removed = set(form.remove_photos.data or [])
    kept = [
        {"sha256": p.sha256, "caption": p.caption}
        for p in (site.photos if site else [])
        if p.sha256 not in removed
    ]
    held = [
        {"sha256": sha256, "caption": caption}
        for sha256 in held_photos(form.held_photos.data, current_user.id)
        if sha256 not in removed
    ]
    data["photos"] = _once(kept + held + uploads)
    submit = request.form.get("intent") == "submit"
    geocoder = current_app.extensions["geocoder"]
    outcome = save_survey(
        data,
        site=site,
        site_uuid=site_uuid,
        actor=current_user,
        submit=submit,
        geocode=geocoder.geocode,
    )
    try:
        db.session.commit()
    except StaleDataError:  # another save of this site committed first
        db.session.rollback()
        return _stale(form, site) if site is not None else abort(409)
    except IntegrityError:  # the same new survey saved twice at the same moment
        db.session.rollback()
        existing = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
        if site is not None or existing is None:
            raise
        flash(_("This survey was already saved."), "info")
        return redirect(url_for("surveys.show_site", site_uuid=existing.uuid))
    if outcome.submitted or not submit:
        flash(_("Submitted for review.") if outcome.submitted else _("Saved."), "success")
    for notice in outcome.notices:
        flash(str(NOTICES[notice]), "warning")
    return redirect(url_for("surveys.show_site", site_uuid=outcome.site.uuid))


def _once(photos: list[dict[str, str]]) -> list[dict[str, str]]:
    """Each photo once, where it first appears."""
    by_hash: dict[str, dict[str, str]] = {}
    for photo in photos:
        by_hash.setdefault(photo["sha256"], photo)
    return list(by_hash.values())


def _valid_uuid(value: str | None) -> str:
    try:
        return str(uuidlib.UUID(value or ""))
    except ValueError:
        return str(uuidlib.uuid4())


@bp.get("/surveys/<site_uuid>")
@login_required
def show_site(site_uuid: str) -> Any:
    return site_page(visible_site(site_uuid))
