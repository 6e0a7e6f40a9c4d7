"""Serve photos and thumbnails to users who may see a site that uses them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request, send_file
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.photos.held import held_photos
from app.photos.uploads import photo_store
from app.surveys.access import current_scope
from app.surveys.models import Site, SitePhoto

bp = Blueprint("photos", __name__, url_prefix="/photos")


def _check_access(sha256: str) -> None:
    """Visible through a site the user may see, or held for this user by a form (`?held=`)."""
    if sha256 in held_photos(request.args.get("held"), current_user.id):
        return
    codes = db.session.scalars(
        select(Site.municipality_code).join(SitePhoto).where(SitePhoto.sha256 == sha256)
    ).all()
    if not any(current_scope().can_view(code) for code in codes):
        abort(404)


def _send(path: Any, mimetype: str) -> Any:
    if path is None:
        abort(404)
    response = send_file(path, mimetype=mimetype, max_age=86400, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response


@bp.get("/<sha256>")
@login_required
def original(sha256: str) -> Any:
    try:
        path = photo_store().path_for(sha256)
    except ValueError:
        abort(404)
    _check_access(sha256)
    return _send(path, photo_store().content_type_for(sha256) or "application/octet-stream")


@bp.get("/<sha256>/thumb")
@login_required
def thumbnail(sha256: str) -> Any:
    try:
        path = photo_store().thumb_path_for(sha256)
    except ValueError:
        abort(404)
    _check_access(sha256)
    return _send(path, "image/jpeg")
