"""Store a speedtest-cli run on a site: a new speed run through the same path as an API PUT.

The site's document gets one more entry in `measurements` and goes through
`app.api.sites.apply_document` (validation, scope, the revision/conflict decision, the
content hash, the changes feed and the stored score), signed in as the acting user.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import login_user
from sqlalchemy import func, select

from app.accounts.models import User
from app.api.sites import apply_document
from app.extensions import db
from app.speedtest.runner import SpeedResult
from app.surveys.documents import new_uuid, site_document
from app.surveys.models import Site
from sync.protocol import ItemResult


class RecordError(Exception):
    """The run could not be stored; the message says why."""


def measurement_entry(result: SpeedResult, where_on_site: str | None = None) -> dict[str, Any]:
    """The run as an entry of a site document's `measurements` (client-made UUID)."""
    return {
        "uuid": new_uuid(),
        "measured_at": result.measured_at.isoformat(),
        "method": result.method,
        "server": result.server,
        "download_mbps": result.download_mbps,
        "upload_mbps": result.upload_mbps,
        "latency_ms": result.latency_ms,
        "jitter_ms": result.jitter_ms,
        "loss_pct": None,
        "where_on_site": where_on_site or None,
        "tool_version": result.tool_version[:40],
        "bytes_moved": result.bytes_moved,
        "duration_s": result.duration_s,
    }


def site_location(site_uuid: str) -> tuple[float, float] | None:
    site = _site(site_uuid)
    if site.latitude is None or site.longitude is None:
        return None
    return (site.latitude, site.longitude)


def store_run(site_uuid: str, entry: dict[str, Any], actor_email: str | None = None) -> ItemResult:
    """Append the run to the site and save it as `actor_email` (default: the site's surveyor);
    commits. Raises RecordError when the document is refused."""
    site = _site(site_uuid)
    actor = _actor(site, actor_email)
    document = site_document(site)
    document["measurements"].append(entry)
    with current_app.test_request_context("/speedtest/record", headers={"Accept-Language": "en"}):
        login_user(actor)
        outcome = apply_document(document, site_uuid, site.revision)
        if outcome.errors or outcome.status.value in ("invalid", "conflict"):
            db.session.rollback()
            details = "; ".join(f"{k or 'site'}: {' '.join(v)}" for k, v in outcome.errors.items())
            raise RecordError(
                f"{outcome.status.value}: {details or 'changed meanwhile, run again'}"
            )
        db.session.commit()
    return outcome


def _site(site_uuid: str) -> Site:
    site: Site | None = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
    if site is None:
        raise RecordError(f"no site {site_uuid}")
    return site


def _actor(site: Site, email: str | None) -> User:
    if email is None:
        actor = db.session.get(User, site.surveyor_id) if site.surveyor_id else None
    else:
        actor = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    if actor is None or not actor.active:
        raise RecordError(f"no active user {email or '(the site has no surveyor)'}")
    return actor
