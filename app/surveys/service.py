"""Store a survey: apply validated data to a site, keep revisions, derive what can be derived."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.geo.distance import distance_km, distance_m
from app.photos.models import Photo
from app.reference.postal import lookup_postal_code
from app.regions.service import municipality_names
from app.review.scores import score_columns
from app.surveys.documents import (
    coverage_values,
    photo_values,
    run_values,
    site_document,
)
from app.surveys.feed_order import feed_entries_added
from app.surveys.models import (
    MobileCoverage,
    ReviewEvent,
    ReviewStatus,
    Site,
    SiteChange,
    SitePhoto,
    SiteRevision,
    SpeedMeasurement,
)
from app.surveys.photo_checks import recheck_after_commit
from app.timeutil import utcnow
from forms.document import LIST_FIELDS, scalar_field_names
from sync.canonical import CanonicalContent, canonical_content, changed_fields, hash_of
from sync.protocol import Decision, Outcome, Stored, decide

# (distance field, point prefix, unit function) filled from coordinates when left empty
DERIVED_DISTANCES = (
    ("station_distance_m", "station", lambda a, b: round(distance_m(a, b))),
    ("bus_stop_distance_m", "bus_stop", lambda a, b: round(distance_m(a, b))),
    ("clinic_distance_km", "clinic", lambda a, b: round(distance_km(a, b), 2)),
)


@dataclass
class SaveOutcome:
    site: Site
    outcome: Outcome
    notices: list[str] = field(default_factory=list)
    submitted: bool = False  # this save sent the survey for review

    @property
    def created(self) -> bool:
        return self.outcome is Outcome.CREATED


def form_data(site: Site) -> dict[str, Any]:
    """The document with Python values (dates as dates), as WTForms wants them."""
    return site_document(site) | {"surveyed_on": site.surveyed_on}


ANY_REVISION = -1  # the browser form checks staleness itself; it saves on whatever is current


def save_survey(
    data: dict[str, Any],
    *,
    site: Site | None,
    site_uuid: str,
    actor: Any,
    submit: bool,
    geocode: Any = None,
    base_revision: int | None = ANY_REVISION,
) -> SaveOutcome:
    """Create or update a site from validated data; flushes, the caller commits.

    The data is applied inside a savepoint and the resulting document hashed: the same content
    is `unchanged` (a replay), new content on a base other than the current revision is a
    `conflict` and is rolled back. A concurrent writer that commits first makes this flush
    raise StaleDataError (the revision column is the row's version counter).
    """
    created = site is None
    if site is None:
        site = Site(uuid=site_uuid, revision=0, content_hash="", surveyor_id=actor.id)
        site.status = ReviewStatus.DRAFT
    before = site_document(site) if not created else {}
    savepoint = db.session.begin_nested()
    with db.session.no_autoflush:
        notices = _derive(data, geocode)
        _apply(site, data)
    db.session.add(site)
    db.session.flush()
    after = site_document(site)
    content = canonical_content(after)
    stored = None if created else Stored(site.revision, site.content_hash)
    decision = decide(stored, hash_of(content), base_revision)
    if decision.outcome is Outcome.CONFLICT and base_revision != ANY_REVISION:
        savepoint.rollback()
        return SaveOutcome(site, Outcome.CONFLICT, [])
    if decision.outcome is Outcome.CONFLICT:
        decision = Decision(Outcome.UPDATED, site.revision + 1)
    if decision.writes:
        _new_revision(site, decision.new_revision or 1, before, after, content, actor)
        record_change(site, "revision")
        if site.status == ReviewStatus.APPROVED:  # approval was of the content before
            change_status(site, actor, ReviewStatus.SUBMITTED)
            notices.append("changed_after_approval")
    submitted = submit and _submit(site, actor)
    if submit and not submitted:
        notices.append(_why_not_submitted(site.status))
    site.photos_complete = photos_complete(site)
    if not site.photos_complete:
        recheck_after_commit([site.id])
    db.session.flush()
    savepoint.commit()
    return SaveOutcome(site, decision.outcome, notices, submitted)


def _new_revision(
    site: Site,
    revision: int,
    before: dict[str, Any],
    after: dict[str, Any],
    content: CanonicalContent,
    actor: Any,
) -> None:
    """The revision stores the canonical content, which hashes to its content_hash."""
    site.revision = revision
    site.content_hash = hash_of(content)
    site.updated_at = utcnow()
    for name, value in score_columns(
        after, current_app.extensions["rubric"], site.updated_at
    ).items():
        setattr(site, name, value)
    db.session.add(
        SiteRevision(
            site_id=site.id,
            revision=revision,
            content_hash=site.content_hash,
            document=content,
            changed_fields=changed_fields(before, after),
            actor_id=getattr(actor, "id", None),  # None: a revision pulled from upstream
        )
    )


def _derive(data: dict[str, Any], geocode: Any) -> list[str]:
    """Fill what the server can work out: town from the postal code, distances, coordinates."""
    notices: list[str] = []
    derived: dict[str, str] = {}
    if data.get("postal_code") and not data.get("address_town"):
        matches = lookup_postal_code(data["postal_code"])
        if len(matches) == 1 and matches[0].town:
            data["address_town"] = matches[0].town
            derived["address_town"] = "postal"
    if data.get("latitude") is None and geocode is not None and data.get("address_line"):
        outcome = geocode(_address(data))
        if outcome.result is not None:
            data["latitude"] = outcome.result.latitude
            data["longitude"] = outcome.result.longitude
            data["location_source"] = "geocoded"
            derived["latitude"] = derived["longitude"] = "geocoded"
            notices.append("geocoded")
        elif outcome.status == "unavailable":
            notices.append("geocoder_unavailable")
        else:
            notices.append("address_not_found")
    site_point = (data.get("latitude"), data.get("longitude"))
    for target, prefix, compute in DERIVED_DISTANCES:
        point = (data.get(f"{prefix}_latitude"), data.get(f"{prefix}_longitude"))
        if data.get(target) is None and None not in site_point and None not in point:
            data[target] = compute(site_point, point)
            derived[target] = "geodesic"
    data["derived"] = derived
    return notices


def _address(data: dict[str, Any]) -> str:
    place = municipality_names().get(data.get("municipality_code") or "", "")
    parts = [place, data.get("address_town") or "", data.get("address_line") or ""]
    return " ".join(p for p in parts if p)


def _apply(site: Site, data: dict[str, Any]) -> None:
    for name in scalar_field_names():
        if name in data:
            setattr(site, name, data[name])
    for name in LIST_FIELDS:
        setattr(site, name, list(data.get(name) or []))
    site.derived = data.get("derived", {})
    site.prefecture_code = site.municipality_code[:2]
    _apply_measurements(site, data.get("measurements", []))
    _apply_coverage(site, data.get("coverage", []))
    if "photos" in data:
        _apply_photos(site, data["photos"])


def _apply_measurements(site: Site, runs: list[dict[str, Any]]) -> None:
    existing = {m.uuid: m for m in site.measurements}
    kept: list[SpeedMeasurement] = []
    for run in runs:
        row = existing.get(run.get("uuid") or "")
        values = run_values(run, row.measured_at if row is not None else None)
        if row is None:
            row = SpeedMeasurement()
        _set(row, values)
        kept.append(row)
    site.measurements = kept


def _apply_coverage(site: Site, rows: list[dict[str, Any]]) -> None:
    existing = {c.carrier: c for c in site.coverage}
    kept: list[MobileCoverage] = []
    for values in coverage_values(rows):
        row = existing.get(values["carrier"]) or MobileCoverage()
        _set(row, values)
        kept.append(row)
    site.coverage = kept


def _apply_photos(site: Site, photos: list[dict[str, Any]]) -> None:
    existing = {p.sha256: p for p in site.photos}
    kept: list[SitePhoto] = []
    for values in photo_values(photos):
        row = existing.get(values["sha256"]) or SitePhoto()
        _set(row, values)
        kept.append(row)
    site.photos = kept


def _set(row: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(row, name, value)


def photos_complete(site: Site) -> bool:
    wanted = {p.sha256 for p in site.photos}
    if not wanted:
        return True
    held = set(db.session.scalars(select(Photo.sha256).where(Photo.sha256.in_(wanted))))
    return wanted <= held


def record_change(site: Site, kind: str, comment: str = "") -> None:
    """Append to the changes feed that devices and stations pull."""
    feed_entries_added()
    db.session.add(
        SiteChange(
            site_id=site.id,
            municipality_code=site.municipality_code,
            kind=kind,
            revision=site.revision,
            status=site.status,
            comment=comment,
        )
    )


def _submit(site: Site, actor: Any) -> bool:
    """Draft or needs-revision -> submitted, recorded as a review event."""
    if site.status not in (ReviewStatus.DRAFT, ReviewStatus.NEEDS_REVISION):
        return False
    change_status(site, actor, ReviewStatus.SUBMITTED)
    return True


def change_status(site: Site, actor: Any, status: str, comment: str = "") -> None:
    """Move a survey to another review state: its review event and its changes-feed entry."""
    db.session.add(
        ReviewEvent(
            site_id=site.id,
            actor_id=actor.id,
            from_status=site.status,
            to_status=status,
            comment=comment,
        )
    )
    site.status = status
    if status == ReviewStatus.SUBMITTED:
        site.submitted_at = utcnow()
    record_change(site, "status", comment)


def _why_not_submitted(status: str) -> str:
    """The notice for a submit that did not change the state."""
    if status == ReviewStatus.REJECTED:
        return "rejected_needs_reopen"
    return "already_in_review"  # submitted, in review (approved re-enters review on a change)
