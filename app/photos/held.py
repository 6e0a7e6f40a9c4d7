"""Photos chosen in a survey form that is shown again (bad input, a stale edit): they are
stored at once and the form names them in a signed token, so nobody chooses them twice."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from app.extensions import db
from app.photos.models import Photo

SALT = "held-photos"
MAX_AGE_S = 24 * 3600  # a form left open longer asks for its photos again


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def held_token(sha256s: list[str], user_id: int) -> str:
    """A token naming these stored photos, valid only for this user."""
    return "" if not sha256s else _serializer().dumps({"u": user_id, "p": sha256s})


def held_photos(token: str | None, user_id: int) -> list[str]:
    """The stored photos a token names for this user, in order; [] for no or a bad token."""
    if not token:
        return []
    try:
        payload: Any = _serializer().loads(token, max_age=MAX_AGE_S)
    except BadSignature:  # also SignatureExpired
        return []
    if not isinstance(payload, dict) or payload.get("u") != user_id:
        return []
    wanted = [p for p in payload.get("p", []) if isinstance(p, str)]
    stored = set(db.session.scalars(select(Photo.sha256).where(Photo.sha256.in_(wanted))))
    return [p for p in dict.fromkeys(wanted) if p in stored]
