"""Apply one rubric rule to a site: points, the value shown and a reason in Japanese and English."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from app.scoring.model import (
    NEGATED,
    AlternativesRule,
    CarriersRule,
    ChoiceRule,
    HoursRule,
    Ladder,
    RatioRule,
    Rule,
    SetRule,
    StepsRule,
    WithinRule,
    YesRule,
    compare,
)
from app.scoring.schema import FLAG_INPUTS, NUMBER_INPUTS, code_label
from app.scoring.site import SiteView
from app.scoring.texts import Texts, compared, labelled, shown
from app.scoring.values import fmt, points_en, points_ja, to_fraction

ZERO = Fraction(0)


@dataclass(frozen=True)
class Outcome:
    """What a rule found: points, the value shown and the reason's detail (after the label)."""

    points: Fraction = ZERO
    value: str | None = None
    ja: str = ""
    en: str = ""
    missing: bool = False


def missing(ja_detail: str = "", en_detail: str = "") -> Outcome:
    ja = "未入力" + (f" ({ja_detail})" if ja_detail else "")
    en = "not recorded" + (f" ({en_detail})" if en_detail else "")
    return Outcome(ja=ja, en=en, missing=True)


def rule_reasons(rule: Rule, site: SiteView) -> tuple[str, str]:
    """Why this rule scores what it does for this site: (reason_ja, reason_en)."""
    return _reasons(rule, EVALUATORS[type(rule.spec)](rule.spec, site))


def _reasons(rule: Rule, outcome: Outcome) -> tuple[str, str]:
    ja, en = f"{rule.label_ja}: {outcome.ja}", f"{rule.label_en}: {outcome.en}"
    if outcome.missing and rule.optional:
        return f"{ja}(任意、{points_ja(ZERO)})", f"{en} (optional, {points_en(ZERO)})"
    if not outcome.missing:
        return f"{ja} → {points_ja(outcome.points)}", f"{en} → {points_en(outcome.points)}"
    return ja, en


def _on_ladder(ladder: Ladder, value: Fraction, texts: Texts, text: str) -> Outcome:
    """Points from the first step that holds; the reason names that step (or the last one)."""
    step = ladder.match(value)
    op = ladder.op if step else NEGATED[ladder.op]
    at = step.at if step else ladder.steps[-1].at
    ja, en = compared(texts, op, at)
    return Outcome(step.points if step else ZERO, text, ja, en)


def _steps(rule: StepsRule, site: SiteView) -> Outcome:
    value = site.number(rule.input)
    if value is None:
        return missing()
    return _on_ladder(rule.ladder, value, shown(rule.input, value), fmt(value))


def _ratio(rule: RatioRule, site: SiteView) -> Outcome:
    count, per = site.number(rule.input), site.number(rule.per)
    if count is None or (per is None and rule.count is None):
        return missing()
    text = fmt(count) if per is None else f"{fmt(count)}/{fmt(per)}"
    if per:
        ratio = count / per
        ratio_text = f"{text} = {fmt(ratio)}"
        outcome = _on_ladder(rule.ladder, ratio, (ratio_text, ratio_text), text)
        if outcome.points or rule.count is None:
            return outcome
    if rule.count is not None:
        return _on_ladder(rule.count, count, shown(rule.input, count), text)
    per_info = NUMBER_INPUTS[rule.per]
    return Outcome(ZERO, text, f"{per_info.label_ja} 0", f"{per_info.label_en} 0")


def _yes(rule: YesRule, site: SiteView) -> Outcome:
    answers = [(name, site.flag(name)) for name in rule.inputs]
    blank = [FLAG_INPUTS[name] for name, answer in answers if answer is None]
    if blank and len(answers) == 1:
        return missing()
    if blank:
        return missing("・".join(i.label_ja for i in blank), ", ".join(i.label_en for i in blank))
    points = rule.points * sum(1 for _, answer in answers if answer)
    if len(answers) == 1:
        answer = answers[0][1]
        return Outcome(points, "yes" if answer else "no", _yes_ja(answer), _yes_en(answer))
    ja = "・".join(f"{FLAG_INPUTS[n].label_ja} {_yes_ja(a)}" for n, a in answers)
    en = ", ".join(f"{FLAG_INPUTS[n].label_en} {_yes_en(a)}" for n, a in answers)
    value = "; ".join(f"{n}={_yes_en(a)}" for n, a in answers)
    return Outcome(points, value, ja, en)


def _yes_ja(answer: bool | None) -> str:
    return "はい" if answer else "いいえ"


def _yes_en(answer: bool | None) -> str:
    return "yes" if answer else "no"


def _choice(rule: ChoiceRule, site: SiteView) -> Outcome:
    code = site.code(rule.input)
    if code is None:
        return missing()
    ja, en = code_label(code, "ja", rule.input), code_label(code, "en", rule.input)
    return Outcome(rule.points_for(code), code, ja, en)


def _set(rule: SetRule, site: SiteView) -> Outcome:
    ticked = site.codes(rule.list_name)
    present = [code for code in rule.codes if code in ticked]
    value = ", ".join(present)
    if rule.require_all:
        lacking = [code for code in rule.codes if code not in ticked]
        if not lacking:
            return Outcome(rule.points, value, "すべてあり", "all present")
        ja, en = _names(lacking, rule.list_name)
        return Outcome(ZERO, value, f"不足 ({ja})", f"lacking ({en})")
    if not present:
        return Outcome(ZERO, value, "なし", "none")
    ja, en = _names(present, rule.list_name)
    return Outcome(rule.points, value, f"あり ({ja})", f"present ({en})")


