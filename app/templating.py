"""Labels and formatting shared by the templates (Japanese and English through the catalogs)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import current_app, g, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from forms.catalog import CARRIER_LABELS_EN, CARRIER_LABELS_JA
from forms.fields import YesNoField
from forms.labels import METHOD_LABELS, PLACEMENT_LABELS, TECH_LABELS
from forms.review import ACTION_LABELS

ROLE_LABELS = {
    "surveyor": _l("Surveyor"),
    "reviewer": _l("Reviewer"),
    "admin": _l("Administrator"),
    "viewer": _l("Viewer"),
}
STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "in_review": _l("In review"),
    "approved": _l("Approved"),
    "needs_revision": _l("Needs revision"),
    "rejected": _l("Rejected"),
}
DERIVED_LABELS = {
    "geodesic": _l("computed from coordinates"),
    "geocoded": _l("from the address"),
    "postal": _l("from the postal code"),
}


TIER_LABELS = {
    "ready": _l("Ready"),
    "nearly": _l("Nearly ready"),
    "invest": _l("Needs investment"),
    "insufficient": _l("Insufficient data"),
}
GATE_STATUS_LABELS = {"pass": _l("Pass"), "fail": _l("Fail"), "unknown": _l("Lacks data")}


def _lookup(table: dict[str, Any], value: str | None) -> str:
    return "" if value is None else str(table.get(value, value))


def status_label(value: str | None) -> str:
    return _lookup(STATUS_LABELS, value)


def num(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}" if not value.is_integer() else f"{int(value):,}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def format_day(value: date | None) -> str:
    if value is None:
        return ""
    if str(get_locale()) == "ja":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()


def carrier_label(code: str | None) -> str:
    table = CARRIER_LABELS_JA if str(get_locale()) == "ja" else CARRIER_LABELS_EN
    return _lookup(table, code)


def display_value(field: Any) -> str:
    """A field's value as a person reads it: choice labels, yes/no, numbers with units."""
    data = field.data
    if isinstance(field, YesNoField):
        return {"yes": str(_l("Yes")), "no": str(_l("No"))}.get(data or "", "")
    if data in (None, "", []):
        return ""
    if field.type in ("SelectField", "SelectMultipleField"):
        labels = {value: str(text) for value, text in field.choices}
        values = data if isinstance(data, list) else [data]
        return "、".join(labels.get(v, v) for v in values)
    if isinstance(data, date):
        return format_day(data)
    if field.description == "°":  # coordinates keep their precision (about 0.1 m)
        return f"{data:.6f}°"
    unit = f" {field.description}" if field.description else ""
    return f"{num(data)}{unit}"


def language_return() -> str:
    """Where switching the language leads: back to this page. A page shown by a POST (a form
    with errors) is asked for again by GET where its address has one (a survey form restores
    the unsaved input from its draft); otherwise the list."""
    if request.method == "GET":
        return request.full_path
    try:
        current_app.url_map.bind("").match(request.path, method="GET")
    except RequestRedirect:
        return request.path
    except HTTPException:
        return url_for("surveys.index")
    extra = g.get("language_return_args")  # e.g. the photos a survey form holds
    return f"{request.path}?{urlencode(extra)}" if extra else request.path


def template_helpers() -> dict[str, Any]:
    return {
        "current_locale": str(get_locale()),
        "language_return": language_return,
        "role_label": lambda v: _lookup(ROLE_LABELS, v),
        "status_label": status_label,
        "tier_label": lambda v: _lookup(TIER_LABELS, v),
        "gate_label": lambda v: _lookup(GATE_STATUS_LABELS, v),
        "action_label": lambda v: _lookup(ACTION_LABELS, v),
        "tech_label": lambda v: _lookup(TECH_LABELS, v),
        "placement_label": lambda v: _lookup(PLACEMENT_LABELS, v),
        "method_label": lambda v: _lookup(METHOD_LABELS, v),
        "derived_label": lambda v: _lookup(DERIVED_LABELS, v),
        "carrier_label": carrier_label,
        "display_value": display_value,
        "num": num,
        "format_day": format_day,
    }
