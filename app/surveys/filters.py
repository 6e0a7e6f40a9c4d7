"""The filters of the survey list, the map and the exports: parsed once, applied to any select().

`SiteFilter.parse` takes query-string values (or CLI options) and keeps only valid ones, so a
hand-edited URL never errors; `apply` adds the WHERE clauses. Scoping by role is separate
(`Scope.filter`), and always applied as well.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select

from app.accounts.scope import Scope
from app.regions.service import municipality_names, prefecture_names
from app.surveys.models import ReviewStatus, Site

TIERS = ("ready", "nearly", "invest", "insufficient")
SORTS = {
    "updated": Site.updated_at,
    "score": Site.score,
    "name": Site.name,
    "surveyed": Site.surveyed_on,
}
_PREFECTURE = re.compile(r"^(0[1-9]|[1-3]\d|4[0-7])$")
_MUNICIPALITY = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class SiteFilter:
    prefecture: str = ""
    municipality: str = ""
    status: str = ""
    tier: str = ""
    surveyed_from: date | None = None
    surveyed_to: date | None = None
    q: str = ""
    rubric: str = ""  # the rubric version a site's stored score used ("none": never scored)
    sort: str = "updated"
    descending: bool = True

    @classmethod
    def parse(cls, args: Mapping[str, Any]) -> SiteFilter:
        def text(name: str) -> str:
            return str(args.get(name) or "").strip()

        sort = text("sort")
        surveyed_from, surveyed_to = _days(text("from"), text("to"))
        return cls(
            prefecture=text("prefecture") if _PREFECTURE.match(text("prefecture")) else "",
            municipality=text("municipality") if _MUNICIPALITY.match(text("municipality")) else "",
            status=text("status") if text("status") in set(ReviewStatus) else "",
            tier=text("tier") if text("tier") in TIERS else "",
            surveyed_from=surveyed_from,
            surveyed_to=surveyed_to,
            q=unicodedata.normalize("NFKC", text("q"))[:100],  # as names are stored
            rubric=text("rubric")[:40],
            sort=sort if sort in SORTS else "updated",
            descending=text("order") != "asc",
        )

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        """Add this filter's conditions (not its order) to a select over Site."""
        if self.prefecture:
            stmt = stmt.where(Site.prefecture_code == self.prefecture)
        if self.municipality:
            stmt = stmt.where(Site.municipality_code == self.municipality)
        if self.status:
            stmt = stmt.where(Site.status == self.status)
        if self.tier:
            stmt = stmt.where(Site.tier == self.tier)
        if self.surveyed_from:
            stmt = stmt.where(Site.surveyed_on >= self.surveyed_from)
        if self.surveyed_to:
            stmt = stmt.where(Site.surveyed_on <= self.surveyed_to)
        if self.q:
            stmt = stmt.where(Site.name.contains(self.q, autoescape=True))
        if self.rubric == "none":
            stmt = stmt.where(Site.rubric_version.is_(None))
        elif self.rubric:
            stmt = stmt.where(Site.rubric_version == self.rubric)
        return stmt

    def ordered(self, stmt: Select[Any]) -> Select[Any]:
        """Sites without a value come last either way. A column that is never NULL gets no
        NULLS LAST (the same order), so an index on it can give the order: PostgreSQL matches
        an index only to ORDER BY clauses with its own NULLS placement."""
        column = SORTS[self.sort]
        key = column.desc() if self.descending else column.asc()
        if column.nullable:
            key = key.nulls_last()
        tiebreak = Site.id.desc() if self.descending else Site.id.asc()
        return stmt.order_by(key, tiebreak)

    def query_args(self) -> dict[str, str]:
        """The non-default values as query-string arguments (for links that keep the filter)."""
        defaults = asdict(SiteFilter())
        names = {"surveyed_from": "from", "surveyed_to": "to", "descending": "order"}
        out: dict[str, str] = {}
        for key, value in asdict(self).items():
            if value == defaults[key]:
                continue
            if key == "descending":
                out["order"] = "desc" if value else "asc"
            else:
                out[names.get(key, key)] = value.isoformat() if isinstance(value, date) else value
        return out

    def describe(self) -> dict[str, str]:
        """The filter as plain text (for an export's metadata sheet)."""
        return self.query_args()


@dataclass(frozen=True)
class FilterChoices:
    prefectures: list[tuple[str, str]]  # (code, name)
    municipalities: list[tuple[str, str]]


def filter_choices(scope: Scope, chosen: SiteFilter) -> FilterChoices:
    """Prefectures and municipalities to offer, from the reference tables (no scan of sites):
    the user's own prefecture or municipality, or for an admin every prefecture and, once one is
    chosen (or a municipality in it), its municipalities."""
    prefectures = prefecture_names()
    if scope.sees_everything:
        offered = sorted(prefectures.items())
        prefix = chosen.prefecture or chosen.municipality[:2]
    else:
        prefix = scope.municipality_code or scope.prefecture_code or ""
        offered = [(prefix[:2], prefectures.get(prefix[:2], prefix[:2]))] if prefix else []
    names = municipality_names()
    codes = sorted(c for c in names if prefix and c.startswith(prefix))
    return FilterChoices(offered, [(code, names[code]) for code in codes])


_DAY = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


def _day(value: str) -> date | None:
    """A day typed as 2026-11-01, 2026/11/1 or in full-width digits; None when unreadable."""
    found = _DAY.match(unicodedata.normalize("NFKC", value).strip())
    if not found:
        return None
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def _days(first: str, last: str) -> tuple[date | None, date | None]:
    """The survey-date range, the earlier day first (a range typed the wrong way round)."""
    start, end = _day(first), _day(last)
    if start and end and start > end:
        return end, start
    return start, end


def filter_notes(args: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What `parse` did not take as typed, for the page to say: ("from" | "to", the value) for
    an unreadable day, ("swapped", "") for a range given the wrong way round, and
    ("prefecture" | "municipality" | "status" | "tier", the value) for an unknown code."""
    chosen = SiteFilter.parse(args)
    notes = []
    for name in ("prefecture", "municipality", "status", "tier"):
        value = str(args.get(name) or "").strip()
        if value and getattr(chosen, name) != value:
            notes.append((name, value[:40]))
    for name in ("from", "to"):
        value = str(args.get(name) or "").strip()
        if value and _day(value) is None:
            notes.append((name, value[:40]))
    start, end = _day(str(args.get("from") or "")), _day(str(args.get("to") or ""))
    if start and end and start > end:
        notes.append(("swapped", ""))
    return notes
