"""A site's score as frozen dataclasses, and its JSON-ready dict (stored and sent by the API)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from app.scoring.connectivity import ConnectivitySummary
from app.scoring.values import floor_1dp, points_in, points_out

GateStatus = Literal["pass", "fail", "unknown"]
GATE_STATUSES: tuple[GateStatus, ...] = ("pass", "fail", "unknown")


@dataclass(frozen=True)
class FieldScore:
    """One scored rule of the rubric, as applied to the site."""

    category: str
    code: str
    label_ja: str
    label_en: str
    value: str | None  # the value shown, without unit; None when not recorded
    points: Fraction
    max_points: Fraction
    missing: bool
    reason_ja: str
    reason_en: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "code": self.code,
            "label_ja": self.label_ja,
            "label_en": self.label_en,
            "value": self.value,
            "points": points_out(self.points),
            "max_points": points_out(self.max_points),
            "missing": self.missing,
            "reason_ja": self.reason_ja,
            "reason_en": self.reason_en,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FieldScore:
        texts = (d["category"], d["code"], d["label_ja"], d["label_en"], d["value"])
        numbers = points_in(d["points"]), points_in(d["max_points"])
        return cls(*texts, *numbers, bool(d["missing"]), d["reason_ja"], d["reason_en"])


@dataclass(frozen=True)
class CategoryScore:
    code: str
    label_ja: str
    label_en: str
    weight: Fraction
    points: Fraction
    max_points: Fraction
    score_exact: Fraction  # points ÷ max_points × weight

    @property
    def score(self) -> float:
        return floor_1dp(self.score_exact)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label_ja": self.label_ja,
            "label_en": self.label_en,
            "weight": points_out(self.weight),
            "points": points_out(self.points),
            "max_points": points_out(self.max_points),
            "score": self.score,
            "score_exact": str(self.score_exact),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CategoryScore:
        weight, points, maximum = (points_in(d[k]) for k in ("weight", "points", "max_points"))
        exact = Fraction(str(d["score_exact"]))
        return cls(d["code"], d["label_ja"], d["label_en"], weight, points, maximum, exact)


@dataclass(frozen=True)
class GateResult:
    code: str
    label_ja: str
    label_en: str
    status: GateStatus
    reason_ja: str
    reason_en: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label_ja": self.label_ja,
            "label_en": self.label_en,
            "status": self.status,
            "reason_ja": self.reason_ja,
            "reason_en": self.reason_en,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> GateResult:
        status = next(s for s in GATE_STATUSES if s == d["status"])
        return cls(d["code"], d["label_ja"], d["label_en"], status, d["reason_ja"], d["reason_en"])


@dataclass(frozen=True)
class SiteScore:
    rubric_version: str
    total_exact: Fraction  # sum of the category scores, 0-100
    tier: str  # ready / nearly / invest / insufficient
    tier_label_ja: str
    tier_label_en: str
    tier_reason_ja: str
    tier_reason_en: str
    capped: bool  # no-doctor area: "nearly" at most
    missing_count: int
    scored_count: int
    gates: tuple[GateResult, ...]
    categories: tuple[CategoryScore, ...]
    fields: tuple[FieldScore, ...]
    connectivity: ConnectivitySummary

    @property
    def total(self) -> float:
        """The score to show: one decimal, rounded down."""
        return floor_1dp(self.total_exact)

    @property
    def missing_fraction(self) -> Fraction:
        return Fraction(self.missing_count, self.scored_count or 1)

    def gate(self, code: str) -> GateResult:
        return next(g for g in self.gates if g.code == code)

    def category(self, code: str) -> CategoryScore:
        return next(c for c in self.categories if c.code == code)

    def field(self, code: str) -> FieldScore:
        return next(f for f in self.fields if f.code == code)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; from_dict() reads it back."""
        return {
            "rubric_version": self.rubric_version,
            "total": self.total,
            "total_exact": str(self.total_exact),
            "tier": self.tier,
            "tier_label_ja": self.tier_label_ja,
            "tier_label_en": self.tier_label_en,
            "tier_reason_ja": self.tier_reason_ja,
            "tier_reason_en": self.tier_reason_en,
            "capped": self.capped,
            "missing_count": self.missing_count,
            "scored_count": self.scored_count,
            "missing_fraction": round(float(self.missing_fraction), 4),
            "gates": [g.to_dict() for g in self.gates],
            "categories": [c.to_dict() for c in self.categories],
            "fields": [f.to_dict() for f in self.fields],
            "connectivity": self.connectivity.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SiteScore:
        return cls(
            rubric_version=d["rubric_version"],
            total_exact=Fraction(str(d["total_exact"])),
            tier=d["tier"],
            tier_label_ja=d["tier_label_ja"],
            tier_label_en=d["tier_label_en"],
            tier_reason_ja=d["tier_reason_ja"],
            tier_reason_en=d["tier_reason_en"],
            capped=bool(d["capped"]),
            missing_count=int(d["missing_count"]),
            scored_count=int(d["scored_count"]),
            gates=tuple(GateResult.from_dict(g) for g in d["gates"]),
            categories=tuple(CategoryScore.from_dict(c) for c in d["categories"]),
            fields=tuple(FieldScore.from_dict(f) for f in d["fields"]),
            connectivity=ConnectivitySummary.from_dict(d["connectivity"]),
        )
