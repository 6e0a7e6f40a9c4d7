"""POST /api/v1/sync/push: new sites in bulk, everything else one by one."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask_login import current_user
from sqlalchemy import select

from app.api.sites import apply_document
from app.extensions import db
from app.surveys.access import municipality_problem
from app.surveys.bulk import create_sites
from app.surveys.models import ReviewStatus, Site
from forms.compiled import fast_validate
from forms.validators import is_uuid
from sync.protocol import ItemResult, Outcome, base_revision_of


def push_documents(docs: list[Any]) -> list[ItemResult]:
    """Apply a batch in order; the caller commits.

    Documents for sites that do not exist yet, and that pass the compiled fast validator, are
    created together (`create_sites`); the rest (updates, replays, duplicates within the batch,
    anything the fast path is unsure of) go through `apply_document`, as does the whole batch
    when another request created one of its sites first.
    """
    fresh = _new_site_candidates(docs)
    created: set[int] = set()
    if fresh and create_sites([(u, data) for _, u, data in fresh], current_user.id):
        created = {index for index, _, _ in fresh}
    return [
        ItemResult(str(doc["uuid"]), Outcome.CREATED, 1) if index in created else _push_one(doc)
        for index, doc in enumerate(docs)
    ]


def _new_site_candidates(docs: list[Any]) -> list[tuple[int, str, dict[str, Any]]]:
    """(position, uuid, cleaned data) of the documents that can be created in bulk."""
    check_municipality = cache(municipality_problem)
    candidates: dict[str, tuple[int, str, dict[str, Any]]] = {}
    for index, doc in enumerate(docs):
        site_uuid = doc.get("uuid") if isinstance(doc, dict) else None
        if not isinstance(site_uuid, str) or not is_uuid(site_uuid) or site_uuid in candidates:
            continue
        if asks_for_review(doc):  # created one by one, with its review event
            continue
        try:
            base_revision_of(doc)
        except ValueError:
            continue
        data = fast_validate(doc, check_municipality)
        if data is not None:
            candidates[site_uuid] = (index, site_uuid, data)
    if candidates:
        existing = db.session.scalars(select(Site.uuid).where(Site.uuid.in_(candidates)))
        for site_uuid in existing:
            del candidates[site_uuid]
    return list(candidates.values())


def asks_for_review(doc: Any) -> bool:
    """A document sent with "status": "submitted" asks for review (README, Sync)."""
    return isinstance(doc, dict) and doc.get("status") == ReviewStatus.SUBMITTED


def _push_one(doc: Any) -> ItemResult:
    site_uuid = str(doc.get("uuid", "")) if isinstance(doc, dict) else ""
    if not isinstance(doc, dict):
        return ItemResult("", Outcome.INVALID, errors={"": ["Expected a JSON object."]})
    try:
        base = base_revision_of(doc)
    except ValueError as exc:
        return ItemResult(site_uuid, Outcome.INVALID, errors={"revision": [str(exc)]})
    return apply_document(doc, site_uuid, base)
