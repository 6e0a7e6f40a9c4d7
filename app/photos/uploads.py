"""Photos uploaded with the survey form: checked by content, stored by hash."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _

from app.extensions import db
from app.photos.models import Photo
from app.photos.storage import PhotoRejected, PhotoStore, StoredPhoto


def photo_store() -> PhotoStore:
    store: PhotoStore = current_app.extensions["photo_store"]
    return store


def rejection_message(error: PhotoRejected, filename: str) -> str:
    limit_mb = current_app.config["MAX_PHOTO_BYTES"] // (1024 * 1024)
    messages = {
        "too_large": _("%(name)s is larger than %(mb)s MB.", name=filename, mb=limit_mb),
        "unsupported_type": _("%(name)s is not a JPEG, PNG or WebP image.", name=filename),
        "corrupt": _("%(name)s is damaged or not a complete image.", name=filename),
        "too_many_pixels": _("%(name)s has too many pixels.", name=filename),
        "hash_mismatch": _("%(name)s changed during upload; please try again.", name=filename),
    }
    return messages[error.code]


def photo_row(stored: StoredPhoto, user: Any) -> Photo:
    """The database row for a photo just written to the store."""
    return Photo(
        sha256=stored.sha256,
        content_type=stored.content_type,
        size_bytes=stored.size_bytes,
        width=stored.width,
        height=stored.height,
        uploaded_by=user.id,
    )


def store_uploads(field: Any, caption: str, user: Any) -> list[dict[str, str]] | None:
    """Check every file first, then store them; on any refusal store nothing, return None."""
    files = [f for f in (field.data or []) if getattr(f, "filename", "")]
    if len(files) > current_app.config["PHOTOS_PER_UPLOAD"]:
        field.errors = [
            _("At most %(n)s photos at a time.", n=current_app.config["PHOTOS_PER_UPLOAD"])
        ]
        return None
    store = photo_store()
    payloads: list[bytes] = []
    for upload in files:
        if upload.stream.seekable():  # read again when a stale save shows the form again
            upload.stream.seek(0)
        data = upload.read(store.max_bytes + 1)
        try:
            store.inspect(data)
        except PhotoRejected as error:
            field.errors = [rejection_message(error, upload.filename)]
            return None
        payloads.append(data)
    refs = []
    for data in payloads:
        stored = store.save(data)
        if db.session.get(Photo, stored.sha256) is None:
            db.session.add(photo_row(stored, user))
        refs.append({"sha256": stored.sha256, "caption": caption})
    return refs
