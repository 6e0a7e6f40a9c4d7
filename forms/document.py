"""Validate a site document (JSON, from the sync API) with the same rules as the HTML form."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from werkzeug.datastructures import MultiDict

from forms.catalog import CARRIERS
from forms.fields import YesNoField
from forms.survey import MAX_RUNS, CoverageForm, MeasurementForm, SurveyFields
from forms.validators import is_sha256
from sync.canonical import SERVER_FIELDS

LIST_FIELDS = ("amenities", "transport_options")
NESTED_FIELDS = {"measurements": MeasurementForm, "coverage": CoverageForm}
NESTED_LIMITS = {"measurements": MAX_RUNS, "coverage": len(CARRIERS)}


@cache
def scalar_field_names() -> tuple[str, ...]:
    """Top-level fields of a site document that hold one value (the form is built once)."""
    form = SurveyFields(meta={"csrf": False})
    skip = set(LIST_FIELDS) | set(NESTED_FIELDS)
    return tuple(f.name for f in form if f.name not in skip)


_local = threading.local()


def _reusable_form() -> SurveyFields:
    """One bound form per thread, re-processed for every document."""
    form: SurveyFields | None = getattr(_local, "form", None)
    if form is None:
        form = _local.form = SurveyFields(meta={"csrf": False})
    return form


@cache
def _nested_names(key: str) -> frozenset[str]:
    return frozenset(f.name for f in NESTED_FIELDS[key]())


@dataclass
class DocumentCheck:
    data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_site_document(
    doc: Any, check_municipality: Callable[[str], str | None] | None = None
) -> DocumentCheck:
    """Check a JSON site document; return cleaned data or errors keyed by field path."""
    if not isinstance(doc, dict):
        return DocumentCheck(errors={"": ["A site document must be a JSON object."]})
    check = DocumentCheck()
    envelope = {"uuid", "photos", *SERVER_FIELDS}
    known = set(scalar_field_names()) | set(LIST_FIELDS) | set(NESTED_FIELDS) | envelope
    for key in doc:
        if key not in known:
            check.errors[key] = ["Unknown field."]
    formdata, type_errors = document_to_formdata(doc)
    check.errors.update(type_errors)
    form = _reusable_form()
    form.process(formdata)  # re-binding ~140 fields per document would cost more than the rules
    form.check_municipality = check_municipality
    if not form.validate():
        check.errors.update(flatten_errors(form.errors))
    photos = doc.get("photos", [])
    check.errors.update(_photo_errors(photos))
    if not check.errors:
        check.data = cleaned_data(form)
        check.data["photos"] = [
            {"sha256": p["sha256"], "caption": str(p.get("caption") or "")} for p in photos
        ]
    return check


def document_to_formdata(doc: dict[str, Any]) -> tuple[MultiDict, dict[str, list[str]]]:
    """Flatten a document into the MultiDict a browser would have posted."""
    pairs: list[tuple[str, str]] = []
    errors: dict[str, list[str]] = {}
    for key, value in doc.items():
        if key in LIST_FIELDS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[key] = ["Expected a list of codes."]
                continue
            pairs.extend((key, v) for v in value)
        elif key in NESTED_FIELDS:
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                errors[key] = ["Expected a list of objects."]
                continue
            if len(value) > NESTED_LIMITS[key]:
                errors[key] = [f"At most {NESTED_LIMITS[key]} items."]
                continue
            allowed = _nested_names(key)
            for index, item in enumerate(value):
                for sub_key, sub_value in item.items():
                    path = f"{key}-{index}-{sub_key}"
                    if sub_key not in allowed:
                        errors[path] = ["Unknown field."]
                        continue
                    _add_scalar(pairs, errors, path, sub_value)
        elif key not in ("photos", "uuid", *SERVER_FIELDS):
            _add_scalar(pairs, errors, key, value)
    return MultiDict(pairs), {_path(k): v for k, v in errors.items()}


def _add_scalar(pairs: list, errors: dict, key: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        pairs.append((key, "yes" if value else "no"))
    elif isinstance(value, int | float | str):
        pairs.append((key, str(value)))
    else:
        errors[key] = ["Expected a single value."]


def _photo_errors(photos: Any) -> dict[str, list[str]]:
    if not isinstance(photos, list):
        return {"photos": ["Expected a list of photos."]}
    errors: dict[str, list[str]] = {}
    for index, photo in enumerate(photos):
        if not isinstance(photo, dict) or not is_sha256(str(photo.get("sha256", ""))):
            errors[f"photos[{index}].sha256"] = ["Expected a lowercase hex SHA-256."]
        elif len(str(photo.get("caption") or "")) > 200:
            errors[f"photos[{index}].caption"] = ["At most 200 characters."]
    return errors


def flatten_errors(errors: dict[str, Any], prefix: str = "") -> dict[str, list[str]]:
    """WTForms' nested errors -> {'measurements[0].upload_mbps': ['...']}."""
    flat: dict[str, list[str]] = {}
    for name, value in errors.items():
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(value, dict):
            flat.update(flatten_errors(value, path))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    flat.update(flatten_errors(item, f"{path}[{index}]"))
                else:
                    flat.setdefault(path, []).append(str(item))
    return flat


def _path(form_name: str) -> str:
    """'measurements-0-upload_mbps' -> 'measurements[0].upload_mbps'."""
    parts = form_name.split("-")
    if len(parts) == 3:
        return f"{parts[0]}[{parts[1]}].{parts[2]}"
    return form_name


def cleaned_data(form: SurveyFields) -> dict[str, Any]:
    """Plain values from a validated form: yes/no as bool or None, blanks as None."""
    data: dict[str, Any] = {}
    for name in scalar_field_names():
        f = getattr(form, name)
        value = f.value if isinstance(f, YesNoField) else f.data
        data[name] = None if value == "" else value
    for name in LIST_FIELDS:
        data[name] = sorted(set(getattr(form, name).data or []))
    data["measurements"] = [
        _plain(entry.form) for entry in form.measurements if not entry.form.is_blank
    ]
    data["coverage"] = [_plain(entry.form) for entry in form.coverage if entry.form.carrier.data]
    return data


def _plain(subform: Any) -> dict[str, Any]:
    return {f.name.split("-")[-1]: (None if f.data == "" else f.data) for f in subform}
