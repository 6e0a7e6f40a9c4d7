"""A site's document and the row values behind it: one definition for every way of storing.

`save_survey` sets these values on ORM objects; `bulk.create_sites` inserts them as rows. Both
build the document (and so its content hash) with `build_document` from the same values.
"""

from __future__ import annotations

import uuid as uuidlib
from datetime import UTC, datetime
from typing import Any

from app.surveys.models import Site
from app.timeutil import iso_utc, utcnow
from forms.document import LIST_FIELDS, scalar_field_names
from forms.validators import parse_timestamp

MEASUREMENT_FIELDS = (
    "method",
    "server",
    "download_mbps",
    "upload_mbps",
    "latency_ms",
    "jitter_ms",
    "loss_pct",
    "where_on_site",
    "tool_version",
    "bytes_moved",
    "duration_s",
)
COVERAGE_FIELDS = ("technology", "rsrp_dbm", "signal_bars", "placement")


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def run_values(run: dict[str, Any], known_measured_at: datetime | None = None) -> dict[str, Any]:
    """A speed run's stored values; a run without a time keeps its known one, or gets now."""
    moment = parse_timestamp(run["measured_at"]) if run.get("measured_at") else None
    # stored as UTC: SQLite keeps the wall-clock digits and drops the offset
    measured_at = moment.astimezone(UTC) if moment else (known_measured_at or utcnow())
    values = {"uuid": run.get("uuid") or new_uuid(), "measured_at": measured_at}
    values |= {name: run.get(name) for name in MEASUREMENT_FIELDS}
    values["method"] = values["method"] or "manual"
    return values


def coverage_values(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Carrier rows with anything recorded, in order (an empty 0 or '' is not a record)."""
    return [
        {"carrier": item["carrier"], "position": position}
        | {name: item.get(name) or None for name in COVERAGE_FIELDS}
        for position, item in enumerate(rows)
        if not all(item.get(name) in (None, "") for name in COVERAGE_FIELDS)
    ]


def photo_values(photos: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Photo references in order, each hash once."""
    kept: dict[str, dict[str, Any]] = {}
    for position, ref in enumerate(photos):
        if ref["sha256"] not in kept:
            kept[ref["sha256"]] = {
                "sha256": ref["sha256"],
                "caption": ref.get("caption") or "",
                "position": position,
            }
    return list(kept.values())


def build_document(
    site_uuid: str,
    scalars: dict[str, Any],
    lists: dict[str, Any],
    runs: list[dict[str, Any]],
    coverage: list[dict[str, Any]],
    photos: list[dict[str, Any]],
) -> dict[str, Any]:
    """The document the sync API and the content hash use, from stored values."""
    doc: dict[str, Any] = {"uuid": site_uuid}
    for name, value in scalars.items():
        doc[name] = value.isoformat() if hasattr(value, "isoformat") else value
    for name, value in lists.items():
        doc[name] = sorted(value or [])
    doc["measurements"] = [
        {"uuid": r["uuid"], "measured_at": iso_utc(r["measured_at"])}
        | {name: r[name] for name in MEASUREMENT_FIELDS}
        for r in runs
    ]
    doc["coverage"] = [
        {"carrier": c["carrier"]} | {name: c[name] for name in COVERAGE_FIELDS} for c in coverage
    ]
    doc["photos"] = [{"sha256": p["sha256"], "caption": p["caption"]} for p in photos]
    return doc


def site_document(site: Site) -> dict[str, Any]:
    """The site as a plain document: the same field names the form and the sync API use."""
    return build_document(
        site.uuid,
        {name: getattr(site, name) for name in scalar_field_names()},
        {name: getattr(site, name) for name in LIST_FIELDS},
        [_attributes(m, ("uuid", "measured_at", *MEASUREMENT_FIELDS)) for m in site.measurements],
        [_attributes(c, ("carrier", *COVERAGE_FIELDS)) for c in site.coverage],
        [_attributes(p, ("sha256", "caption")) for p in site.photos],
    )


def _attributes(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}
