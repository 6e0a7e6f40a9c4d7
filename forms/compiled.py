"""A strict fast path for well-formed site documents, compiled from the survey form's own fields.

WTForms costs milliseconds a document, which dominates a sync push of a hundred sites. A push
therefore tries this validator first. It reads every rule from the form classes themselves
(field type, choices, range, length, required, default, the inline `validate_<name>` methods and
the form-level checks, called on light stand-ins for bound fields) and applies them to plain
JSON values. It accepts only what it is sure of and then returns exactly the data
`validate_site_document` returns; anything else (a number sent as a string, a value WTForms
would coerce, any failing rule) is rejected, and the caller takes the WTForms path, which also
writes the error messages. `tests/forms/test_compiled.py` holds the two paths equal.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from wtforms import (
    DateField,
    FieldList,
    FloatField,
    Form,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from forms.compiled_source import ApplyAll, apply_all
from forms.document import LIST_FIELDS, NESTED_LIMITS
from forms.fields import YesNoField, _Normalizing, _to_tristate
from forms.survey import POINTS, CoverageForm, MeasurementForm, SurveyFields
from forms.validators import is_sha256, normalize_text
from sync.canonical import SERVER_FIELDS

CheckMunicipality = Callable[[str], str | None] | None


class Reject(Exception):
    """Not for the fast path: let WTForms decide, and explain."""


class _Bound:
    """Stand-in for a bound field or form: what the forms' own checks read and write."""

    def __init__(self, data: Any = None, **attributes: Any) -> None:
        self.data = data
        self.errors: list[Any] = []
        self.__dict__.update(attributes)


@dataclass(frozen=True)
class FieldRule:
    """One field's rules, read from its WTForms definition."""

    name: str
    convert: Callable[[Any], Any]
    default: Any
    optional: bool
    required: bool
    length: tuple[int, int] | None
    bounds: tuple[float, float] | None
    choices: frozenset[str] | None
    checks: tuple[Callable[[Any, Any], None], ...]  # plain-function validators, then inline
    yes_no: bool

    def apply(self, value: Any, form: Any) -> Any:
        """The cleaned value (blank as None, yes/no as bool), or Reject."""
        if value is None:
            if self.optional:
                return None
            data = self.default
        elif self.optional and isinstance(value, str) and not value.strip():
            return self._blank(value)
        else:
            data = self.convert(value)
        data = self._check(data, form)
        if self.yes_no:
            return _to_tristate(data)
        return None if data == "" else data

    def _blank(self, value: str) -> Any:
        """Optional stops the chain on a blank string: the field keeps what parsing gave."""
        try:
            data = self.convert(value)
        except Reject:
            return None
        return None if data == "" else data

    def _check(self, data: Any, form: Any) -> Any:
        if self.choices is not None and data not in self.choices:
            raise Reject(self.name)
        if self.required and not (data and (not isinstance(data, str) or data.strip())):
            raise Reject(self.name)
        if self.length is not None:
            size = (data and len(data)) or 0
            low, high = self.length
            if size < low or (high != -1 and size > high):
                raise Reject(self.name)
        bounds = self.bounds
        if bounds is not None and data is not None and not bounds[0] <= data <= bounds[1]:
            raise Reject(self.name)
        if self.checks:
            data = self._run_checks(data, form)
        return data

    def _run_checks(self, data: Any, form: Any) -> Any:
        """The plain-function and inline validators, on a stand-in bound field."""
        bound = _Bound(data)
        try:
            for check in self.checks:
                check(form, bound)
        except ValidationError:
            raise Reject(self.name) from None
        return bound.data


def _text(normalize: bool) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if not isinstance(value, str):
            raise Reject("text")
        return normalize_text(value) if normalize else value

    convert.normalizes = normalize  # type: ignore[attr-defined]  # read by compiled_source
    return convert


def _integer(value: Any) -> int:
    if type(value) is not int:
        raise Reject("integer")
    return value


def _float(value: Any) -> float:
    if type(value) not in (int, float):
        raise Reject("number")
    try:
        number = float(value)
    except OverflowError:
        raise Reject("number") from None
    if not math.isfinite(number):
        raise Reject("number")
    return number


