"""Why a site has its tier (and why the cap applies), in Japanese and English.

score_site decides the tier in integers (Plan.tier); these functions write the reasons when they
are asked for, from the exact total, the categories, the gates and the read values.
"""

from __future__ import annotations

from fractions import Fraction

from app.scoring.model import Cap, Rubric
from app.scoring.result import CategoryScore, GateResult
from app.scoring.site import SiteView
from app.scoring.texts import labelled
from app.scoring.values import floor_tenth, fmt

Reasons = tuple[list[str], list[str]]  # (ja, en)


def cap_reason(cap: Cap, site: SiteView) -> tuple[str, str] | None:
    """Why the no-doctor cap applies (ja, en), or None when it does not (or is unknown)."""
    value = site.number(cap.input)
    if value is None or value <= cap.above:
        return None
    ja, en = labelled(cap.input, value, ">", cap.above)
    return f"{cap.label_ja} ({ja})", f"{cap.label_en} ({en})"


def decide_tier(
    rubric: Rubric,
    total: Fraction,
    categories: tuple[CategoryScore, ...],
    gates: tuple[GateResult, ...],
    cap: tuple[str, str] | None,
    missing: int,
    scored: int,
) -> tuple[str, Reasons]:
    """The tier code and why, in the rubric's order (missing data is decided first)."""
    tiers, shown = rubric.tiers, fmt(floor_tenth(total))
    fraction = Fraction(missing, scored or 1)
    if fraction > tiers.max_missing_fraction:
        limit, pct = fmt(tiers.max_missing_fraction * 100), f"{float(fraction * 100):.1f}"
        return "insufficient", (
            [f"未入力 {missing}/{scored} 項目 ({pct}%) が上限 {limit}% を超過"],
            [f"{missing} of {scored} scored items not recorded ({pct} %), more than {limit} %"],
        )
    failed = [g.code for g in gates if g.status == "fail"]
    low = total < tiers.nearly_min_score
    if failed or low:
        ja, en = [], []
        if failed:
            ja.append(f"必須条件 {'・'.join(failed)} 不合格")
            en.append(f"gate {', '.join(failed)} failed")
        if low:
            ja.append(f"スコア {shown} < {fmt(tiers.nearly_min_score)}")
            en.append(f"score {shown} < {fmt(tiers.nearly_min_score)}")
        return "invest", (ja, en)
    unknown = [g.code for g in gates if g.status == "unknown"]
    if unknown:
        codes = ", ".join(unknown)
        return "insufficient", (
            [f"必須条件 {'・'.join(unknown)} のデータ不足"],
            [f"gate {codes} lacks data"],
        )
    return _ready_or_nearly(rubric, total, shown, categories, cap)


def _ready_or_nearly(
    rubric: Rubric,
    total: Fraction,
    shown: str,
    categories: tuple[CategoryScore, ...],
    cap: tuple[str, str] | None,
) -> tuple[str, Reasons]:
    tiers = rubric.tiers
    weak = [c for c in categories if c.score_exact < tiers.category_min_share * c.weight]
    if total >= tiers.ready_min_score and cap is None and not weak:
        at = fmt(tiers.ready_min_score)
        return "ready", (
            [f"スコア {shown} ≥ {at}、必須条件すべて合格"],
            [f"score {shown} >= {at}, all gates passed"],
        )
    ja, en = [], []
    if total < tiers.ready_min_score:
        ja.append(f"スコア {shown} < {fmt(tiers.ready_min_score)}")
        en.append(f"score {shown} < {fmt(tiers.ready_min_score)}")
    if cap is not None:
        ja.append(cap[0])
        en.append(cap[1])
    share = fmt(tiers.category_min_share * 100)
    for c in weak:
        ja.append(f"{c.label_ja} {fmt(c.score_exact)}/{fmt(c.weight)} が重みの{share}%未満")
        en.append(
            f"{c.label_en} {fmt(c.score_exact)}/{fmt(c.weight)} below {share} % of its weight"
        )
    return "nearly", (ja, en)
