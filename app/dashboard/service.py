"""The dashboard's queries: map markers, the summary, and the filter form's choices.

Every query starts from a select() over `sites`, restricted by the user's `Scope` (always) and
by the list's `SiteFilter`, and names only the columns it needs: no ORM objects are loaded.

Median speeds: each site's own medians (over its speed runs) are already stored by the scorer
in `sites.score_summary["connectivity"]`, the same figures the rubric's gate G1 reads. The
summary extracts just those three numbers in SQL (a JSON path, so the large breakdown in the
same column never leaves the database) and takes the median per municipality in Python, which
works the same on SQLite and PostgreSQL (SQLite has no percentile function). A site without a
value for a metric is left out of that metric's median; `sites` counts the sites with any value.
Recomputing from `speed_measurements` would need a two-level median in SQL for little gain.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select

from app.accounts.scope import Scope
from app.dashboard.cache import Entry, dashboard_cache, statement_key
from app.extensions import db
from app.regions.service import municipality_names
from app.surveys.filters import TIERS, SiteFilter
from app.surveys.models import ReviewStatus, Site, SiteChange

# A marker: [latitude, longitude, tier, status, uuid, name, municipality code]
MARKER_COLUMNS = (
    Site.latitude,
    Site.longitude,
    Site.tier,
    Site.status,
    Site.uuid,
    Site.name,
    Site.municipality_code,
)
SPEED_METRICS = ("download_mbps", "upload_mbps", "latency_ms")


def _scoped(stmt: Select[Any], scope: Scope, chosen: SiteFilter) -> Select[Any]:
    return chosen.apply(scope.filter(stmt, Site.municipality_code, Site.prefecture_code))


def _rows(stmt: Select[Any]) -> Any:
    """Plain rows through the session's connection (Core: no ORM entity handling at all)."""
    return db.session.connection().execute(stmt)


# ---------- map ----------


def data_version() -> tuple[Any, ...]:
    """Changes whenever a site is added, saved or reviewed (three index look-ups).

    New sites raise max(sites.id); every new revision sets updated_at and every revision or
    status change appends to the changes feed. Rescoring touches none of these: the map cache's
    age limit covers it.
    """
    row = db.session.execute(
        select(
            select(func.max(Site.id)).scalar_subquery(),
            select(func.max(Site.updated_at)).scalar_subquery(),
            select(func.max(SiteChange.id)).scalar_subquery(),
        )
    ).one()
    return tuple(str(value) for value in row)


def map_statement(scope: Scope, chosen: SiteFilter) -> Select[Any]:
    """The markers' select (also the cache key: its SQL and parameters say what it returns).

    Sites without coordinates come too (usually few), only to be counted: one scan, not two.
    """
    return _scoped(select(*MARKER_COLUMNS), scope, chosen).order_by(Site.id)


def map_data(scope: Scope, chosen: SiteFilter) -> Entry[bytes]:
    """The map.json body (with its ETag), from the cache while the sites have not changed."""
    version = data_version()  # read first: a body is never older than the version it is kept for
    key = statement_key("map", map_statement(scope, chosen))
    return dashboard_cache().get(key, version, lambda: map_payload(scope, chosen))


