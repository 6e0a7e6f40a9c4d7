"""Japanese local government codes (全国地方公共団体コード) and prefecture codes (JIS X 0401)."""

from __future__ import annotations

import re

__all__ = [
    "PREFECTURE_CODES",
    "check_digit",
    "full_municipality_code",
    "is_valid_municipality_code",
    "prefecture_of",
]

PREFECTURE_CODES: tuple[str, ...] = tuple(f"{n:02d}" for n in range(1, 48))

_FIVE = re.compile(r"[0-9]{5}")
_SIX = re.compile(r"[0-9]{6}")
_WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(five_digits: str) -> str:
    """Return the check digit for a 5-digit municipality code."""
    if not _FIVE.fullmatch(five_digits):
        raise ValueError(f"expected 5 ASCII digits, got {five_digits!r}")
    total = sum(w * int(d) for w, d in zip(_WEIGHTS, five_digits, strict=True))
    return str((11 - total % 11) % 10)


def full_municipality_code(five_digits: str) -> str:
    """Append the check digit to a 5-digit code ('30401' -> '304018')."""
    return five_digits + check_digit(five_digits)


def is_valid_municipality_code(code: str) -> bool:
    """Return True for 6 ASCII digits with prefecture 01-47 and a correct check digit."""
    if not isinstance(code, str) or not _SIX.fullmatch(code):
        return False
    if code[:2] not in PREFECTURE_CODES:
        return False
    return check_digit(code[:5]) == code[5]


def prefecture_of(code: str) -> str:
    """Return the 2-digit prefecture code of a municipality code ('304018' -> '30')."""
    if not re.fullmatch(r"[0-9]{5,6}", code) or code[:2] not in PREFECTURE_CODES:
        raise ValueError(f"not a municipality code: {code!r}")
    return code[:2]
