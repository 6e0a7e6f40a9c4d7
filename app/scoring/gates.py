"""The hard gates: each check is pass, fail or unknown; any failure fails the gate."""

from __future__ import annotations

from fractions import Fraction

from app.scoring.model import NEGATED, Condition, Gate, HoursCheck, WifiCheck, compare
from app.scoring.result import GateStatus
from app.scoring.schema import FLAG_INPUTS, NUMBER_INPUTS, code_label
from app.scoring.site import SiteView
from app.scoring.texts import labelled
from app.scoring.values import fmt

Check = tuple[bool | None, str, str]  # (holds, ja, en); None = no data


def gate_reasons(gate: Gate, site: SiteView) -> tuple[str, str]:
    """Why this gate passes, fails or lacks data for this site: (reason_ja, reason_en)."""
    return _evaluate(gate, site)[1]


def _evaluate(gate: Gate, site: SiteView) -> tuple[GateStatus, tuple[str, str]]:
    checks = [_condition(c, site) for c in gate.conditions]
    checks += [_yes(name, site) for name in gate.yes]
    if gate.hours is not None:
        checks.append(_hours(gate.hours, site))
    if gate.wifi is not None:
        checks.append(_wifi(gate.wifi, site))
    status, shown = _combine(checks)
    ja = {"pass": "合格", "fail": "不合格", "unknown": "データ不足"}[status]
    en = {"pass": "passed", "fail": "failed", "unknown": "lacks data"}[status]
    reason_ja = f"{gate.code} {gate.label_ja}: {ja} ({'、'.join(c[1] for c in shown)})"
    reason_en = f"{gate.code} {gate.label_en}: {en} ({'; '.join(c[2] for c in shown)})"
    return status, (reason_ja, reason_en)


def _combine(checks: list[Check]) -> tuple[GateStatus, list[Check]]:
    failed = [c for c in checks if c[0] is False]
    if failed:
        return "fail", failed
    unknown = [c for c in checks if c[0] is None]
    if unknown:
        return "unknown", unknown
    return "pass", checks


def _condition(cond: Condition, site: SiteView) -> Check:
    info, value = NUMBER_INPUTS[cond.input], site.number(cond.input)
    if value is None:
        return None, f"{info.label_ja} 未入力", f"{info.label_en} not recorded"
    holds = compare(value, cond.op, cond.at)
    ja, en = labelled(cond.input, value, cond.op if holds else NEGATED[cond.op], cond.at)
    return holds, ja, en


def _yes(name: str, site: SiteView) -> Check:
    info, answer = FLAG_INPUTS[name], site.flag(name)
    if answer is None:
        return None, f"{info.label_ja} 未入力", f"{info.label_en} not recorded"
    ja, en = ("はい", "yes") if answer else ("いいえ", "no")
    return answer, f"{info.label_ja} {ja}", f"{info.label_en} {en}"


def _hours(check: HoursCheck, site: SiteView) -> Check:
    holds = site.weekday_hours_ok(check)
    need_ja = f"平日{fmt(check.min_hours)}時間以上・週{fmt(check.min_days)}日以上"
    need_en = f">= {fmt(check.min_hours)} h on >= {fmt(check.min_days)} days"
    if check.access_24h in site.codes("amenities"):
        return holds, "24時間利用", "24-h access"
    span, days, text = site.open_minutes(), site.number("days_per_week"), site.hours_text()
    hours_ja = f"{text} ({fmt(Fraction(span, 60))}時間)" if span is not None else "時間 未入力"
    hours_en = f"{text} ({fmt(Fraction(span, 60))} h)" if span is not None else "hours not recorded"
    days_ja = f"週{fmt(days)}日" if days is not None else "日数 未入力"
    days_en = f"{fmt(days)} days a week" if days is not None else "days not recorded"
    return (
        holds,
        f"{hours_ja}・{days_ja} (必要: {need_ja})",
        f"{hours_en}, {days_en} (needs {need_en})",
    )


def _wifi(check: WifiCheck, site: SiteView) -> Check:
    code = site.code(check.input)
    if code is None:
        return None, "Wi-Fi暗号化 未入力", "Wi-Fi security not recorded"
    ja, en = code_label(code, "ja", check.input), code_label(code, "en", check.input)
    if code in check.pass_codes:
        return True, f"Wi-Fi {ja}", f"Wi-Fi {en}"
    if code == check.no_wifi:
        wired = check.wired_amenity in site.codes("amenities")
        has = ("あり", "with") if wired else ("なし", "without")
        return wired, f"Wi-Fiなし・有線LAN{has[0]}", f"no Wi-Fi, {has[1]} wired LAN"
    return False, f"Wi-Fi「{ja}」は暗号化が不十分", f"Wi-Fi “{en}” is not encrypted enough"
