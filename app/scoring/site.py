"""A site document seen through the rubric's inputs (exact numbers, flags, codes, hours)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from app.scoring.connectivity import ConnectivitySummary, summarize_runs
from app.scoring.model import HoursCheck
from app.scoring.values import to_code, to_codes, to_flag, to_fraction, to_minutes

RUNS_PREFIX = "runs."
DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class SiteView:
    doc: Mapping[str, Any]
    runs: ConnectivitySummary

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> SiteView:
        return cls(doc, summarize_runs(doc.get("measurements")))

    def number(self, name: str) -> Fraction | None:
        """A numeric input; "runs.X" is the median of X over the speed runs."""
        if name.startswith(RUNS_PREFIX):
            return to_fraction(self.runs.median(name.removeprefix(RUNS_PREFIX)))
        return to_fraction(self.doc.get(name))

    def flag(self, name: str) -> bool | None:
        return to_flag(self.doc.get(name))

    def code(self, name: str) -> str | None:
        return to_code(self.doc.get(name))

    def codes(self, list_name: str) -> frozenset[str]:
        return to_codes(self.doc.get(list_name))

    def coverage(self) -> list[Mapping[str, Any]]:
        rows = self.doc.get("coverage")
        return [row for row in rows if isinstance(row, Mapping)] if isinstance(rows, list) else []

    def open_minutes(self) -> int | None:
        """Weekday opening span in minutes; a close before the open time is past midnight."""
        opens = to_minutes(self.doc.get("weekday_open"))
        closes = to_minutes(self.doc.get("weekday_close"))
        if opens is None or closes is None:
            return None
        return closes - opens + (DAY_MINUTES if closes < opens else 0)

    def hours_text(self) -> str | None:
        opens, closes = self.code("weekday_open"), self.code("weekday_close")
        return f"{opens}–{closes}" if opens and closes else None

    def weekday_hours_ok(self, check: HoursCheck) -> bool | None:
        """Open >= min_hours on >= min_days a week, or 24-h access; None if unknown."""
        if check.access_24h in self.codes("amenities"):
            return True
        span, days = self.open_minutes(), self.number("days_per_week")
        if span is not None and span < check.min_hours * 60:
            return False
        if days is not None and days < check.min_days:
            return False
        if span is None or days is None:
            return None
        return True
