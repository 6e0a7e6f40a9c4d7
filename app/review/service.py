"""Apply a reviewer's decision: the state change, its event, and the feed entry devices pull."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.review.workflow import Transition, transition
from app.surveys.models import ReviewEvent, Site, SiteRevision
from app.surveys.service import change_status
from sync.canonical import changed_fields


class StaleReview(Exception):
    """The survey changed after the reviewer loaded it."""


def review_site(
    site: Site, action: str, comment: str, seen_revision: int, actor: Any
) -> Transition:
    """Move the survey on; raises StaleReview or InvalidTransition. The caller commits."""
    if seen_revision != site.revision:
        raise StaleReview
    step = transition(site.status, action, comment)
    change_status(site, actor, step.to_status, step.comment)
    return step


def latest_comment(site: Site) -> ReviewEvent | None:
    """The last decision that carried a comment (what the surveyor needs to read)."""
    return db.session.scalar(
        select(ReviewEvent)
        .where(ReviewEvent.site_id == site.id, ReviewEvent.comment != "")
        .order_by(ReviewEvent.created_at.desc(), ReviewEvent.id.desc())
        .limit(1)
    )


@dataclass
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass
class RevisionEntry:
    revision: SiteRevision
    changes: list[FieldChange]


def audit_trail(site: Site) -> tuple[list[RevisionEntry], list[ReviewEvent]]:
    """Every revision with its field-level diff against the one before, and every decision."""
    revisions = db.session.scalars(
        select(SiteRevision).where(SiteRevision.site_id == site.id).order_by(SiteRevision.revision)
    ).all()
    entries: list[RevisionEntry] = []
    before: dict[str, Any] = {}
    for revision in revisions:
        after = revision.document
        names = changed_fields(before, after) if before else []
        entries.append(
            RevisionEntry(revision, [FieldChange(n, before.get(n), after.get(n)) for n in names])
        )
        before = after
    events = db.session.scalars(
        select(ReviewEvent).where(ReviewEvent.site_id == site.id).order_by(ReviewEvent.id)
    ).all()
    return list(reversed(entries)), list(reversed(events))