def _names(codes: list[str], input_name: str) -> tuple[str, str]:
    ja = "・".join(code_label(c, "ja", input_name) for c in codes)
    return ja, ", ".join(code_label(c, "en", input_name) for c in codes)


def _carriers(rule: CarriersRule, site: SiteView) -> Outcome:
    rows = [r for r in site.coverage() if r.get("carrier") in rule.carriers and _recorded(r)]
    if not rows:
        return missing()
    good = sorted({str(r["carrier"]) for r in rows if _covered(rule, r)}, key=rule.carriers.index)
    ja, en = _names(good, "carrier") if good else ("-", "-")
    counted = f"{len(good)}社 ({ja})", f"{len(good)} ({en})"
    outcome = _on_ladder(rule.ladder, Fraction(len(good)), counted, str(len(good)))
    rsrp, bars = fmt(rule.rsrp_at), fmt(rule.bars_at)
    ja = f"RSRP ≥ {rsrp} dBm (RSRPなしはアンテナ{bars}本以上) のキャリア {outcome.ja}"
    en = f"carriers with RSRP >= {rsrp} dBm (else >= {bars} bars): {outcome.en}"
    return Outcome(outcome.points, outcome.value, ja, en)


def _recorded(row: Any) -> bool:
    return any(row.get(k) not in (None, "") for k in ("technology", "rsrp_dbm", "signal_bars"))


def _covered(rule: CarriersRule, row: Any) -> bool:
    rsrp, bars = to_fraction(row.get("rsrp_dbm")), to_fraction(row.get("signal_bars"))
    if rsrp is not None:
        return rsrp >= rule.rsrp_at
    return bars is not None and bars >= rule.bars_at


def _hours(rule: HoursRule, site: SiteView) -> Outcome:
    if rule.weekday.access_24h in site.codes("amenities"):
        return Outcome(rule.max_points, "24h", "24時間利用", "24-h access")
    span, days, text = site.open_minutes(), site.number("days_per_week"), site.hours_text()
    if span is None or days is None or text is None:
        return missing()
    weekday = span >= rule.weekday.min_hours * 60 and days >= rule.weekday.min_days
    extended = days >= rule.extended_days
    points = rule.weekday_points * weekday + rule.extended_points * extended
    hours = fmt(Fraction(span, 60))
    ja, en = (
        f"{text} ({hours}時間)・週{fmt(days)}日",
        f"{text} ({hours} h), {fmt(days)} days a week",
    )
    return Outcome(points, f"{text}; days_per_week={fmt(days)}", ja, en)


def _within(rule: WithinRule, site: SiteView) -> Outcome:
    values = [(r, site.number(r.input)) for r in rule.ranges]
    blank = [NUMBER_INPUTS[r.input] for r, v in values if v is None]
    if blank:
        return missing("・".join(i.label_ja for i in blank), ", ".join(i.label_en for i in blank))
    known = [(r, v) for r, v in values if v is not None]
    inside = all(r.low <= v <= r.high for r, v in known)
    value = "; ".join(f"{r.input}={fmt(v)}" for r, v in known)
    got = [shown(r.input, v) for r, v in known]
    spans = [shown(r.input, r.high) for r, _ in known]
    span_ja = "、".join(f"{fmt(r.low)}–{s[0]}" for (r, _), s in zip(known, spans, strict=True))
    span_en = ", ".join(f"{fmt(r.low)}–{s[1]}" for (r, _), s in zip(known, spans, strict=True))
    ja = f"{'・'.join(g[0] for g in got)} は範囲{'内' if inside else '外'} ({span_ja})"
    en = f"{', '.join(g[1] for g in got)} {'within' if inside else 'outside'} {span_en}"
    return Outcome(rule.points if inside else ZERO, value, ja, en)


def _alternatives(rule: AlternativesRule, site: SiteView) -> Outcome:
    values = {name: site.number(name) for name in rule.inputs}
    known = {name: v for name, v in values.items() if v is not None}
    if not known:
        return missing()
    value = "; ".join(f"{name}={fmt(v)}" for name, v in known.items())
    for option in rule.options:
        for cond in option.any:
            v = known.get(cond.input)
            if v is not None and compare(v, cond.op, cond.at):
                ja, en = labelled(cond.input, v, cond.op, cond.at)
                return Outcome(option.points, value, ja, en)
    ja = "、".join(f"{NUMBER_INPUTS[n].label_ja} {shown(n, v)[0]}" for n, v in known.items())
    en = ", ".join(f"{NUMBER_INPUTS[n].label_en} {shown(n, v)[1]}" for n, v in known.items())
    return Outcome(ZERO, value, f"条件外 ({ja})", f"no condition met ({en})")


EVALUATORS: dict[type, Callable[[Any, SiteView], Outcome]] = {
    StepsRule: _steps,
    RatioRule: _ratio,
    YesRule: _yes,
    ChoiceRule: _choice,
    SetRule: _set,
    CarriersRule: _carriers,
    HoursRule: _hours,
    WithinRule: _within,
    AlternativesRule: _alternatives,
}
