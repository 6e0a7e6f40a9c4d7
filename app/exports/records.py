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
        """The medians of the runs: those the stored score used when it saw the same number of
        runs (the score is recomputed whenever the site changes), computed afresh otherwise."""
        stored = self.summary.get("connectivity")
        if stored and stored.get("run_count") == len(self.runs):
            return ConnectivitySummary.from_dict(stored)
        return summarize_runs([dict(run) for run in self.runs])

    @cached_property
    def summary(self) -> Mapping[str, Any]:
        """The stored compact score breakdown (`score_summary`), empty when not scored."""
        summary: Mapping[str, Any] = self.row.get("score_summary") or {}
        return summary

    def summary_part(self, key: str) -> Mapping[str, Any]:
        """One mapping of the breakdown: 'categories', 'gates' or 'fields' (empty if absent)."""
        part: Mapping[str, Any] = self.summary.get(key) or {}
        return part

    @cached_property
    def ticked(self) -> frozenset[str]:
        """The checklist items ticked."""
        return frozenset(self.row.get("amenities") or ())


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
