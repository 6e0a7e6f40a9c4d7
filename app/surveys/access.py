"""Load a site for the signed-in user, or answer 404/403: scoping in one place for every route."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.accounts.scope import Scope
from app.extensions import db
from app.regions.service import municipality_exists
from app.surveys.models import Site


def current_scope() -> Scope:
    return Scope.of(current_user)


def municipality_problem(code: str) -> str | None:
    """Why the signed-in user may not record a site in this municipality, or None."""
    if not municipality_exists(code):
        return _("No municipality has this code.")
    if not current_scope().can_edit(code):
        return _("You can only record sites in your own municipality.")
    return None


def visible_site(site_uuid: str) -> Site:
    """A site the user may view; another municipality's site is a 404 (its existence is private)."""
    site = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
    if site is None or not current_scope().can_view(site.municipality_code):
        abort(404)
    return site


def editable_site(site_uuid: str) -> Site:
    site = visible_site(site_uuid)
    if not current_scope().can_edit(site.municipality_code):
        abort(403)
    return site
