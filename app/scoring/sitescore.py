"""A site's score: total, tier, gates, categories and fields, with to_dict() (reasons included,
for display; from_dict() reads it back) and to_summary_dict() (no reasons, what is stored)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from app.scoring.connectivity import ConnectivitySummary
from app.scoring.frozen import Frozen
from app.scoring.result import CategoryScore, FieldScore, GateResult, Reasons, ScoreParts
from app.scoring.values import floor_1dp

_EAGER = (
    "rubric_version",
    "tier",
    "tier_label_ja",
    "tier_label_en",
    "capped",
    "missing_count",
    "scored_count",
    "connectivity",
)
_LAZY = ("_total_exact", "_tier_reasons", "_gates", "_categories", "_fields")  # None: not yet


class SiteScore(Frozen):
    __slots__ = (
        "_categories",
        "_fields",
        "_gates",
        "_parts",
        "_tier_reasons",
        "_total_exact",
        "capped",
        "connectivity",
        "missing_count",
        "rubric_version",
        "scored_count",
        "tier",
        "tier_label_en",
        "tier_label_ja",
    )
    FIELDS = (
        "rubric_version",
        "total_exact",  # sum of the category scores, 0-100
        "tier",  # ready / nearly / invest / insufficient
        "tier_label_ja",
        "tier_label_en",
        "tier_reason_ja",
        "tier_reason_en",
        "capped",  # no-doctor area: "nearly" at most
        "missing_count",
        "scored_count",
        "gates",
        "categories",
        "fields",
        "connectivity",
    )
    rubric_version: str
    tier: str
    tier_label_ja: str
    tier_label_en: str
    capped: bool
    missing_count: int
    scored_count: int
    connectivity: ConnectivitySummary
    _total_exact: Fraction | None
    _tier_reasons: Reasons | None
    _gates: tuple[GateResult, ...] | None
    _categories: tuple[CategoryScore, ...] | None
    _fields: tuple[FieldScore, ...] | None
    _parts: ScoreParts | None

    def __init__(
        self,
        rubric_version: str,
        total_exact: Fraction,
        tier: str,
        tier_label_ja: str,
        tier_label_en: str,
        tier_reason_ja: str,
        tier_reason_en: str,
        capped: bool,
        missing_count: int,
        scored_count: int,
        gates: tuple[GateResult, ...],
        categories: tuple[CategoryScore, ...],
        fields: tuple[FieldScore, ...],
        connectivity: ConnectivitySummary,
    ) -> None:
        labels = (tier_label_ja, tier_label_en)
        eager = (rubric_version, tier, *labels, capped, missing_count, scored_count, connectivity)
        lazy = (total_exact, (tier_reason_ja, tier_reason_en), gates, categories, fields)
        self._init(eager, lazy, None)

    @classmethod
    def computed(
        cls,
        rubric_version: str,
        tier: str,
        tier_labels: tuple[str, str],
        capped: bool,
        counts: tuple[int, int],  # (missing, scored)
        connectivity: ConnectivitySummary,
        parts: ScoreParts,
    ) -> SiteScore:
        """A score whose texts and detail objects `parts` fills in when first asked for."""
        score = cls.__new__(cls)
        eager = (rubric_version, tier, *tier_labels, capped, *counts, connectivity)
        score._init(eager, (None,) * len(_LAZY), parts)
        return score

    def _init(
        self, eager: tuple[Any, ...], lazy: tuple[Any, ...], parts: ScoreParts | None
    ) -> None:
        put = object.__setattr__  # frozen: Frozen.__setattr__ refuses
        for name, value in zip(_EAGER, eager, strict=True):
            put(self, name, value)
        for name, value in zip(_LAZY, lazy, strict=True):
            put(self, name, value)
        put(self, "_parts", parts)

    def _filled(self, name: str, make: Callable[[ScoreParts], Any]) -> Any:
        value = getattr(self, name)
        if value is None:
            assert self._parts is not None
            value = make(self._parts)
            self._set(name, value)
        return value

    @property
    def total_exact(self) -> Fraction:
        value: Fraction = self._filled("_total_exact", lambda parts: parts.total_exact())
        return value

    @property
    def tier_reason_ja(self) -> str:
        reasons: Reasons = self._filled("_tier_reasons", lambda parts: parts.tier_reasons())
        return reasons[0]

    @property
    def tier_reason_en(self) -> str:
        reasons: Reasons = self._filled("_tier_reasons", lambda parts: parts.tier_reasons())
        return reasons[1]

    @property
    def gates(self) -> tuple[GateResult, ...]:
        value: tuple[GateResult, ...] = self._filled("_gates", lambda parts: parts.gates())
        return value

    @property
    def categories(self) -> tuple[CategoryScore, ...]:
        value: tuple[CategoryScore, ...] = self._filled(
            "_categories", lambda parts: parts.categories()
        )
        return value

    @property
    def fields(self) -> tuple[FieldScore, ...]:
        value: tuple[FieldScore, ...] = self._filled("_fields", lambda parts: parts.fields())
        return value

    @property
    def total(self) -> float:
        """The score to show: one decimal, rounded down."""
        if self._parts is not None:
            return self._parts.total()
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

    def to_summary_dict(self) -> dict[str, Any]:
        """Everything in to_dict() except the reason texts (same keys, same order): the compact
        form stored for every site. It writes no text, so it costs little."""
        if self._parts is not None:
            detail = self._parts.summary()
        else:
            detail = {
                "total_exact": str(self.total_exact),
                "gates": [g.to_summary_dict() for g in self.gates],
                "categories": [c.to_dict() for c in self.categories],
                "fields": [f.to_summary_dict() for f in self.fields],
            }
        return {
            "rubric_version": self.rubric_version,
            "total": self.total,
            "total_exact": detail["total_exact"],
            "tier": self.tier,
            "tier_label_ja": self.tier_label_ja,
            "tier_label_en": self.tier_label_en,
            "capped": self.capped,
            "missing_count": self.missing_count,
            "scored_count": self.scored_count,
            "missing_fraction": round(self.missing_count / (self.scored_count or 1), 4),
            "gates": detail["gates"],
            "categories": detail["categories"],
            "fields": detail["fields"],
            "connectivity": self.connectivity.to_dict(),
        }

    def to_compact_dict(self) -> dict[str, Any]:
        """What is stored with every site: totals, then gate statuses, category scores and field
        points (None: missing) by code. Equal to compacting to_summary_dict(), without its texts."""
        if self._parts is not None:
            detail = self._parts.compact()
        else:
            full = self.to_summary_dict()
            detail = {
                "gates": {g["code"]: g["status"] for g in full["gates"]},
                "categories": {c["code"]: c["score"] for c in full["categories"]},
                "fields": {
                    f["code"]: None if f["missing"] else f["points"] for f in full["fields"]
                },
            }
        return {
            "total": self.total,
            "tier": self.tier,
            "capped": self.capped,
            "missing": self.missing_count,
            "scored": self.scored_count,
            "gates": detail["gates"],
            "categories": detail["categories"],
            "fields": detail["fields"],
            "connectivity": self.connectivity.to_dict(),
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data with every reason; from_dict() reads it back."""
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
