"""Photos no site uses: uploaded before a document that never came, or held by a survey form
that was never saved. `flask photos prune` removes those older than a grace period."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select

from app.extensions import db
from app.photos.models import Photo
from app.photos.storage import PhotoStore
from app.surveys.models import SitePhoto, SiteRevision
from app.timeutil import utcnow


@dataclass
class PruneReport:
    photos: int = 0
    bytes_freed: int = 0


def unused_photos(older_than: timedelta, now: datetime | None = None) -> list[str]:
    """Photos older than the grace period that no site shows and no stored revision names
    (a photo removed from a survey stays: the audit trail still lists it)."""
    cutoff = (now or utcnow()) - older_than
    on_a_site = exists().where(SitePhoto.sha256 == Photo.sha256)
    candidates = set(
        db.session.scalars(select(Photo.sha256).where(Photo.created_at < cutoff, ~on_a_site))
    )
    if candidates:
        candidates -= set(_named_by_revisions())
    return sorted(candidates)


def _named_by_revisions() -> Iterator[str]:
    rows = db.session.execute(select(SiteRevision.document).execution_options(yield_per=500))
    for (document,) in rows:
        for photo in (document or {}).get("photos") or []:
            if isinstance(photo, dict) and isinstance(photo.get("sha256"), str):
                yield photo["sha256"]


def prune_photos(store: PhotoStore, older_than: timedelta, dry_run: bool = False) -> PruneReport:
    """Delete the unused photos' rows (committed first), then their files."""
    unused = unused_photos(older_than)
    report = PruneReport()
    if dry_run or not unused:
        report.photos = len(unused)
        return report
    on_a_site = exists().where(SitePhoto.sha256 == Photo.sha256)
    for start in range(0, len(unused), 500):
        chunk = unused[start : start + 500]
        # a site that named one of them meanwhile keeps it (checked again in the DELETE)
        db.session.execute(delete(Photo).where(Photo.sha256.in_(chunk), ~on_a_site))
    db.session.commit()
    still_held = set(db.session.scalars(select(Photo.sha256).where(Photo.sha256.in_(unused))))
    for sha256 in unused:
        if sha256 not in still_held:
            report.photos += 1
            report.bytes_freed += store.delete(sha256)
    return report
