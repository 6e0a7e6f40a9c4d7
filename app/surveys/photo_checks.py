"""A site is marked complete once every photo it names has arrived, whatever order a save and an
upload of one of its photos run in.

A save decides with the photos committed when it looks; an upload completes the sites committed
when it looks. Run at the same moment, each can miss the other's uncommitted rows, and the site
would stay "photos missing" with every photo held. So each looks again after it has committed,
in a statement of its own: whichever of the two commits second then sees the other's rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import exists, select

from app.extensions import db
from app.photos.models import Photo
from app.surveys.models import Site, SitePhoto

PENDING = "photos_recheck"  # session.info: sites saved incomplete in this transaction


def recheck_after_commit(site_ids: Iterable[int]) -> None:
    """These sites were saved with photos missing: look again once the request has committed."""
    db.session.info.setdefault(PENDING, set()).update(site_ids)


def complete_where_all_held(site_ids: Iterable[int]) -> int:
    """Mark complete those of these sites whose every photo is now held, each with its feed
    entry; the caller commits. Returns how many."""
    from app.surveys.service import record_change  # service imports this module

    wanted = list(site_ids)
    if not wanted:
        return 0
    missing = (
        select(SitePhoto.id)
        .where(SitePhoto.site_id == Site.id)
        .where(~exists().where(Photo.sha256 == SitePhoto.sha256))
    )
    stmt = select(Site).where(Site.id.in_(wanted), ~Site.photos_complete, ~exists(missing))
    sites = db.session.scalars(stmt).all()
    for site in sites:
        site.photos_complete = True
        record_change(site, "photos")
    return len(sites)


def waiting_for(sha256: str) -> list[int]:
    """Sites still marked incomplete that name this photo."""
    stmt = select(Site.id).join(SitePhoto).where(SitePhoto.sha256 == sha256, ~Site.photos_complete)
    return list(db.session.scalars(stmt))


def run_pending_checks(response: Any) -> Any:
    """After a request that committed saves of incomplete sites: look once more (after_request)."""
    site_ids = db.session.info.pop(PENDING, None)
    if site_ids and response.status_code < 400 and complete_where_all_held(site_ids):
        db.session.commit()
    return response
