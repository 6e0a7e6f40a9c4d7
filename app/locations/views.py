"""JSON helpers for the survey form: postal code lookup and address geocoding."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_login import login_required

from app.extensions import db
from app.reference.postal import lookup_postal_code, normalize_postal_code
from app.regions.service import municipality_names
from app.surveys.access import current_scope

bp = Blueprint("locations", __name__, url_prefix="/geo")


@bp.get("/postal/<code>")
@login_required
def postal(code: str) -> Any:
    """Postal code -> prefecture, municipality and town, from the offline Japan Post data;
    `in_scope` tells whether the user may record a site there (the form does not switch to a
    municipality the save would refuse)."""
    if normalize_postal_code(code) is None:
        return jsonify(error="invalid_postal_code", message="Enter 7 digits, e.g. 649-2211."), 400
    names = municipality_names()
    scope = current_scope()
    matches = [
        {
            "postal_code": m.postal_code,
            "prefecture": m.prefecture,
            "municipality_code": m.municipality_code,
            "municipality": names.get(m.municipality_code, m.municipality),
            "town": m.town,
            "in_scope": scope.can_edit(m.municipality_code),
        }
        for m in lookup_postal_code(code)
    ]
    if not matches:
        return jsonify(error="not_found", message="No such postal code."), 404
    return jsonify(matches=matches)


@bp.post("/geocode")
@login_required
def geocode() -> Any:
    """Address -> coordinates through the configured geocoder; a failure is an answer, not a 500."""
    payload = request.get_json(silent=True) or {}
    address = str(payload.get("address", ""))[:300]
    outcome = current_app.extensions["geocoder"].geocode(address)
    db.session.commit()  # keep what the cache learned
    body: dict[str, Any] = {"status": outcome.status, "message": outcome.message}
    if outcome.result is not None:
        body |= {
            "latitude": outcome.result.latitude,
            "longitude": outcome.result.longitude,
            "display_name": outcome.result.display_name,
        }
    status = {"ok": 200, "not_found": 404, "invalid": 400}.get(outcome.status, 503)
    return jsonify(body), status
