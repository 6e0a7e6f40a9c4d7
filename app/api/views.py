"""/api/v1: sites, batch push, changes feed, photos."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from app.accounts.scope import Scope
from app.api.errors import ApiError, handle_api_error, json_error
from app.api.openapi import openapi_document
from app.api.photos import receive_photo
from app.api.push import push_documents
from app.api.sites import apply_document, public_document, write_refusal
from app.extensions import csrf, db
from app.surveys.models import Site, SiteChange
from app.timeutil import iso_utc
from forms.validators import is_uuid
from sync.protocol import MAX_BATCH, ItemResult, Outcome, etag, parse_etag

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
bp.register_error_handler(ApiError, handle_api_error)
CHANGES_PAGE = 500
WRITE_METHODS = {"PUT", "POST", "DELETE", "PATCH"}


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(openapi_document())


@bp.before_request
def authenticate() -> Any:
    """Bearer token or browser session; a session must also prove it is not a forged request."""
    if request.endpoint == "api.openapi":
        return None
    if not current_user.is_authenticated:
        return json_error(401, "unauthorized", "Sign in or send Authorization: Bearer <token>.")
    if request.method in WRITE_METHODS and not g.get("authenticated_by_token"):
        csrf.protect()
    return None


def _json_body() -> Any:
    limit = current_app.config["API_MAX_DOCUMENT_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "too_large", f"At most {limit} bytes per request.")
    data = request.get_data(cache=False)
    if len(data) > limit:
        raise ApiError(413, "too_large", f"At most {limit} bytes per request.")
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "malformed_json", f"The body is not valid JSON: {exc}") from None


def _result_response(result: ItemResult) -> Any:
    if result.status is Outcome.INVALID:
        return jsonify(errors=result.errors), 422
    if result.status is Outcome.CONFLICT:
        body = {"error": "conflict", "message": "The site changed since your base revision."}
        response = jsonify(body | {"current": result.current, "revision": result.revision})
        response.headers["ETag"] = etag(result.revision or 0)
        return response, 409
    response = jsonify(uuid=result.uuid, revision=result.revision)
    response.headers["ETag"] = etag(result.revision or 0)
    return response, result.status.http_status


@bp.put("/sites/<site_uuid>")
def put_site(site_uuid: str) -> Any:
    try:
        base = parse_etag(request.headers.get("If-Match"))
    except ValueError as exc:
        raise ApiError(400, "bad_if_match", str(exc)) from None
    doc = _json_body()
    refusal = write_refusal(doc, site_uuid)
    if refusal is not None:
        raise ApiError(403, "forbidden", refusal)
    result = apply_document(doc, site_uuid, base)
    db.session.commit()
    return _result_response(result)


@bp.get("/sites/<site_uuid>")
def get_site(site_uuid: str) -> Any:
    if not is_uuid(site_uuid):
        raise ApiError(404, "not_found", "No such site.")
    site = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
    if site is None:
        raise ApiError(404, "not_found", "No such site.")
    if not Scope.of(current_user).can_view(site.municipality_code):
        raise ApiError(403, "forbidden", "This site belongs to a municipality outside your scope.")
    response = jsonify(public_document(site))
    response.headers["ETag"] = etag(site.revision)
    return response


@bp.post("/sync/push")
def push() -> Any:
    body = _json_body()
    sites = body.get("sites") if isinstance(body, dict) else None
    if not isinstance(sites, list):
        raise ApiError(422, "invalid", 'Expected {"sites": [document, ...]}.')
    if len(sites) > MAX_BATCH:
        raise ApiError(413, "batch_too_large", f"At most {MAX_BATCH} sites per push.")
    if not Scope.of(current_user).can_create:  # the contract's 403 for a wrong role
        raise ApiError(403, "forbidden", "Your role cannot record or change sites.")
    results = push_documents(sites)
    db.session.commit()
    return jsonify(results=[r.as_json() for r in results])


@bp.get("/sync/changes")
def changes() -> Any:
    try:
        since = int(request.args.get("since", "0") or 0)
    except ValueError:
        since = -1
    if not 0 <= since < 2**63:
        raise ApiError(400, "bad_cursor", "since must be a cursor returned by this feed.")
    scope = Scope.of(current_user)
    stmt = select(SiteChange, Site.uuid, Site.score, Site.tier).join(Site)
    stmt = stmt.where(SiteChange.seq > since)  # numbered in commit order (feed_order.py)
    stmt = scope.filter(stmt, SiteChange.municipality_code)
    rows = db.session.execute(stmt.order_by(SiteChange.seq).limit(CHANGES_PAGE)).all()
    items = [
        {
            "cursor": change.seq,
            "uuid": site_uuid,
            "kind": change.kind,
            "revision": change.revision,
            "status": change.status,
            "comment": change.comment,
            "changed_at": iso_utc(change.created_at),
            "score": score,  # the site's current readiness score and tier
            "tier": tier,
        }
        for change, site_uuid, score, tier in rows
    ]
    next_cursor = items[-1]["cursor"] if items else since
    return jsonify(changes=items, next=next_cursor, more=len(items) == CHANGES_PAGE)


@bp.route("/photos/<sha256>", methods=["PUT", "HEAD"])
def photo(sha256: str) -> Any:
    return receive_photo(sha256)
