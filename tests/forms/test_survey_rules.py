"""The survey's rules, checked without a browser: the same ones validate a JSON document."""

from __future__ import annotations

import pytest

from forms.compiled import fast_validate
from forms.document import flatten_errors, validate_site_document
from forms.validators import in_japan, normalize_postal_code, parse_hhmm

VALID = {
    "uuid": "0b0c6f0e-1c1a-4c43-9a55-1f3f1d1d1d1d",
    "name": "白浜テスト",
    "municipality_code": "304018",
    "latitude": 33.678,
    "longitude": 135.348,
    "wifi_client_isolation": True,
    "seats": 20,
    "amenities": ["wifi", "aed"],
    "measurements": [{"download_mbps": 100, "upload_mbps": 20, "latency_ms": 20}],
    "coverage": [{"carrier": "docomo", "technology": "5g", "rsrp_dbm": -85}],
    "photos": [{"sha256": "a" * 64, "caption": "入口"}],
}


@pytest.fixture(autouse=True)
def _context(app):
    """Rules run inside an app context only for translated messages (defaults to Japanese)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def test_a_valid_document_passes_and_is_cleaned():
    check = validate_site_document(VALID)
    assert check.ok, check.errors
    assert check.data["seats"] == 20 and check.data["wifi_client_isolation"] is True
    assert check.data["wifi_guest_network"] is None
    assert check.data["amenities"] == ["aed", "wifi"]
    assert check.data["measurements"][0]["download_mbps"] == 100.0
    assert check.data["photos"] == [{"sha256": "a" * 64, "caption": "入口"}]


@pytest.mark.parametrize(
    ("field", "value", "path", "message"),
    [
        ("seats", 501, "seats", "from 0 to 500"),
        ("seats", -1, "seats", "from 0 to 500"),
        ("seats", "many", "seats", "whole number"),
        ("desk_lux", 1.5, "desk_lux", "whole number"),
        ("temperature_c", "warm", "temperature_c", "Enter a number"),
        ("desk_lux", 100001, "desk_lux", "from 0 to 100000"),
        ("temperature_c", 50.5, "temperature_c", "from -20 to 50"),
        ("municipality_code", "304019", "municipality_code", "check digit"),
        ("municipality_code", "30401", "municipality_code", ""),
        ("postal_code", "649-221", "postal_code", "7-digit postal code"),
        ("latitude", 51.5, "latitude", "outside Japan"),
        ("weekday_open", "9時", "weekday_open", "HH:MM"),
        ("weekday_open", "25:00", "weekday_open", "HH:MM"),
        ("wifi_security", "wpa9", "wifi_security", "Not a valid choice"),
        ("amenities", ["wifi", "jacuzzi"], "amenities", "not a valid choice"),
        ("wifi_client_isolation", "maybe", "wifi_client_isolation", "Not a valid choice"),
        ("name", "", "name", "required"),
        ("colour", "blue", "colour", "Unknown field"),
        ("seats", {"n": 1}, "seats", "single value"),
    ],
)
def test_each_rule_reports_its_field(field, value, path, message):
    doc = VALID | {field: value}
    if field == "latitude":
        doc["longitude"] = -0.12
    check = validate_site_document(doc)
    assert not check.ok
    assert path in check.errors, check.errors
    assert message.lower() in " ".join(check.errors[path]).lower()
    assert check.data == {}


@pytest.mark.parametrize(("low", "high"), [(0, 0), (500, 500), (0, 500)])
def test_range_bounds_are_inclusive(low, high):
    assert validate_site_document(VALID | {"seats": low}).ok
    assert validate_site_document(VALID | {"seats": high}).ok


def test_nested_errors_have_paths():
    doc = VALID | {
        "measurements": [
            {"download_mbps": 50, "upload_mbps": 10},
            {"download_mbps": 20000, "upload_mbps": 1},
            {"latency_ms": 20},
        ],
        "coverage": [{"carrier": "docomo", "rsrp_dbm": -20}],
    }
    errors = validate_site_document(doc).errors
    assert "measurements[1].download_mbps" in errors
    assert "measurements[2].download_mbps" in errors  # a run needs download and upload
    assert "measurements[0].download_mbps" not in errors
    assert "coverage[0].rsrp_dbm" in errors


def test_point_needs_both_coordinates_and_hours_both_times():
    errors = validate_site_document(
        VALID | {"longitude": None, "weekday_open": "09:00", "weekday_close": None}
    ).errors
    assert "longitude" in errors and "weekday_close" in errors


def test_closing_before_opening_is_refused():
    errors = validate_site_document(
        VALID | {"weekday_open": "18:00", "weekday_close": "09:00"}
    ).errors
    assert "after the opening time" in errors["weekday_close"][0]


def test_photo_refs_are_checked():
    errors = validate_site_document(VALID | {"photos": [{"sha256": "XYZ"}]}).errors
    assert "photos[0].sha256" in errors


def test_not_an_object():
    assert validate_site_document(["x"]).errors == {"": ["A site document must be a JSON object."]}


def test_unknown_carrier_is_refused():
    errors = validate_site_document(VALID | {"coverage": [{"carrier": "vodafone"}]}).errors
    assert "coverage[0].carrier" in errors


def test_flatten_errors_shape():
    nested = {"a": ["x"], "runs": [{"b": ["y"]}, {}], "sub": {"c": ["z"]}}
    assert flatten_errors(nested) == {"a": ["x"], "runs[0].b": ["y"], "sub.c": ["z"]}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("649-2211", "649-2211"),
        ("6492211", "649-2211"),
        ("〒６４９－２２１１", "649-2211"),
        ("649 2211", None),
        ("64922111", None),
        ("abc-defg", None),
    ],
)
def test_postal_codes(raw, expected):
    assert normalize_postal_code(raw) == expected


@pytest.mark.parametrize(
    ("raw", "minutes"),
    [
        ("09:00", 540),
        ("００:３０", 30),
        ("24:00", 1440),
        ("24:01", None),
        ("9:00", 540),  # decided 2026-11-29: a missing leading zero is no reason to refuse
        ("9:0", None),
        ("109:00", None),
        ("", None),
    ],
)
def test_hhmm(raw, minutes):
    assert parse_hhmm(raw) == minutes


@pytest.mark.parametrize(
    ("lat", "lon", "inside"),
    [
        (20, 122, True),
        (46, 154, True),
        (19.99, 130, False),
        (35, 154.01, False),
        (35.68, 139.77, True),
    ],
)
def test_inside_japan(lat, lon, inside):
    assert in_japan(lat, lon) is inside


def test_a_carrier_recorded_twice_is_refused():
    doc = VALID | {"coverage": [{"carrier": "au"}, {"carrier": "au", "technology": "4g"}]}
    assert "Each carrier can be recorded once." in validate_site_document(doc).errors["coverage"]


def test_too_many_coverage_rows_are_refused():
    rows = [{"carrier": c} for c in ("docomo", "au", "softbank", "rakuten", "rakuten_partner")]
    assert "coverage" in validate_site_document(VALID | {"coverage": [*rows, rows[0]]}).errors


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("9:00", "09:00"), ("９:００", "09:00"), ("０９：３０", "09:30"), ("18:00", "18:00")],
)
def test_times_typed_without_a_leading_zero_or_in_full_width_are_kept_as_hh_mm(typed, stored):
    """A Japanese keyboard gives full-width digits; people write 9:00 as often as 09:00."""
    check = validate_site_document(VALID | {"weekday_open": typed, "weekday_close": "19:00"})
    assert check.ok, check.errors
    assert check.data["weekday_open"] == stored
    fast = fast_validate(VALID | {"weekday_open": typed, "weekday_close": "19:00"})
    assert fast is not None and fast["weekday_open"] == stored
