"""What an export is made of, as plain data: one site with its runs and coverage, the labels
to print, and the facts for the metadata sheet. Built by `query.py`; read by the writers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from app.scoring import ConnectivitySummary, summarize_runs


@dataclass
class ExportSite:
    """One site: `row` holds the site's stored columns by name (plus `score_summary`)."""

    row: Mapping[str, Any]
    municipality_name: str = ""  # 都道府県名 + 市区町村名, e.g. 和歌山県白浜町
    prefecture_name: str = ""
    city_name: str = ""  # the municipality's own name, e.g. 白浜町
    surveyor: str = ""
    url: str = ""
    runs: Sequence[Mapping[str, Any]] = ()
    coverage: Sequence[Mapping[str, Any]] = ()

    @cached_property
    def medians(self) -> ConnectivitySummary:
        """The connectivity summary of the runs: the same medians scoring uses."""
        return summarize_runs([dict(run) for run in self.runs])


@dataclass(frozen=True)
class Labels:
    """Japanese labels of coded values (from the translation catalogs and the rubric)."""

    facility: Mapping[str, str] = field(default_factory=dict)
    location_source: Mapping[str, str] = field(default_factory=dict)
    status: Mapping[str, str] = field(default_factory=dict)
    line_type: Mapping[str, str] = field(default_factory=dict)
    technology: Mapping[str, str] = field(default_factory=dict)
    placement: Mapping[str, str] = field(default_factory=dict)
    tier: Mapping[str, str] = field(default_factory=dict)
    gate_status: Mapping[str, str] = field(default_factory=dict)

    @staticmethod
    def of(table: Mapping[str, str], code: Any) -> str | None:
        """The label of a code; an unknown code is shown as itself, a blank stays blank."""
        if code is None or code == "":
            return None
        return table.get(code, str(code))


@dataclass(frozen=True)
class ExportMeta:
    """The facts of the metadata sheet."""

    created_at: datetime  # aware; written in Japan time
    created_by: str
    filter_text: str
    rubric_versions: str
    app_version: str
    contact: str


@dataclass
class ExportStats:
    """What a writer reports back: rows per sheet, sites, characters replaced (cp932)."""

    sites: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    replaced_chars: int = 0
