"""An export from request to file: labels in Japanese, the filter described, the writer picked
by format. Used by the background job and by `flask export`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import IO

from flask import current_app
from flask_babel import force_locale

from app.accounts.models import Role
from app.accounts.scope import Scope
from app.exports import query
from app.exports.csvfile import write_csv
from app.exports.geojson import write_geojson
from app.exports.records import ExportMeta, ExportStats, Labels
from app.exports.workbook import Layout, write_workbook
from app.regions.service import municipality_names, prefecture_names
from app.surveys.filters import SiteFilter


@dataclass(frozen=True)
class Format:
    code: str
    extension: str
    mimetype: str


FORMATS = {
    f.code: f
    for f in (
        Format(
            "xlsx", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        Format("csv-utf8", ".csv", "text/csv; charset=utf-8"),
        Format("csv-sjis", ".csv", "text/csv; charset=shift_jis"),
        Format("geojson", ".geojson", "application/geo+json"),
    )
}


def export_labels() -> Labels:
    """The coded values' labels in Japanese, whatever the user's language."""
    from app.templating import GATE_STATUS_LABELS, STATUS_LABELS
    from forms.labels import (
        FACILITY_LABELS,
        LINE_LABELS,
        PLACEMENT_LABELS,
        SOURCE_LABELS,
        TECH_LABELS,
    )

    rubric = current_app.extensions["rubric"]
    with force_locale("ja"):
        tables = [
            FACILITY_LABELS, SOURCE_LABELS, STATUS_LABELS, LINE_LABELS, TECH_LABELS,
            PLACEMENT_LABELS, GATE_STATUS_LABELS,
        ]  # fmt: skip
        facility, source, status, line, tech, placement, gate = (
            {code: str(label) for code, label in table.items()} for table in tables
        )
    tiers = {code: ja for code, ja, _en in rubric.tiers.labels}
    return Labels(facility, source, status, line, tech, placement, tiers, gate)


def filter_text(chosen: SiteFilter) -> str:
    """The filter in Japanese for the metadata sheet, e.g. '都道府県=和歌山県(30)'."""
    labels = export_labels()
    parts = []
    if chosen.prefecture:
        parts.append(
            f"都道府県={prefecture_names().get(chosen.prefecture, '')}({chosen.prefecture})"
        )
    if chosen.municipality:
        name = municipality_names().get(chosen.municipality, "").replace(" ", "")
        parts.append(f"市区町村={name}({chosen.municipality})")
    if chosen.status:
        parts.append(f"審査状況={labels.status.get(chosen.status, chosen.status)}")
    if chosen.tier:
        parts.append(f"判定区分={labels.tier.get(chosen.tier, chosen.tier)}")
    if chosen.surveyed_from:
        parts.append(f"調査日の始め={chosen.surveyed_from.isoformat()}")
    if chosen.surveyed_to:
        parts.append(f"調査日の終わり={chosen.surveyed_to.isoformat()}")
    if chosen.q:
        parts.append(f"名称に含む={chosen.q}")
    if chosen.rubric:
        parts.append(f"採点基準版={chosen.rubric}")
    return "; ".join(parts) or "なし(閲覧できるすべての調査地点)"


def app_version() -> str:
    try:
        return version("workation-site-survey")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def download_name(fmt: Format, chosen: SiteFilter, scope: Scope, created_at: datetime) -> str:
    """e.g. workation-sites-30-20261128-1830.xlsx: the narrowest area the export covers."""
    from app.timeutil import to_jst

    own = scope.municipality_code if scope.role == Role.SURVEYOR else scope.prefecture_code
    area = chosen.municipality or chosen.prefecture or own or "all"
    suffix = "-sjis" if fmt.code == "csv-sjis" else ""
    stamp = to_jst(created_at).strftime("%Y%m%d-%H%M")
    return f"workation-sites-{area}-{stamp}{suffix}{fmt.extension}"


@dataclass(frozen=True)
class ExportRequest:
    format: str
    scope: Scope
    chosen: SiteFilter
    created_by: str
    created_at: datetime
    site_url_base: str = ""
    contact: str = ""  # the metadata sheet's 問合せ先 when EXPORT_CONTACT is not set


def write_export(
    target: IO[bytes], request: ExportRequest, progress: Callable[[int], None] | None = None
) -> ExportStats:
    """Write the export of `request` to `target` in its format."""
    if request.format not in FORMATS:
        raise ValueError(f"unknown export format: {request.format}")
    rubric = current_app.extensions["rubric"]
    layout = Layout.build(export_labels(), rubric)
    base = request.site_url_base.rstrip("/")
    sites = query.iter_sites(
        request.scope, request.chosen, (lambda uuid: f"{base}/surveys/{uuid}") if base else _blank
    )
    if request.format == "xlsx":
        meta = ExportMeta(
            created_at=request.created_at,
            created_by=request.created_by,
            filter_text=filter_text(request.chosen),
            rubric_versions=_versions_text(query.rubric_versions(request.scope, request.chosen)),
            app_version=f"workation-site-survey {app_version()}",
            contact=current_app.config.get("EXPORT_CONTACT") or request.contact,
        )
        return write_workbook(target, sites, layout, meta, progress=progress)
    if request.format == "geojson":
        return write_geojson(target, sites, layout.sites, progress=progress)
    encoding = "cp932" if request.format == "csv-sjis" else "utf-8"
    return write_csv(target, sites, layout.sites, encoding, progress=progress)


def _blank(_uuid: str) -> str:
    return ""


def _versions_text(counts: dict[str, int]) -> str:
    """'jp-workation-2026.1' or, when several were used, each with its count."""
    ordered = sorted(counts.items(), key=lambda item: (item[0] == "", item[0]))
    named = {version or "未採点": n for version, n in ordered}
    if len(named) <= 1:
        return next(iter(named), "")
    return "; ".join(f"{version}({n}件)" for version, n in named.items())
