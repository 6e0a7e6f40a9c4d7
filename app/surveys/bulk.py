"""Create many new sites at once: the values and documents of save_survey, one INSERT per table.

A push from a station is mostly new sites. Building them through the ORM's unit of work, one
savepoint each, costs ~10 ms a site. Here the values come from the same functions `save_survey`
uses (`_derive`, `run_values`, `coverage_values`, `photo_values`) and the document, so the content
hash, from the same `build_document`; the rows go to the database as one executemany per table.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.photos.models import Photo
from app.review.scores import score_columns
from app.surveys.documents import build_document, coverage_values, photo_values, run_values
from app.surveys.feed_order import feed_entries_added
from app.surveys.models import (
    MobileCoverage,
    ReviewStatus,
    Site,
    SiteChange,
    SitePhoto,
    SiteRevision,
    SpeedMeasurement,
)
from app.surveys.photo_checks import recheck_after_commit
from app.surveys.service import _derive
from app.timeutil import utcnow
from forms.document import LIST_FIELDS, scalar_field_names
from sync.canonical import CanonicalContent, canonical_content, changed_fields, hash_of

CHILDREN = (
    ("measurements", SpeedMeasurement),
    ("coverage", MobileCoverage),
    ("photos", SitePhoto),
)


@dataclass
class NewSite:
    values: dict[str, Any]
    children: dict[str, list[dict[str, Any]]]
    content: CanonicalContent  # what the revision stores (and the hash covers)

    @property
    def uuid(self) -> str:
        return str(self.values["uuid"])


def create_sites(items: list[tuple[str, dict[str, Any]]], actor_id: int) -> bool:
    """Insert sites known not to exist (uuid, validated data); the caller commits.

    Returns False, having stored nothing, when another request created one of them first:
    the caller then takes the one-by-one path, which recognises replays and conflicts.
    Each site is built as its row is sent: the database stores the first rows while the
    next are being built.
    """
    now = utcnow()
    held = _held_photos(items)
    new_sites: list[NewSite] = []

    def site_rows() -> Iterator[dict[str, Any]]:
        for site_uuid, data in items:
            new = _build(site_uuid, data, actor_id, now)
            new.values["photos_complete"] = {p["sha256"] for p in new.children["photos"]} <= held
            new_sites.append(new)
            yield new.values

    try:
        with db.session.begin_nested():
            _execute(Site.__table__, site_rows())  # type: ignore[arg-type]
            _insert_children(new_sites, actor_id, now)
    except IntegrityError:
        return False
    return True


def _build(site_uuid: str, data: dict[str, Any], actor_id: int, now: datetime) -> NewSite:
    _derive(data, None)
    scalars = {name: data.get(name) for name in scalar_field_names()}
    lists = {name: list(data.get(name) or []) for name in LIST_FIELDS}
    children = {
        "measurements": [run_values(run) for run in data.get("measurements", [])],
        "coverage": coverage_values(data.get("coverage", [])),
        "photos": photo_values(data.get("photos", [])),
    }
    document = build_document(site_uuid, scalars, lists, *children.values())
    content = canonical_content(document)
    values = (
        scalars
        | lists
        | {
            "uuid": site_uuid,
            "revision": 1,
            "content_hash": hash_of(content),
            "status": ReviewStatus.DRAFT,
            "surveyor_id": actor_id,
            "prefecture_code": data["municipality_code"][:2],
            "derived": data.get("derived", {}),
            "is_demo": False,
            "created_at": now,
            "updated_at": now,
            "submitted_at": None,
        }
    )
    values |= score_columns(document, current_app.extensions["rubric"], now)
    return NewSite(values, children, content)


def _held_photos(items: list[tuple[str, dict[str, Any]]]) -> set[str]:
    """Which of the photos these sites name the server holds already."""
    wanted = {p["sha256"] for _, data in items for p in data.get("photos", [])}
    if not wanted:
        return set()
    return set(db.session.scalars(select(Photo.sha256).where(Photo.sha256.in_(wanted))))


def _insert_children(new_sites: list[NewSite], actor_id: int, now: datetime) -> None:
    """After the sites' rows: their ids (one SELECT: INSERT ... RETURNING of a hundred
    90-column rows is one huge statement that the driver re-parses every batch), then the
    rows that name them."""
    query = select(Site.uuid, Site.id).where(Site.uuid.in_([n.uuid for n in new_sites]))
    ids = {site_uuid: site_id for site_uuid, site_id in db.session.execute(query)}
    for new in new_sites:
        new.values["id"] = ids[new.uuid]
    recheck_after_commit(n.values["id"] for n in new_sites if not n.values["photos_complete"])
    for attribute, model in CHILDREN:
        rows = [
            child | {"site_id": new.values["id"]}
            for new in new_sites
            for child in new.children[attribute]
        ]
        _execute(model.__table__, rows)  # type: ignore[attr-defined]
    _execute(SiteRevision.__table__, _revision_rows(new_sites, actor_id, now))  # type: ignore[arg-type]
    _execute(SiteChange.__table__, _change_rows(new_sites, now))  # type: ignore[arg-type]
    feed_entries_added()


def _execute(table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Every row gets every column (unset ones: the scalar default or NULL)."""
    writer = current_app.extensions["row_writer"]
    writer.write(table, (_complete(row, table) for row in rows))


def _revision_rows(
    new_sites: Iterable[NewSite], actor_id: int, now: datetime
) -> list[dict[str, Any]]:
    return [
        {
            "site_id": n.values["id"],
            "revision": 1,
            "content_hash": n.values["content_hash"],
            "document": n.content,
            "changed_fields": changed_fields({}, n.content),
            "actor_id": actor_id,
            "created_at": now,
        }
        for n in new_sites
    ]


def _change_rows(new_sites: Iterable[NewSite], now: datetime) -> list[dict[str, Any]]:
    """The changes feed entries record_change would add."""
    return [
        {
            "site_id": n.values["id"],
            "municipality_code": n.values["municipality_code"],
            "kind": "revision",
            "revision": 1,
            "status": n.values["status"],
            "comment": "",
            "created_at": now,
        }
        for n in new_sites
    ]


def _complete(row: dict[str, Any], table: Table) -> dict[str, Any]:
    defaults, computed = _column_defaults(table)
    missing = computed.difference(row)
    if missing:
        raise ValueError(f"set {table.name}.{', '.join(sorted(missing))}: default is computed")
    return defaults | row


@cache
def _column_defaults(table: Table) -> tuple[dict[str, Any], frozenset[str]]:
    """Each non-key column's scalar default (or None), and the columns whose default is
    computed (which every row must set)."""
    defaults: dict[str, Any] = {}
    computed: set[str] = set()
    for column in table.columns:
        if column.primary_key:
            continue
        if column.default is not None and not column.default.is_scalar:
            computed.add(column.key)
        else:
            defaults[column.key] = column.default.arg if column.default is not None else None  # type: ignore[attr-defined]
    return defaults, frozenset(computed)