def _choice(value: Any) -> Any:
    if not isinstance(value, str):
        raise Reject("choice")
    return value


def _yes_no(value: Any) -> str:
    if not isinstance(value, bool):
        raise Reject("yes/no")
    return "yes" if value else "no"


def _date(formats: list[str]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if not isinstance(value, str):
            raise Reject("date")
        for pattern in formats:
            try:
                return datetime.strptime(value, pattern).date()
            except ValueError:
                continue
        raise Reject("date")

    return convert


def _converter(field: Any) -> tuple[Callable[[Any], Any], bool]:
    """How a JSON value becomes this field's data; whether it is a yes/no field."""
    if isinstance(field, YesNoField):
        return _yes_no, True
    if isinstance(field, SelectField):
        return _choice, False
    if isinstance(field, DateField):
        return _date(list(field.strptime_format)), False
    if isinstance(field, IntegerField):
        return _integer, False
    if isinstance(field, FloatField):
        return _float, False
    if isinstance(field, StringField):
        return _text(isinstance(field, _Normalizing)), False
    raise TypeError(f"the compiled path does not know {type(field).__name__} ({field.name})")


def _rule(form_class: type[Form], field: Any) -> FieldRule:
    convert, yes_no = _converter(field)
    optional = required = False
    length = bounds = None
    checks: list[Callable[[Any, Any], None]] = []
    for validator in field.validators:
        if isinstance(validator, Optional):
            optional = True
        elif isinstance(validator, DataRequired):
            required = True
        elif isinstance(validator, Length):
            length = (validator.min, validator.max)
        elif isinstance(validator, NumberRange):
            bounds = (validator.min, validator.max)
        elif inspect.isfunction(validator):
            checks.append(validator)
        else:
            raise TypeError(f"the compiled path does not know {type(validator).__name__}")
    choices = None
    if isinstance(field, SelectField) and field.validate_choice:
        choices = frozenset(str(value) for value, *_ in field.choices)
    short = field.short_name
    return FieldRule(
        name=short,
        convert=convert,
        default=field.data,  # what processing the default gives: '' for yes/no
        optional=optional,
        required=required,
        length=length,
        bounds=bounds,
        choices=choices,
        checks=(*checks, *filter(None, [getattr(form_class, f"validate_{short}", None)])),
        yes_no=yes_no,
    )


@dataclass(frozen=True)
class CompiledForm:
    scalars: tuple[FieldRule, ...]
    lists: dict[str, frozenset[str]]
    runs: tuple[FieldRule, ...]
    carriers: tuple[FieldRule, ...]

    def __post_init__(self) -> None:
        """The rules of each part as one generated function (forms/compiled_source.py)."""
        assign = object.__setattr__  # the dataclass is frozen
        assign(self, "apply_scalars", apply_all(self.scalars, Reject))
        assign(self, "apply_run", apply_all(self.runs, Reject))
        assign(self, "apply_carrier", apply_all(self.carriers, Reject))
        names = {r.name for r in self.scalars} | set(LIST_FIELDS) | {"measurements", "coverage"}
        assign(self, "known", frozenset(names) | _ENVELOPE)
        assign(self, "run_names", frozenset(r.name for r in self.runs))
        assign(self, "carrier_names", frozenset(r.name for r in self.carriers))

    apply_scalars: ApplyAll = field(init=False)
    apply_run: ApplyAll = field(init=False)
    apply_carrier: ApplyAll = field(init=False)
    known: frozenset[str] = field(init=False)
    run_names: frozenset[str] = field(init=False)
    carrier_names: frozenset[str] = field(init=False)


def _rules(form_class: type[Form]) -> tuple[FieldRule, ...]:
    form = form_class(meta={"csrf": False})
    skip = (FieldList, SelectMultipleField)
    return tuple(_rule(form_class, f) for f in form if not isinstance(f, skip))


@cache
def compiled_survey() -> CompiledForm:
    """The survey form's rules, read once."""
    form = SurveyFields(meta={"csrf": False})
    lists = {name: frozenset(str(v) for v, *_ in form[name].choices) for name in LIST_FIELDS}
    return CompiledForm(
        scalars=_rules(SurveyFields),
        lists=lists,
        runs=_rules(MeasurementForm),
        carriers=_rules(CoverageForm),
    )


def fast_validate(doc: Any, check_municipality: CheckMunicipality = None) -> dict[str, Any] | None:
    """The data `validate_site_document` would return for this document, or None (ask WTForms)."""
    try:
        return _validate(doc, check_municipality)
    except Reject:
        return None


def _validate(doc: Any, check_municipality: CheckMunicipality) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise Reject("document")
    compiled = compiled_survey()
    known = compiled.known
    if any(key not in known for key in doc):
        raise Reject("unknown field")
    form = _Bound(check_municipality=check_municipality)
    data = compiled.apply_scalars(doc, form)
    _check_survey(data)
    for name, choices in compiled.lists.items():
        data[name] = _codes(doc.get(name, []), choices)
    data["measurements"] = _runs(doc.get("measurements", []), compiled)
    data["coverage"] = _carriers(doc.get("coverage", []), compiled)
    data["photos"] = _photos(doc.get("photos", []))
    return data


_ENVELOPE = frozenset({"uuid", "photos", *SERVER_FIELDS})


def _check_survey(data: dict[str, Any]) -> None:
    """The form-level checks of SurveyFields.validate, on stand-ins."""
    fields = {name: _Bound(data[name]) for pair in POINTS for name in pair}
    for lat, lon in POINTS:
        if not SurveyFields._check_point(None, fields[lat], fields[lon]):  # type: ignore[arg-type]
            raise Reject(lat)
    hours = _Bound(
        weekday_open=_Bound(data["weekday_open"] or ""),
        weekday_close=_Bound(data["weekday_close"] or ""),
    )
    if not SurveyFields._check_hours(hours):  # type: ignore[arg-type]
        raise Reject("weekday hours")


def _codes(value: Any, choices: frozenset[str]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v in choices for v in value):
        raise Reject("codes")
    return sorted(set(value))


def _entries(value: Any, key: str, names: frozenset[str], apply: ApplyAll) -> list[dict[str, Any]]:
    """The items a FieldList would see (all-null items vanish), each with its rules applied."""
    if not isinstance(value, list) or len(value) > NESTED_LIMITS[key]:
        raise Reject(key)
    entries = []
    for item in value:
        if not isinstance(item, dict) or any(k not in names for k in item):
            raise Reject(key)
        if all(v is None for v in item.values()):
            continue
        entries.append(apply(item, None))
    return entries


def _runs(value: Any, compiled: CompiledForm) -> list[dict[str, Any]]:
    kept = []
    for entry in _entries(value, "measurements", compiled.run_names, compiled.apply_run):
        measured = MeasurementForm.MEASURED
        run = _Bound(MEASURED=measured, **{name: _Bound(entry[name]) for name in measured})
        run.is_blank = MeasurementForm.is_blank.fget(run)  # type: ignore[attr-defined]
        if not MeasurementForm._check_speeds(run):  # type: ignore[arg-type]
            raise Reject("measurements")
        if not run.is_blank:
            kept.append(entry)
    return kept


def _carriers(value: Any, compiled: CompiledForm) -> list[dict[str, Any]]:
    entries = _entries(value, "coverage", compiled.carrier_names, compiled.apply_carrier)
    listed = [_Bound(form=_Bound(carrier=_Bound(e["carrier"]))) for e in entries]
    try:
        SurveyFields.validate_coverage(None, listed)  # type: ignore[arg-type]
    except ValidationError:
        raise Reject("coverage") from None
    return entries


def _photos(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise Reject("photos")
    photos = []
    for photo in value:
        if not isinstance(photo, dict) or not is_sha256(photo.get("sha256", "")):
            raise Reject("photos")
        caption = str(photo.get("caption") or "")
        if len(caption) > 200:
            raise Reject("photos")
        photos.append({"sha256": photo["sha256"], "caption": caption})
    return photos
