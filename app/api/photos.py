"""PUT/HEAD /api/v1/photos/{sha256}: content-addressed photo upload."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.accounts.scope import Scope
from app.api.errors import ApiError
from app.extensions import db
from app.photos.models import Photo
from app.photos.storage import PhotoRejected
from app.photos.uploads import photo_row, photo_store
from app.surveys.photo_checks import complete_where_all_held, waiting_for
from forms.validators import is_sha256

STATUS = {
    "hash_mismatch": 400,
    "too_large": 413,
    "unsupported_type": 415,
    "corrupt": 422,
    "too_many_pixels": 422,
}


def receive_photo(sha256: str) -> Any:
    if not is_sha256(sha256):
        raise ApiError(400, "bad_hash", "The path must be the lowercase hex SHA-256 of the photo.")
    held = db.session.get(Photo, sha256) is not None
    if request.method == "HEAD":
        return ("", 200) if held else ("", 404)
    if not Scope.of(current_user).can_create:
        raise ApiError(403, "forbidden", "Your role cannot upload photos.")
    if held:
        request.get_data(cache=False)  # drain what the client sent
        return {"sha256": sha256, "created": False}, 200
    store = photo_store()
    if request.content_length is not None and request.content_length > store.max_bytes:
        raise ApiError(413, "too_large", f"At most {store.max_bytes} bytes per photo.")
    data = request.stream.read(store.max_bytes + 1)
    try:
        stored = store.save(data, expected_sha256=sha256)
    except PhotoRejected as exc:
        raise ApiError(STATUS[exc.code], exc.code, exc.message) from None
    db.session.add(photo_row(stored, current_user))
    try:
        db.session.flush()
    except IntegrityError:  # the same photo arrived twice at the same moment
        db.session.rollback()
        return {"sha256": sha256, "created": False}, 200
    complete_where_all_held(waiting_for(sha256))  # sites waiting for it, in the same commit
    db.session.commit()
    # again, now that the photo is committed: a site saved meanwhile may have missed it
    if complete_where_all_held(waiting_for(sha256)):
        db.session.commit()
    current_app.logger.debug("photo %s stored", sha256)
    return {"sha256": sha256, "created": True}, 201
