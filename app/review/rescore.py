"""Rescore stored sites (after the rubric changed): read each site's current document from its
revision, score it with the pure scorer, write the score columns back in batches.

A site saved while the rescore runs keeps the score its save computed: every update names the
revision it scored (`WHERE revision = ...`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, select

from app.extensions import db
from app.review.scores import score_columns
from app.scoring import Rubric
from app.surveys.models import Site, SiteRevision
from app.timeutil import utcnow

BATCH = 2000


@dataclass
class RescoreReport:
    scored: int = 0
    skipped: int = 0  # changed while being rescored: their own save scored them


def _page(after_id: int, stale_only: bool, version: str) -> list[Any]:
    """The next BATCH of (site id, revision, document), in id order (keyset paging)."""
    stmt = (
        select(Site.id, Site.revision, SiteRevision.document)
        .join(
            SiteRevision,
            and_(SiteRevision.site_id == Site.id, SiteRevision.revision == Site.revision),
        )
        .where(Site.id > after_id)
        .order_by(Site.id)
        .limit(BATCH)
    )
    if stale_only:
        stmt = stmt.where((Site.rubric_version.is_(None)) | (Site.rubric_version != version))
    return list(db.session.execute(stmt))


def rescore(
    rubric: Rubric, stale_only: bool = False, progress: Callable[[int], None] | None = None
) -> RescoreReport:
    """Score every (or every stale) site with `rubric`; commits per batch."""
    report = RescoreReport()
    now = utcnow()
    after_id = 0
    while rows := _page(after_id, stale_only, rubric.version):
        batch = [
            {"id": site_id, "revision": revision, **score_columns(document, rubric, now)}
            for site_id, revision, document in rows
        ]
        _write(batch, report)
        after_id = rows[-1][0]
        if progress:
            progress(report.scored)
    return report


def _write(batch: list[dict[str, Any]], report: RescoreReport) -> None:
    """One UPDATE for the batch (COPY + UPDATE ... FROM on PostgreSQL), matching id and revision."""
    writer = current_app.extensions["row_writer"]
    updated = writer.update(Site.__table__, ("id", "revision"), batch)
    db.session.commit()
    report.scored += updated
    report.skipped += len(batch) - updated


def versions() -> list[tuple[str | None, int]]:
    """How many sites carry a score from each rubric version (None: never scored)."""
    rows = db.session.execute(
        select(Site.rubric_version, func.count()).group_by(Site.rubric_version)
    )
    return sorted(((v, n) for v, n in rows), key=lambda item: (item[0] is None, item[0] or ""))
