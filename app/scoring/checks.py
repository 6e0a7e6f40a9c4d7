"""The hard gates and the no-doctor cap compiled to functions of a site's read values.

A gate's status follows app.scoring.gates exactly (any failing check fails it, else any check
without data makes it unknown, else it passes); the reasons are written there, on demand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.scoring.fastnum import compile_test
from app.scoring.model import Cap, Condition, Gate, HoursCheck, WifiCheck
from app.scoring.result import GateStatus
from app.scoring.scorers import MINUTES

Values = dict[str, Any]
Check = Callable[[Values], Any]  # True, False or None (no data)


def compile_gate(gate: Gate) -> Callable[[Values], GateStatus]:
    checks = [_condition(c) for c in gate.conditions]
    checks += [_yes(name) for name in gate.yes]
    if gate.hours is not None:
        checks.append(hours_check(gate.hours))
    if gate.wifi is not None:
        checks.append(_wifi(gate.wifi))

    def status(values: Values) -> GateStatus:
        results = [check(values) for check in checks]
        if False in results:
            return "fail"
        if None in results:
            return "unknown"
        return "pass"

    return status


def compile_cap(cap: Cap) -> Check:
    """Whether the cap applies: the value is known and above the limit."""
    name, above = cap.input, compile_test(">", cap.above)
    return lambda values: (value := values[name]) is not None and above(value)


def _condition(cond: Condition) -> Check:
    name, test = cond.input, compile_test(cond.op, cond.at)
    return lambda values: None if (value := values[name]) is None else test(value)


def _yes(name: str) -> Check:
    return lambda values: values[name]


def hours_check(check: HoursCheck) -> Check:
    """SiteView.weekday_hours_ok: True, False, or None when unknown."""
    access = check.access_24h
    span_ok = compile_test(">=", check.min_hours * 60)
    days_ok = compile_test(">=", check.min_days)

    def holds(values: Values) -> bool | None:
        if access in values["amenities"]:
            return True
        span, days = values[MINUTES], values["days_per_week"]
        if span is not None and not span_ok(span):
            return False
        if days is not None and not days_ok(days):
            return False
        if span is None or days is None:
            return None
        return True

    return holds


def _wifi(check: WifiCheck) -> Check:
    name, passing, no_wifi, wired = (
        check.input,
        check.pass_codes,
        check.no_wifi,
        check.wired_amenity,
    )

    def holds(values: Values) -> bool | None:
        code = values[name]
        if code is None:
            return None
        if code in passing:
            return True
        if code == no_wifi:
            return wired in values["amenities"]
        return False

    return holds
