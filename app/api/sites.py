"""Apply site documents from devices and stations: validate, scope, decide, store."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.regions.service import municipality_exists
from app.surveys.access import current_scope, municipality_problem
from app.surveys.models import ReviewStatus, Site
from app.surveys.service import save_survey, site_document
from app.timeutil import iso_utc
from forms.document import validate_site_document
from forms.validators import is_uuid, normalize_text
from sync.protocol import ItemResult, Outcome


def public_document(site: Site) -> dict[str, Any]:
    """The document as GET returns it: content plus the server-owned fields."""
    return site_document(site) | {
        "revision": site.revision,
        "status": site.status,
        "photos_complete": site.photos_complete,
        "updated_at": iso_utc(site.updated_at),
        "score": site.score,
        "tier": site.tier,
    }


def write_refusal(doc: Any, site_uuid: str) -> str | None:
    """Why this caller may not write this site at all (the contract's 403), or None: a role that
    records nothing, a site of another municipality, or a document naming an existing
    municipality outside the caller's scope. (In a push the item is "invalid" with the reason.)"""
    scope = current_scope()
    if not scope.can_create:
        return "Your role cannot record or change sites."
    if is_uuid(site_uuid):
        stored = db.session.scalar(select(Site.municipality_code).where(Site.uuid == site_uuid))
        if stored is not None and not scope.can_edit(stored):
            return "This site belongs to a municipality outside your scope."
    raw = doc.get("municipality_code") if isinstance(doc, dict) else None
    code = normalize_text(str(raw)) if isinstance(raw, str | int) else ""
    if municipality_exists(code) and not scope.can_edit(code):
        return "You can only record sites in your own municipality."
    return None


def apply_document(
    doc: Any, site_uuid: str, base_revision: int | None, *, retry: bool = True
) -> ItemResult:
    """Apply one document atomically (inside a savepoint); the caller commits."""
    if not is_uuid(site_uuid):
        return ItemResult(site_uuid, Outcome.INVALID, errors={"uuid": ["Not a valid UUID."]})
    if isinstance(doc, dict) and doc.get("uuid", site_uuid) != site_uuid:
        return ItemResult(site_uuid, Outcome.INVALID, errors={"uuid": ["Does not match the URL."]})
    check = validate_site_document(doc, check_municipality=municipality_problem)
    if not check.ok:
        return ItemResult(site_uuid, Outcome.INVALID, errors=check.errors)
    site = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
    if site is not None and not current_scope().can_edit(site.municipality_code):
        return ItemResult(
            site_uuid, Outcome.INVALID, errors={"uuid": ["You may not change this site."]}
        )
    try:
        with db.session.begin_nested():
            saved = save_survey(
                check.data,
                site=site,
                site_uuid=site_uuid,
                actor=current_user,
                submit=isinstance(doc, dict) and doc.get("status") == ReviewStatus.SUBMITTED,
                base_revision=base_revision,
            )
    except (StaleDataError, IntegrityError):  # a concurrent writer committed first
        if retry:  # decide again against what it stored: a replay, or a conflict
            db.session.expire_all()
            return apply_document(doc, site_uuid, base_revision, retry=False)
        return ItemResult(
            site_uuid, Outcome.CONFLICT, errors={"": ["Changed concurrently; fetch and retry."]}
        )
    if saved.outcome is Outcome.CONFLICT:
        current = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
        return ItemResult(
            site_uuid, Outcome.CONFLICT, current.revision, current=public_document(current)
        )
    return ItemResult(site_uuid, saved.outcome, saved.site.revision)
