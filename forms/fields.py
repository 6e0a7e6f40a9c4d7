"""WTForms fields for a Japanese tablet: full-width input accepted, units and ranges attached."""

from __future__ import annotations

import math
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, FloatField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional, ValidationError

from forms.validators import normalize_text


class _Normalizing:
    """Mixin: NFKC-normalise what the browser (or a JSON document) sent before parsing."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        cleaned = [normalize_text(v) if isinstance(v, str) else v for v in valuelist]
        super().process_formdata(cleaned)  # type: ignore[misc]


class TextField(_Normalizing, StringField):
    pass


NOT_A_NUMBER = _l("Enter a number, e.g. 12.5.")
NOT_A_WHOLE_NUMBER = _l("Enter a whole number, e.g. 24.")


class IntField(_Normalizing, IntegerField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:  # WTForms' own message is English only
            raise ValueError(str(NOT_A_WHOLE_NUMBER)) from None


class NumberField(_Normalizing, FloatField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        """ "NaN" and "inf" parse as floats but are no measurement: refused like any non-number."""
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(NOT_A_NUMBER)) from None
        if self.data is not None and not math.isfinite(self.data):
            self.data = None
            raise ValueError(str(NOT_A_NUMBER))


class RangeMessage(NumberRange):
    """NumberRange whose message gives the range and the unit in the user's language."""

    def __init__(self, low: float, high: float, unit: str) -> None:
        super().__init__(min=low, max=high)
        self.unit = unit

    def __call__(self, form: Any, field: Field) -> None:
        value = field.data
        if value is not None and (value < self.min or value > self.max):
            raise ValidationError(
                _l(
                    "Enter a value from %(low)s to %(high)s %(unit)s.",
                    low=_fmt(self.min),
                    high=_fmt(self.max),
                    unit=self.unit,
                )
            )


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def number(
    label: Any, low: float, high: float, unit: str = "", *, integer: bool = False, step: str = "any"
) -> Field:
    """An optional numeric field with its range, unit and numeric keyboard."""
    kind = IntField if integer else NumberField
    render = {
        "inputmode": "numeric" if integer and low >= 0 else "decimal",
        "min": _fmt(low),
        "max": _fmt(high),
        "step": "1" if integer else step,
        "data-unit": unit,
    }
    return kind(
        label,
        validators=[Optional(), RangeMessage(low, high, unit)],
        render_kw=render,
        description=unit,
    )


YES_NO_CHOICES = [("", _l("Not checked")), ("yes", _l("Yes")), ("no", _l("No"))]


def _to_tristate(value: Any) -> bool | None:
    if value in (True, "yes", "true", "1", "y", "on"):
        return True
    if value in (False, "no", "false", "0", "n", "off"):
        return False
    return None


class YesNoField(SelectField):
    """Yes / no / not checked: an unchecked item is missing data, not a 'no'."""

    widget_kind = "yesno"

    def __init__(self, label: Any = None, **kwargs: Any) -> None:
        super().__init__(label, choices=YES_NO_CHOICES, coerce=str, validate_choice=True, **kwargs)

    def process_data(self, value: Any) -> None:
        state = _to_tristate(value)
        self.data = "" if state is None else ("yes" if state else "no")

    @property
    def value(self) -> bool | None:
        return _to_tristate(self.data)
