"""The compiled fast path accepts only what WTForms accepts, and returns the same data."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask import Flask
from flask_babel import Babel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms import Form, StringField
from wtforms.validators import Email

from forms.catalog import AMENITY_CODES, CARRIERS, TRANSPORT_OPTIONS
from forms.compiled import _rules, compiled_survey, fast_validate
from forms.document import validate_site_document

KNOWN_MUNICIPALITIES = {"304018", "302015", "202142"}


def check_municipality(code: str) -> str | None:
    return None if code in KNOWN_MUNICIPALITIES else "outside your scope"


@pytest.fixture(scope="module", autouse=True)
def _context():
    """WTForms' messages are translated lazily; a bare app with Babel is enough to render them."""
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield


def both(doc: dict[str, Any]) -> tuple[dict[str, Any] | None, Any]:
    fast = fast_validate(copy.deepcopy(doc), check_municipality)
    slow = validate_site_document(copy.deepcopy(doc), check_municipality=check_municipality)
    return fast, slow


hex64 = st.text("0123456789abcdef", min_size=64, max_size=64)
uuids = st.uuids().map(str)
runs = st.fixed_dictionaries(
    {
        "uuid": uuids,
        "method": st.sampled_from(["browser", "speedtest-cli", "manual"]),
        "measured_at": st.sampled_from(["2026-11-20T10:00:00+09:00", "2026-11-20T04:00:00Z"]),
        "download_mbps": st.floats(0, 10000),
        "upload_mbps": st.integers(0, 10000),
    },
    optional={
        "latency_ms": st.floats(0, 2000),
        "jitter_ms": st.one_of(st.none(), st.floats(0, 1000)),
        "loss_pct": st.floats(0, 100),
        "server": st.text(max_size=20),
        "where_on_site": st.sampled_from(["窓際", "ブース", ""]),
    },
)
coverage_row = st.fixed_dictionaries(
    {"carrier": st.sampled_from(CARRIERS)},
    optional={
        "technology": st.sampled_from(["5g", "4g", "none", ""]),
        "rsrp_dbm": st.integers(-140, -44),
        "signal_bars": st.integers(0, 5),
        "placement": st.sampled_from(["indoor", "outdoor"]),
    },
)
valid_docs = st.fixed_dictionaries(
    {
        "uuid": uuids,
        "name": st.text(min_size=1, max_size=200).filter(lambda s: s.strip() == s and s != ""),
        "municipality_code": st.sampled_from(sorted(KNOWN_MUNICIPALITIES)),
    },
    optional={
        "name_kana": st.sampled_from(["しらはま", "ｼﾗﾊﾏ", ""]),
        "postal_code": st.sampled_from(["649-2211", "6492211", "〒６４９－２２１１"]),
        "phone": st.sampled_from(["0739-42-1234", "+81739421234"]),
        "location_source": st.sampled_from(["gps", "map", ""]),
        "location_accuracy_m": st.integers(0, 100000),
        "surveyed_on": st.dates().map(lambda d: d.isoformat()),
        "wifi_security": st.sampled_from(["wpa2", "wpa3", "open", None]),
        "wifi_client_isolation": st.one_of(st.none(), st.booleans()),
        "seats": st.integers(0, 500),
        "seats_with_outlet": st.integers(0, 2000),
        "temperature_c": st.floats(-20, 50),
        "weekday_open": st.sampled_from(["08:00", "09:30", "０９:００", "9:00", "９：１５"]),
        "days_per_week": st.integers(0, 7),
        "notes": st.text(max_size=50),
        "amenities": st.lists(st.sampled_from(sorted(AMENITY_CODES)), max_size=8),
        "transport_options": st.lists(st.sampled_from(TRANSPORT_OPTIONS), max_size=3),
        "measurements": st.lists(runs, max_size=3),
        "coverage": st.lists(coverage_row, max_size=5, unique_by=lambda c: c["carrier"]),
        "photos": st.lists(
            st.fixed_dictionaries({"sha256": hex64}, optional={"caption": st.text(max_size=30)}),
            max_size=3,
        ),
        "revision": st.integers(1, 5),
    },
).map(lambda d: _complete_pairs(d))


def _complete_pairs(doc: dict[str, Any]) -> dict[str, Any]:
    """Fields the form wants together: a point's two halves, opening and closing times."""
    if "weekday_open" in doc:
        doc["weekday_close"] = "19:00"
    if "seats" in doc:
        doc["latitude"], doc["longitude"] = 20 + doc["seats"] / 20, 122 + doc["seats"] / 17
    return doc


odd_values = st.sampled_from(
    [
        None,
        "",
        " ",
        "\u3000",
        "abc",
        "２０",
        "20",
        "20.0",
        20,
        20.0,
        20.5,
        -1,
        0,
        10**6,
        10**400,
        float("inf"),
        float("nan"),
        True,
        False,
        "yes",
        "no",
        "2026-11-20",
        "2026-1-5",
        "09:00",
        "24:00",
        "304018",
        "304019",
        "649-2211",
        "wpa3",
        "manual",
        [],
        {},
        ["wifi"],
        ["wifi", "jacuzzi"],
        [{}],
        [{"carrier": "docomo"}, {"carrier": "docomo", "rsrp_dbm": -80}],
        [{"download_mbps": 10}],
        [{"download_mbps": None, "upload_mbps": None}],
        [{"sha256": "A" * 64}],
        [{"sha256": "a" * 64, "caption": 5}],
    ]
)
field_names = st.sampled_from(
    [r.name for r in compiled_survey().scalars]
    + ["amenities", "transport_options", "measurements", "coverage", "photos", "colour", "uuid"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_docs)
def test_well_formed_documents_take_the_fast_path_with_the_same_data(doc):
    fast, slow = both(doc)
    assert slow.ok, slow.errors
    assert fast is not None, "a well-formed document fell back to WTForms"
    assert fast == slow.data


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_docs, st.lists(st.tuples(field_names, odd_values), min_size=1, max_size=4))
def test_whatever_the_fast_path_accepts_wtforms_accepts_identically(doc, edits):
    for name, value in edits:
        doc[name] = copy.deepcopy(value)
    fast, slow = both(doc)
    if fast is not None:
        assert slow.ok, (edits, slow.errors)
        assert fast == slow.data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_docs, st.sampled_from(["seats", "latitude", "name", "municipality_code"]))
def test_a_rule_broken_in_the_document_is_left_to_wtforms(doc, name):
    doc[name] = {"seats": 501, "latitude": 51.5, "name": "", "municipality_code": "999999"}[name]
    fast, slow = both(doc)
    assert fast is None
    assert not slow.ok


def test_municipality_scope_is_checked_on_the_fast_path_too():
    doc = {"uuid": "0b0c6f0e-1c1a-4c43-9a55-1f3f1d1d1d1d", "name": "x"}
    doc["municipality_code"] = "011011"
    assert fast_validate(doc, check_municipality) is None
    assert fast_validate(doc, None) is not None


def test_a_validator_the_compiler_does_not_know_is_refused_at_compile_time():
    class WithEmail(Form):
        contact = StringField(validators=[Email()])

    with pytest.raises(TypeError, match="Email"):
        _rules(WithEmail)
