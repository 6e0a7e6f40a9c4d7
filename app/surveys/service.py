"""Store a survey: apply validated data to a site, keep revisions, derive what can be derived."""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.geo.distance import distance_km, distance_m
from app.photos.models import Photo
from app.reference.postal import lookup_postal_code
from app.regions.service import municipality_names
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
from app.timeutil import utcnow
from forms.document import LIST_FIELDS, scalar_field_names
from forms.validators import parse_timestamp
from sync.canonical import changed_fields, content_hash
from sync.protocol import Decision, Outcome, Stored, decide

MEASUREMENT_FIELDS = (
    "method",
    "server",
    "download_mbps",
    "upload_mbps",
    "latency_ms",
    "jitter_ms",
    "loss_pct",
    "where_on_site",
)
COVERAGE_FIELDS = ("technology", "rsrp_dbm", "signal_bars", "placement")
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

    @property
    def created(self) -> bool:
        return self.outcome is Outcome.CREATED


def site_document(site: Site) -> dict[str, Any]:
    """The site as a plain document: the same field names the form and the sync API use."""
    doc: dict[str, Any] = {"uuid": site.uuid}
    for name in scalar_field_names():
        value = getattr(site, name)
        doc[name] = value.isoformat() if hasattr(value, "isoformat") else value
    for name in LIST_FIELDS:
        doc[name] = sorted(getattr(site, name) or [])
    doc["measurements"] = [
        {"uuid": m.uuid, "measured_at": _iso(m.measured_at)}
        | {f: getattr(m, f) for f in MEASUREMENT_FIELDS}
        for m in site.measurements
    ]
    doc["coverage"] = [
        {"carrier": c.carrier} | {f: getattr(c, f) for f in COVERAGE_FIELDS} for c in site.coverage
    ]
    doc["photos"] = [{"sha256": p.sha256, "caption": p.caption} for p in site.photos]
    return doc


def form_data(site: Site) -> dict[str, Any]:
    """The document with Python values (dates as dates), as WTForms wants them."""
    return site_document(site) | {"surveyed_on": site.surveyed_on}


def _iso(value: datetime) -> str:
    """UTC ISO 8601; SQLite hands back naive values, which are UTC."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def new_uuid() -> str:
    return str(uuidlib.uuid4())


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
    stored = None if created else Stored(site.revision, site.content_hash)
    decision = decide(stored, content_hash(after), base_revision)
    if decision.outcome is Outcome.CONFLICT and base_revision != ANY_REVISION:
        savepoint.rollback()
        return SaveOutcome(site, Outcome.CONFLICT, [])
    if decision.outcome is Outcome.CONFLICT:
        decision = Decision(Outcome.UPDATED, site.revision + 1)
    if decision.writes:
        _new_revision(site, decision.new_revision or 1, before, after, actor)
        record_change(site, "revision")
    if submit and _submit(site, actor):
        record_change(site, "status")
    site.photos_complete = photos_complete(site)
    db.session.flush()
    savepoint.commit()
    return SaveOutcome(site, decision.outcome, notices)


def _new_revision(
    site: Site, revision: int, before: dict[str, Any], after: dict[str, Any], actor: Any
) -> None:
    site.revision = revision
    site.content_hash = content_hash(after)
    site.updated_at = utcnow()
    db.session.add(
        SiteRevision(
            site_id=site.id,
            revision=revision,
            content_hash=site.content_hash,
            document=after,
            changed_fields=changed_fields(before, after),
            actor_id=actor.id,
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
        if row is None:
            row = SpeedMeasurement(uuid=run.get("uuid") or new_uuid(), measured_at=utcnow())
        if run.get("measured_at"):
            moment = parse_timestamp(run["measured_at"])
            # stored as UTC: SQLite keeps the wall-clock digits and drops the offset
            row.measured_at = moment.astimezone(UTC) if moment else row.measured_at
        for name in MEASUREMENT_FIELDS:
            setattr(row, name, run.get(name))
        row.method = row.method or "manual"
        kept.append(row)
    site.measurements = kept


def _apply_coverage(site: Site, rows: list[dict[str, Any]]) -> None:
    existing = {c.carrier: c for c in site.coverage}
    kept: list[MobileCoverage] = []
    for position, item in enumerate(rows):
        if all(item.get(name) in (None, "") for name in COVERAGE_FIELDS):
            continue
        row = existing.get(item["carrier"]) or MobileCoverage(carrier=item["carrier"])
        row.position = position
        for name in COVERAGE_FIELDS:
            setattr(row, name, item.get(name) or None)
        kept.append(row)
    site.coverage = kept


def _apply_photos(site: Site, photos: list[dict[str, Any]]) -> None:
    existing = {p.sha256: p for p in site.photos}
    kept: list[SitePhoto] = []
    for position, ref in enumerate(photos):
        if ref["sha256"] in {k.sha256 for k in kept}:
            continue
        row = existing.get(ref["sha256"]) or SitePhoto(sha256=ref["sha256"])
        row.caption = ref.get("caption") or ""
        row.position = position
        kept.append(row)
    site.photos = kept


def photos_complete(site: Site) -> bool:
    wanted = {p.sha256 for p in site.photos}
    if not wanted:
        return True
    held = set(db.session.scalars(select(Photo.sha256).where(Photo.sha256.in_(wanted))))
    return wanted <= held


def record_change(site: Site, kind: str, comment: str = "") -> None:
    """Append to the changes feed that devices and stations pull."""
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
    db.session.add(
        ReviewEvent(
            site_id=site.id,
            actor_id=actor.id,
            from_status=site.status,
            to_status=ReviewStatus.SUBMITTED,
        )
    )
    site.status = ReviewStatus.SUBMITTED
    site.submitted_at = utcnow()
    return True