def map_payload(scope: Scope, chosen: SiteFilter) -> bytes:
    """The map.json body: the markers, their count, the sites left out, municipality names."""
    rows = [tuple(row) for row in _rows(map_statement(scope, chosen))]
    placed = [row for row in rows if row[0] is not None and row[1] is not None]
    names = municipality_names()
    places = {code: names.get(code, code) for code in {row[6] for row in placed}}
    body = {
        "sites": placed,
        "count": len(placed),
        "without_coordinates": len(rows) - len(placed),
        "places": places,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


# ---------- list counts ----------


def cached_count(stmt: Select[Any]) -> int:
    """The value of a `select(func.count())` over sites (scoped and filtered): the survey list's
    total, reused while the sites have not changed, like the map data. Counting a prefecture's
    50,000 sites with a filter takes ~100 ms on PostgreSQL, ten times the rest of a list page;
    the page's rows come from an index and are always read fresh. As for the map, a rescore is
    not in the data version: a count by tier can lag it by up to DASHBOARD_CACHE_SECONDS."""
    version = data_version()
    entry = dashboard_cache().get(
        statement_key("count", stmt),
        version,
        lambda: int(db.session.scalar(stmt) or 0),
        size=lambda _: 100,
    )
    value: int = entry.value
    return value


# ---------- summary ----------


@dataclass(frozen=True)
class TierRow:
    code: str
    name: str
    counts: dict[str, int]  # tier -> sites ("none": never scored)
    total: int


@dataclass(frozen=True)
class SpeedRow:
    code: str
    name: str
    sites: int  # sites with at least one of the three medians
    medians: dict[str, float | None]  # metric -> median of the sites' medians
    counts: dict[str, int]  # metric -> sites that have it


@dataclass
class Summary:
    total: int = 0
    statuses: list[tuple[str, int]] = field(default_factory=list)
    tiers: list[TierRow] = field(default_factory=list)
    tier_totals: dict[str, int] = field(default_factory=dict)
    speeds: list[SpeedRow] = field(default_factory=list)
    speed_max: dict[str, float] = field(default_factory=dict)  # the longest bar per metric

    @property
    def status_max(self) -> int:
        return max((n for _, n in self.statuses), default=0)


def cached_summary(scope: Scope, chosen: SiteFilter) -> Summary:
    version = data_version()
    key = statement_key("summary", _scoped(select(Site.id), scope, chosen))
    entry = dashboard_cache().get(
        key,
        version,
        lambda: summary(scope, chosen),
        size=lambda s: 1000 + 500 * (len(s.tiers) + len(s.speeds)),
    )
    value: Summary = entry.value
    return value


def summary(scope: Scope, chosen: SiteFilter) -> Summary:
    names = municipality_names()
    result = Summary()
    by_status = dict(
        _rows(
            _scoped(select(Site.status, func.count(Site.id)), scope, chosen).group_by(Site.status)
        ).all()
    )
    known = [str(s) for s in ReviewStatus]
    result.statuses = [(s, by_status.get(s, 0)) for s in known if by_status.get(s)]
    result.statuses += [(s, n) for s, n in sorted(by_status.items()) if s not in known]
    result.total = sum(by_status.values())
    result.tiers = _tier_rows(scope, chosen, names)
    for row in result.tiers:
        for tier, n in row.counts.items():
            result.tier_totals[tier] = result.tier_totals.get(tier, 0) + n
    result.speeds = _speed_rows(scope, chosen, names)
    for metric in SPEED_METRICS:
        values = [r.medians[metric] for r in result.speeds if r.medians[metric] is not None]
        result.speed_max[metric] = max((v for v in values if v is not None), default=0.0)
    return result


def tier_keys(counts: Iterable[str]) -> list[str]:
    """The rubric's tiers in order, then "none" when some site was never scored."""
    present = set(counts)
    return list(TIERS) + (["none"] if "none" in present else [])


def _tier_rows(scope: Scope, chosen: SiteFilter, names: dict[str, str]) -> list[TierRow]:
    stmt = select(Site.municipality_code, Site.tier, func.count(Site.id))
    stmt = _scoped(stmt, scope, chosen).group_by(Site.municipality_code, Site.tier)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for code, tier, n in _rows(stmt):
        key = tier or "none"
        counts[code][key] = counts[code].get(key, 0) + n
    rows = [
        TierRow(code, names.get(code, code), tiers, sum(tiers.values()))
        for code, tiers in counts.items()
    ]
    return sorted(rows, key=lambda r: r.code)


def _speed_rows(scope: Scope, chosen: SiteFilter, names: dict[str, str]) -> list[SpeedRow]:
    values = [Site.score_summary[("connectivity", m)].as_float() for m in SPEED_METRICS]
    stmt = _scoped(select(Site.municipality_code, *values), scope, chosen)
    per_place: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    measured: dict[str, int] = defaultdict(int)
    for code, *figures in _rows(stmt):
        if all(v is None for v in figures):
            continue
        measured[code] += 1
        for metric, value in zip(SPEED_METRICS, figures, strict=True):
            if value is not None:
                per_place[code][metric].append(float(value))
    rows = [
        SpeedRow(
            code,
            names.get(code, code),
            measured[code],
            {
                m: statistics.median(per_place[code][m]) if per_place[code][m] else None
                for m in SPEED_METRICS
            },
            {m: len(per_place[code][m]) for m in SPEED_METRICS},
        )
        for code in measured
    ]
    return sorted(rows, key=lambda r: r.code)


# ---------- the filter form ----------
