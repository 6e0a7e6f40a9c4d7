"""A revision's values as a person reads them in the audit trail: labels for codes, はい/いいえ,
units, Japan time for speed runs; each value as lines of text (the template escapes them).
Stored revisions are read as they are: a value of an unexpected type is shown as text."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flask import g
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from app.templating import carrier_label, format_day, num
from app.timeutil import to_jst
from forms.catalog import AMENITIES
from forms.fields import YesNoField
from forms.labels import METHOD_LABELS, PLACEMENT_LABELS, TECH_LABELS
from forms.survey import SurveyFields

NESTED_LABELS = {
    "measurements": lambda: _("Speed runs"),
    "coverage": lambda: _("Mobile coverage"),
    "photos": lambda: _("Photos"),
    "amenities": lambda: _("Amenities"),
}


def _fields() -> SurveyFields:
    """The survey's fields (labels, choices, units), built once a request."""
    if "history_fields" not in g:
        g.history_fields = SurveyFields(meta={"csrf": False})
    fields: SurveyFields = g.history_fields
    return fields


def field_labels() -> dict[str, str]:
    """Every document field's label in the user's language."""
    labels = {field.name: str(field.label.text) for field in _fields()}
    return labels | {name: label() for name, label in NESTED_LABELS.items()}


def shown_lines(name: str, value: Any) -> list[str]:
    """One field's value as lines of text; [] for a blank value."""
    if value is None or value == "" or value == []:
        return []
    if name in NESTED_LABELS and not isinstance(value, list):
        return [str(value)]
    if name == "measurements":
        return [_run(run) if isinstance(run, Mapping) else str(run) for run in value]
    if name == "coverage":
        return [_coverage(row) if isinstance(row, Mapping) else str(row) for row in value]
    if name == "photos":
        return _photos(value)
    if name == "amenities":
        labels = {a.code: a.label(str(get_locale())) for a in AMENITIES}
        return ["、".join(_label(labels, code) for code in value)]
    return [_scalar(name, value)]


def _label(table: Mapping[str, Any], code: Any) -> str:
    """A code's label; anything else (an odd stored value) as text."""
    return str(table.get(code, code)) if isinstance(code, str) else str(code)


def _scalar(name: str, value: Any) -> str:
    field = _fields()._fields.get(name)
    if isinstance(value, bool) or isinstance(field, YesNoField):
        yes = value is True or value == "yes"
        return _("Yes") if yes else _("No")
    if field is not None and field.type in ("SelectField", "SelectMultipleField"):
        labels = {code: str(text) for code, text in field.choices}
        values = value if isinstance(value, list) else [value]
        return "、".join(_label(labels, v) for v in values)
    if isinstance(value, str) and _is_day(value):
        return format_day(date.fromisoformat(value))
    if isinstance(value, float) and field is not None and field.description == "°":
        return f"{value:.6f}°"
    unit = f" {field.description}" if field is not None and field.description else ""
    return f"{num(value)}{unit}" if isinstance(value, int | float) else str(value)


def _is_day(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _run(run: Mapping[str, Any]) -> str:
    parts = [_when(run.get("measured_at"))]
    for key, label, unit in (
        ("download_mbps", _("Download"), "Mbps"),
        ("upload_mbps", _("Upload"), "Mbps"),
        ("latency_ms", _("Latency"), "ms"),
        ("jitter_ms", _("Jitter"), "ms"),
        ("loss_pct", _("Packet loss"), "%"),
    ):
        if run.get(key) is not None:
            parts.append(f"{label} {num(run[key])} {unit}")
    if run.get("method"):
        parts.append(_label(METHOD_LABELS, run["method"]))
    return " · ".join(p for p in parts if p)


def _when(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return to_jst(moment).strftime("%Y-%m-%d %H:%M")


def _coverage(row: Mapping[str, Any]) -> str:
    carrier = row.get("carrier")
    parts = [carrier_label(carrier) if isinstance(carrier, str) else str(carrier or "")]
    if row.get("technology"):
        parts.append(_label(TECH_LABELS, row["technology"]))
    if row.get("rsrp_dbm") is not None:
        parts.append(f"{num(row['rsrp_dbm'])} dBm")
    if row.get("signal_bars") is not None:
        parts.append(f"{num(row['signal_bars'])} {_('bars')}")
    if row.get("placement"):
        parts.append(_label(PLACEMENT_LABELS, row["placement"]))
    return " ".join(p for p in parts if p)


def _photos(photos: list[Any]) -> list[str]:
    captions = [str(p.get("caption") or "") for p in photos if isinstance(p, Mapping)]
    count = ngettext("%(num)s photo", "%(num)s photos", len(photos))
    return [count, *(c for c in captions if c)]
