"""The generated per-form function does exactly what FieldRule.apply does, rule by rule."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms.compiled import Reject, _Bound, compiled_survey
from forms.compiled_source import apply_all
from tests.forms.test_compiled import _context, odd_values  # noqa: F401  (_context: autouse)

COMPILED = compiled_survey()
BASES = {  # a valid source for each part, which the test then edits field by field
    "scalars": {"name": "x", "municipality_code": "304018"},
    "runs": {"method": "manual", "download_mbps": 10.0, "upload_mbps": 5},
    "carriers": {"carrier": "docomo"},
}
PARTS = {
    "scalars": (COMPILED.scalars, COMPILED.apply_scalars),
    "runs": (COMPILED.runs, COMPILED.apply_run),
    "carriers": (COMPILED.carriers, COMPILED.apply_carrier),
}
VALUES = st.one_of(  # the odd values of the WTForms comparison, and some the nested parts take
    odd_values,
    st.sampled_from(
        [
            "2026-11-20T10:00:00+09:00",
            "0739-42-1234",
            "999999",
            "docomo",
            "5g",
            "indoor",
            "0b0c6f0e-1c1a-4c43-9a55-1f3f1d1d1d1d",
        ]
    ),
)


def reference(rules: Any, source: dict[str, Any], form: Any) -> Any:
    try:
        return {rule.name: rule.apply(source.get(rule.name), form) for rule in rules}
    except Reject:
        return Reject


def generated(apply: Any, source: dict[str, Any], form: Any) -> Any:
    try:
        return apply(source, form)
    except Reject:
        return Reject


def same(a: Any, b: Any) -> bool:
    if a is Reject or b is Reject:
        return a is b
    return a.keys() == b.keys() and all(
        x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))
        for x, y in zip(a.values(), b.values(), strict=True)
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(PARTS)), st.data())
def test_the_generated_function_equals_the_rules_applied_one_by_one(part, data):
    rules, apply = PARTS[part]
    names = st.sampled_from([rule.name for rule in rules])
    edits = data.draw(st.dictionaries(names, VALUES, min_size=1, max_size=3))
    source = BASES[part] | edits
    form = _Bound(check_municipality=lambda code: None if code == "304018" else "outside")
    expected = reference(rules, copy.deepcopy(source), form)
    assert same(generated(apply, copy.deepcopy(source), form), expected), source


def test_each_base_source_is_accepted():
    """Otherwise the property above would compare rejections only."""
    form = _Bound(check_municipality=lambda code: None)
    for part, (_, apply) in PARTS.items():
        assert generated(apply, dict(BASES[part]), form) is not Reject, part


def test_every_field_of_a_valid_document_is_generated_and_accepted():
    run = {
        "uuid": "0b0c6f0e-1c1a-4c43-9a55-1f3f1d1d1d1d",
        "measured_at": "2026-11-20T10:00:00+09:00",
        "method": "manual",
        "download_mbps": 120,
        "upload_mbps": 40.5,
    }
    out = COMPILED.apply_run(run, None)
    assert list(out) == [rule.name for rule in COMPILED.runs]
    assert out["download_mbps"] == 120.0 and type(out["download_mbps"]) is float
    assert out["latency_ms"] is None


def test_a_value_out_of_range_is_rejected_by_the_generated_code():
    run = {"method": "manual", "download_mbps": 10001.0}
    with pytest.raises(Reject):
        COMPILED.apply_run(run, None)


def test_an_empty_rule_set_gives_an_empty_function():
    assert apply_all((), Reject)({"anything": 1}, None) == {}
