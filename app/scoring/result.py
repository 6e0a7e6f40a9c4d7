"""A site's score, and its JSON-ready dicts: to_dict() with the reasons (shown to people; the
API sends it) and to_summary_dict() without them (what is stored for every site).

A score computed by score_site writes no text until asked: the reasons of a field or gate, the
tier's reasons, and the per-field and per-category objects are filled in on first access. The
classes behave as frozen dataclasses (immutable, compared and hashed by their fields).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, Protocol

from app.scoring.frozen import Frozen
from app.scoring.values import floor_1dp, points_in, points_out

GateStatus = Literal["pass", "fail", "unknown"]
GATE_STATUSES: tuple[GateStatus, ...] = ("pass", "fail", "unknown")
Reasons = tuple[str, str]  # (ja, en)
Explain = Callable[[], Reasons]


def _reasons(ja: str | None, en: str | None, explain: Explain | None) -> Reasons | None:
    if explain is not None:
        return None
    if ja is None or en is None:
        raise TypeError("give reason_ja and reason_en, or explain")
    return ja, en


def _explained(result: FieldScore | GateResult) -> Reasons:
    assert result._explain is not None
    reasons = result._explain()
    result._set("_reasons", reasons)
    return reasons


class FieldScore(Frozen):
    """One scored rule of the rubric, as applied to the site."""

    __slots__ = (
        "_explain",
        "_reasons",
        "category",
        "code",
        "label_en",
        "label_ja",
        "max_points",
        "missing",
        "points",
        "value",
    )
    FIELDS = (
        "category",
        "code",
        "label_ja",
        "label_en",
        "value",
        "points",
        "max_points",
        "missing",
        "reason_ja",
        "reason_en",
    )
    _reasons: Reasons | None
    _explain: Explain | None
    category: str
    code: str
    label_ja: str
    label_en: str
    value: str | None  # the value shown, without unit; None when not recorded
    points: Fraction
    max_points: Fraction
    missing: bool

    def __init__(
        self,
        category: str,
        code: str,
        label_ja: str,
        label_en: str,
        value: str | None,
        points: Fraction,
        max_points: Fraction,
        missing: bool,
        reason_ja: str | None = None,
        reason_en: str | None = None,
        *,
        explain: Explain | None = None,
    ) -> None:
        put = object.__setattr__  # frozen: Frozen.__setattr__ refuses
        put(self, "category", category)
        put(self, "code", code)
        put(self, "label_ja", label_ja)
        put(self, "label_en", label_en)
        put(self, "value", value)
        put(self, "points", points)
        put(self, "max_points", max_points)
        put(self, "missing", missing)
        put(self, "_reasons", _reasons(reason_ja, reason_en, explain))
        put(self, "_explain", explain)

    def reasons(self) -> Reasons:
        """(reason_ja, reason_en), written on first access."""
        return self._reasons or _explained(self)

    @property
    def reason_ja(self) -> str:
        return self.reasons()[0]

    @property
    def reason_en(self) -> str:
        return self.reasons()[1]

    def to_summary_dict(self) -> dict[str, Any]:
        """to_dict() without the reasons."""
        return {
            "category": self.category,
            "code": self.code,
            "label_ja": self.label_ja,
            "label_en": self.label_en,
            "value": self.value,
            "points": points_out(self.points),
            "max_points": points_out(self.max_points),
            "missing": self.missing,
        }

    def to_dict(self) -> dict[str, Any]:
        ja, en = self.reasons()
        return self.to_summary_dict() | {"reason_ja": ja, "reason_en": en}

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


class GateResult(Frozen):
    __slots__ = ("_explain", "_reasons", "code", "label_en", "label_ja", "status")
    FIELDS = ("code", "label_ja", "label_en", "status", "reason_ja", "reason_en")
    _reasons: Reasons | None
    _explain: Explain | None
    code: str
    label_ja: str
    label_en: str
    status: GateStatus

    def __init__(
        self,
        code: str,
        label_ja: str,
        label_en: str,
        status: GateStatus,
        reason_ja: str | None = None,
        reason_en: str | None = None,
        *,
        explain: Explain | None = None,
    ) -> None:
        put = object.__setattr__  # frozen: Frozen.__setattr__ refuses
        put(self, "code", code)
        put(self, "label_ja", label_ja)
        put(self, "label_en", label_en)
        put(self, "status", status)
        put(self, "_reasons", _reasons(reason_ja, reason_en, explain))
        put(self, "_explain", explain)

    def reasons(self) -> Reasons:
        """(reason_ja, reason_en), written on first access."""
        return self._reasons or _explained(self)

    @property
    def reason_ja(self) -> str:
        return self.reasons()[0]

    @property
    def reason_en(self) -> str:
        return self.reasons()[1]

    def to_summary_dict(self) -> dict[str, Any]:
        """to_dict() without the reasons."""
        return {
            "code": self.code,
            "label_ja": self.label_ja,
            "label_en": self.label_en,
            "status": self.status,
        }

    def to_dict(self) -> dict[str, Any]:
        ja, en = self.reasons()
        return self.to_summary_dict() | {"reason_ja": ja, "reason_en": en}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> GateResult:
        status = next(s for s in GATE_STATUSES if s == d["status"])
        return cls(d["code"], d["label_ja"], d["label_en"], status, d["reason_ja"], d["reason_en"])


class ScoreParts(Protocol):
    """What a computed score fills in on demand (app.scoring.explain.Computed)."""

    def total(self) -> float: ...
    def total_exact(self) -> Fraction: ...
    def tier_reasons(self) -> Reasons: ...
    def gates(self) -> tuple[GateResult, ...]: ...
    def categories(self) -> tuple[CategoryScore, ...]: ...
    def fields(self) -> tuple[FieldScore, ...]: ...
    def summary(self) -> dict[str, Any]: ...  # total_exact, gates, categories and fields
    def compact(self) -> dict[str, Any]: ...  # gate statuses, category scores, field points


def __getattr__(name: str) -> Any:
    """SiteScore lives in app.scoring.sitescore; it is still importable from here."""
    if name == "SiteScore":
        from app.scoring.sitescore import SiteScore  # sitescore imports this module

        return SiteScore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
