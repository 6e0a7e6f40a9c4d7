"""Reading a site document's plain values exactly, and writing numbers for people."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def to_fraction(value: Any) -> Fraction | None:
    """An exact number from an int, float, Decimal or numeric string; None when blank or bad.

    A float becomes the decimal it was typed as (0.1 is 1/10, not the nearest binary value).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value)) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return Fraction(value) if value.is_finite() else None
    if isinstance(value, str) and value.strip():
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            return None
    return None


def to_flag(value: Any) -> bool | None:
    """True/False for a yes/no answer; None when not answered."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"yes": True, "no": False}.get(value.strip().lower())
    return None


def to_code(value: Any) -> str | None:
    """A select code; "" and None are both blank."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def to_codes(value: Any) -> frozenset[str]:
    """The ticked codes of a checklist (a list of strings)."""
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(v for v in value if isinstance(v, str))
    return frozenset()


def to_minutes(value: Any) -> int | None:
    """Minutes after midnight for 'HH:MM' (00:00-24:00), else None."""
    if not isinstance(value, str):
        return None
    match = _HHMM.match(value)
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    total = hours * 60 + minutes
    return total if minutes < 60 and total <= 24 * 60 else None


def fmt(value: Fraction) -> str:
    """A number as a person writes it: exact up to 6 decimals, else rounded to 3."""
    for places in range(7):
        scaled = value * 10**places
        if scaled.denominator == 1:
            return _decimal_text(int(scaled), places)
    return _decimal_text(round(value * 1000), 3).rstrip("0").rstrip(".")


def _decimal_text(scaled: int, places: int) -> str:
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled)).rjust(places + 1, "0")
    if places == 0:
        return sign + digits
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def floor_tenth(value: Fraction) -> Fraction:
    """Rounded down to one decimal, so a shown 75.0 is never a 74.96 that missed the cut-off."""
    return Fraction(math.floor(value * 10), 10)


def floor_1dp(value: Fraction) -> float:
    return float(floor_tenth(value))


def fraction_text(value: Fraction) -> str:
    """The exact value as text: '81' or '1499/20'."""
    return str(value)


def points_out(value: Fraction) -> int | float:
    """Points for JSON: an int when whole."""
    return int(value) if value.denominator == 1 else float(value)


def points_in(value: Any) -> Fraction:
    """Points back from JSON."""
    parsed = to_fraction(value)
    if parsed is None:
        raise ValueError(f"not a number: {value!r}")
    return parsed


def points_ja(value: Fraction) -> str:
    return f"{fmt(value)}点"


def points_en(value: Fraction) -> str:
    return f"{fmt(value)} point" + ("" if value == 1 else "s")
