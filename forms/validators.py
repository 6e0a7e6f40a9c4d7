"""Pure checks behind the survey's validators (no WTForms, no Flask)."""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import datetime

from app.geo.distance import in_japan
from app.reference.postal import normalize_postal_code as postal_digits

__all__ = ["in_japan"]  # re-exported: the survey's "inside Japan" is the geo module's box

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_HHMM = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")  # 9:00 as well as 09:00
_PHONE = re.compile(r"^\+?[0-9][0-9-]{8,14}$")


def normalize_text(value: str) -> str:
    """NFKC (full-width digits and letters from a Japanese IME become ASCII), trimmed."""
    return unicodedata.normalize("NFKC", value).strip()


def normalize_postal_code(value: str) -> str | None:
    """'649-2211', '6492211', '〒６４９－２２１１' -> '649-2211'; None if not a postal code."""
    digits = postal_digits(value)
    return f"{digits[:3]}-{digits[3:]}" if digits else None


def parse_hhmm(value: str) -> int | None:
    """Minutes after midnight for 'HH:MM' or 'H:MM' (00:00-24:00; full-width digits too)."""
    match = _HHMM.match(normalize_text(value))
    if not match:
        return None
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    return minutes if minutes <= 24 * 60 else None


def format_hhmm(minutes: int) -> str:
    """'HH:MM', as times are stored (and scored)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def is_phone_number(value: str) -> bool:
    return bool(_PHONE.match(normalize_text(value)))


def is_sha256(value: str) -> bool:
    """Lowercase hex SHA-256, as photos are addressed."""
    return isinstance(value, str) and bool(_SHA256.match(value))


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return False
    return True


def parse_timestamp(value: str) -> datetime | None:
    """An ISO 8601 time with an offset ('2026-11-20T10:00:00+09:00'), else None."""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else None
