"""The sites an export holds, read in keyset pages so memory stays flat: the user's scope and
the chosen filter, ordered by municipality code then id, each with its runs and coverage."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Select, func, select, tuple_

from app.accounts.models import User
from app.accounts.scope import Scope
from app.exports.records import ExportSite
from app.extensions import db
from app.regions.models import Municipality, Prefecture
from app.surveys.filters import SiteFilter
from app.surveys.models import MobileCoverage, Site, SpeedMeasurement

PAGE = 500
RUN_COLUMNS = [c for c in SpeedMeasurement.__table__.c if c.name not in ("id", "bytes_moved")]
COVERAGE_COLUMNS = [c for c in MobileCoverage.__table__.c if c.name != "id"]


def scoped(scope: Scope, chosen: SiteFilter, stmt: Select[Any]) -> Select[Any]:
    return scope.filter(chosen.apply(stmt), Site.municipality_code, Site.prefecture_code)


def count_sites(scope: Scope, chosen: SiteFilter) -> int:
    return db.session.scalar(scoped(scope, chosen, select(func.count(Site.id)))) or 0


def rubric_versions(scope: Scope, chosen: SiteFilter) -> dict[str, int]:
    """How many of the exported sites each rubric version scored ('' : not scored)."""
    stmt = scoped(scope, chosen, select(Site.rubric_version, func.count(Site.id)))
    rows = db.session.execute(stmt.group_by(Site.rubric_version)).all()
    return {version or "": count for version, count in rows}


def iter_sites(
    scope: Scope, chosen: SiteFilter, site_url: Callable[[str], str] = lambda _uuid: ""
) -> Iterator[ExportSite]:
    """Every site of the scope and filter, page by page, with its runs and coverage."""
    places = _places()
    base = scoped(
        scope,
        chosen,
        select(Site.__table__, User.display_name.label("surveyor_name"))
        .outerjoin(User, User.id == Site.surveyor_id)
        .order_by(Site.municipality_code, Site.id)
        .limit(PAGE),
    )
    after: tuple[str, int] | None = None
    while True:
        stmt = (
            base if after is None else base.where(tuple_(Site.municipality_code, Site.id) > after)
        )
        rows = db.session.execute(stmt).mappings().all()
        if not rows:
            return
        ids = [row["id"] for row in rows]
        runs = _children(RUN_COLUMNS, SpeedMeasurement, ids, SpeedMeasurement.measured_at)
        coverage = _children(COVERAGE_COLUMNS, MobileCoverage, ids, MobileCoverage.position)
        for row in rows:
            prefecture, city = places.get(row["municipality_code"], ("", ""))
            yield ExportSite(
                row=row,
                municipality_name=prefecture + city,
                prefecture_name=prefecture,
                city_name=city,
                surveyor=row["surveyor_name"] or "",
                url=site_url(row["uuid"]),
                runs=runs.get(row["id"], ()),
                coverage=coverage.get(row["id"], ()),
            )
        db.session.expire_all()
        last = rows[-1]
        after = (last["municipality_code"], last["id"])


def _children(columns: list[Any], model: Any, ids: list[int], order: Any) -> dict[int, list[Any]]:
    stmt = select(*columns).where(model.site_id.in_(ids)).order_by(model.site_id, order)
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in db.session.execute(stmt).mappings():
        grouped[row["site_id"]].append(row)
    return grouped


def _places() -> dict[str, tuple[str, str]]:
    """Municipality code → (prefecture name, municipality name)."""
    stmt = select(Municipality.code, Prefecture.name, Municipality.name).join(
        Prefecture, Prefecture.code == Municipality.prefecture_code
    )
    return {code: (prefecture, city) for code, prefecture, city in db.session.execute(stmt)}
