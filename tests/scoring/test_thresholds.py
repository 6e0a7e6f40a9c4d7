"""Every points row of the spec at, just below and just above its boundary.

Expected points are copied BY HAND from shared/spec/readiness-rubric.md ("Fields and points"),
never read from the rubric file, so a wrong number in the file fails here.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from app.scoring import load_rubric, score_site


def field(code: str, doc: dict[str, Any]) -> tuple[Fraction | int, bool]:
    """(points, missing) of one rule for a document holding only the inputs under test."""
    result = score_site(doc, load_rubric()).field(code)
    return result.points, result.missing


def run(**values: Any) -> dict[str, Any]:
    """A document with one speed run."""
    return {"measurements": [values]}


# (rule code, document, points) -- one row per boundary probe
SPEED = [
    ("download", run(download_mbps=100), 7),
    ("download", run(download_mbps=99.99), 5),
    ("download", run(download_mbps=100.01), 7),
    ("download", run(download_mbps=25), 5),
    ("download", run(download_mbps=24.99), 2),
    ("download", run(download_mbps=25.01), 5),
    ("download", run(download_mbps=10), 2),
    ("download", run(download_mbps=9.99), 0),
    ("download", run(download_mbps=10.01), 2),
    ("upload", run(upload_mbps=20), 7),
    ("upload", run(upload_mbps=19.99), 5),
    ("upload", run(upload_mbps=20.01), 7),
    ("upload", run(upload_mbps=10), 5),
    ("upload", run(upload_mbps=9.99), 2),
    ("upload", run(upload_mbps=10.01), 5),
    ("upload", run(upload_mbps=3), 2),
    ("upload", run(upload_mbps=2.99), 0),
    ("upload", run(upload_mbps=3.01), 2),
    ("latency", run(latency_ms=30), 4),
    ("latency", run(latency_ms=29.99), 4),
    ("latency", run(latency_ms=30.01), 3),
    ("latency", run(latency_ms=60), 3),
    ("latency", run(latency_ms=60.01), 1),
    ("latency", run(latency_ms=59.99), 3),
    ("latency", run(latency_ms=100), 1),
    ("latency", run(latency_ms=100.01), 0),
    ("latency", run(latency_ms=99.99), 1),
    ("jitter", run(jitter_ms=15), 2),
    ("jitter", run(jitter_ms=15.01), 1),
    ("jitter", run(jitter_ms=14.99), 2),
    ("jitter", run(jitter_ms=30), 1),
    ("jitter", run(jitter_ms=29.99), 1),
    ("jitter", run(jitter_ms=30.01), 0),
    ("loss", run(loss_pct=0.1), 1),  # "< 0.1": 0.1 itself is not below
    ("loss", run(loss_pct=0.09), 2),
    ("loss", run(loss_pct=0), 2),
    ("loss", run(loss_pct=1), 0),
    ("loss", run(loss_pct=0.99), 1),
    ("loss", run(loss_pct=1.01), 0),
]


def cov(*rows: tuple[str, int | None, int | None]) -> dict[str, Any]:
    return {
        "coverage": [
            {"carrier": c, "technology": "4g", "rsrp_dbm": rsrp, "signal_bars": bars}
            for c, rsrp, bars in rows
        ]
    }


COVERAGE = [
    ("mobile_coverage", cov(("docomo", -90, None)), 1),
    ("mobile_coverage", cov(("docomo", -91, None)), 0),
    ("mobile_coverage", cov(("docomo", -89, None)), 1),
    ("mobile_coverage", cov(("docomo", -80, None), ("au", -90, None)), 2),
    ("mobile_coverage", cov(("docomo", -80, None), ("au", -85, None), ("softbank", -70, None)), 3),
    (
        "mobile_coverage",
        cov(
            ("docomo", -80, None),
            ("au", -85, None),
            ("softbank", -70, None),
            ("rakuten", -60, None),
        ),
        3,
    ),
    ("mobile_coverage", cov(("docomo", -80, None), ("rakuten_partner", -60, None)), 1),
    ("mobile_coverage", cov(("au", None, 4)), 1),  # bars only: >= 4 counts
    ("mobile_coverage", cov(("au", None, 3)), 0),
    ("mobile_coverage", cov(("au", -95, 5)), 0),  # RSRP decides when recorded
]

WORKSPACE = [
    ("outlets", {"seats": 10, "seats_with_outlet": 10}, 4),
    ("outlets", {"seats": 10, "seats_with_outlet": 11}, 4),
    ("outlets", {"seats": 10, "seats_with_outlet": 9}, 2),
    ("outlets", {"seats": 10, "seats_with_outlet": 5}, 2),
    ("outlets", {"seats": 10, "seats_with_outlet": 4}, 0),
    ("outlets", {"seats": 2, "seats_with_outlet": 1}, 2),
    ("outlets", {"seats": 3, "seats_with_outlet": 1}, 0),
    ("outlets", {"seats": 0, "seats_with_outlet": 3}, 0),
    ("meeting_booths", {"seats": 10, "meeting_booths": 1}, 4),
    ("meeting_booths", {"seats": 9, "meeting_booths": 1}, 4),
    ("meeting_booths", {"seats": 11, "meeting_booths": 1}, 2),
    ("meeting_booths", {"seats": 30, "meeting_booths": 3}, 4),
    ("meeting_booths", {"seats": 31, "meeting_booths": 3}, 2),
    ("meeting_booths", {"seats": 10, "meeting_booths": 0}, 0),
    ("meeting_booths", {"seats": 0, "meeting_booths": 1}, 2),
    ("meeting_booths", {"seats": None, "meeting_booths": 1}, 2),
    ("meeting_booths", {"seats": 0, "meeting_booths": 0}, 0),
    (
        "chair",
        {"chair_height_adjustable": True, "chair_back_adjustable": True, "chair_armrests": True},
        3,
    ),
    (
        "chair",
        {"chair_height_adjustable": True, "chair_back_adjustable": False, "chair_armrests": True},
        2,
    ),
    (
        "chair",
        {"chair_height_adjustable": False, "chair_back_adjustable": False, "chair_armrests": False},
        0,
    ),
    ("desk_lux", {"desk_lux": 300}, 2),
    ("desk_lux", {"desk_lux": 299}, 0),
    ("desk_lux", {"desk_lux": 301}, 2),
    ("climate", {"temperature_c": 17, "humidity_pct": 40}, 1),
    ("climate", {"temperature_c": 28, "humidity_pct": 70}, 1),
    ("climate", {"temperature_c": 16.9, "humidity_pct": 50}, 0),
    ("climate", {"temperature_c": 28.1, "humidity_pct": 50}, 0),
    ("climate", {"temperature_c": 22, "humidity_pct": 39.9}, 0),
    ("climate", {"temperature_c": 22, "humidity_pct": 70.1}, 0),
    ("climate", {"temperature_c": 17.1, "humidity_pct": 40.1}, 1),  # just inside each bound
    ("climate", {"temperature_c": 27.9, "humidity_pct": 69.9}, 1),
    ("certification", {"certification": "premium"}, 2),
    ("certification", {"certification": "business"}, 1),
    ("certification", {"certification": "none"}, 0),
    ("equipment", {"amenities": []}, 0),
    ("equipment", {"amenities": ["printer"]}, 1),
    ("equipment", {"amenities": ["monitor", "printer", "lockers"]}, 1),
    ("equipment", {"amenities": ["wifi", "kitchen"]}, 0),
]


def hours(
    opens: str | None, closes: str | None, days: int | None, *amenities: str
) -> dict[str, Any]:
    return {
        "weekday_open": opens,
        "weekday_close": closes,
        "days_per_week": days,
        "amenities": list(amenities),
    }


HOURS = [
    ("hours", hours("09:00", "18:00", 5), 2),  # exactly 9 h on 5 days
    ("hours", hours("09:00", "17:59", 5), 0),
    ("hours", hours("09:00", "18:01", 5), 2),
    ("hours", hours("09:00", "18:00", 4), 0),
    ("hours", hours("09:00", "18:00", 6), 3),  # 9 h weekdays (2) + weekend (1)
    ("hours", hours("10:00", "14:00", 7), 1),  # weekend only
    ("hours", hours("09:00", "18:00", 7), 3),
    ("hours", hours("18:00", "03:00", 5), 2),  # past midnight: 9 h
    ("hours", hours("22:00", "06:00", 5), 0),  # 8 h
    ("hours", hours(None, None, None, "access_24h"), 3),
    ("hours", hours("00:00", "24:00", 5), 2),
]

LODGING = [
    ("room_wifi", {"room_wifi_meets_g1": True}, 4),
    ("room_wifi", {"room_wifi_meets_g1": False}, 0),
    ("room_desk_chair", {"room_desk_chair": True}, 3),
    ("room_desk_chair", {"room_desk_chair": False}, 0),
    ("long_stay", {"long_stay_plan": True}, 3),
    ("long_stay", {"long_stay_plan": False}, 0),
    ("self_catering", {"amenities": ["room_only_plan"]}, 2),
    ("self_catering", {"amenities": ["kitchen"]}, 2),
    ("self_catering", {"amenities": ["laundry"]}, 2),
    ("self_catering", {"amenities": ["shower"]}, 0),
    ("rooms", {"rooms_within_30min": 10}, 3),
    ("rooms", {"rooms_within_30min": 9}, 1),
    ("rooms", {"rooms_within_30min": 11}, 3),
    ("rooms", {"rooms_within_30min": 3}, 1),
    ("rooms", {"rooms_within_30min": 2}, 0),
    ("rooms", {"rooms_within_30min": 4}, 1),
]

ACCESS = [
    ("metro_time", {"metro_minutes": 120}, 4),
    ("metro_time", {"metro_minutes": 119}, 4),
    ("metro_time", {"metro_minutes": 121}, 3),
    ("metro_time", {"metro_minutes": 180}, 3),
    ("metro_time", {"metro_minutes": 181}, 1),
    ("metro_time", {"metro_minutes": 179}, 3),
    ("metro_time", {"metro_minutes": 240}, 1),
    ("metro_time", {"metro_minutes": 241}, 0),
    ("metro_time", {"metro_minutes": 239}, 1),
    ("stop_distance", {"station_distance_m": 1000}, 3),
    ("stop_distance", {"station_distance_m": 999}, 3),
    ("stop_distance", {"station_distance_m": 1001}, 0),
    ("stop_distance", {"bus_stop_distance_m": 500}, 3),
    ("stop_distance", {"bus_stop_distance_m": 499}, 3),
    ("stop_distance", {"bus_stop_distance_m": 501}, 2),
    ("stop_distance", {"bus_stop_distance_m": 1000}, 2),
    ("stop_distance", {"bus_stop_distance_m": 1001}, 0),
    ("stop_distance", {"bus_stop_distance_m": 999}, 2),
    ("stop_distance", {"station_distance_m": 1001, "bus_stop_distance_m": 1000}, 2),
    ("stop_distance", {"station_distance_m": 5000, "bus_stop_distance_m": 300}, 3),
    ("transit_trips", {"transit_round_trips": 4}, 1),
    ("transit_trips", {"transit_round_trips": 3}, 0),
    ("transit_trips", {"transit_round_trips": 5}, 1),
    ("local_transport", {"transport_options": []}, 0),
    ("local_transport", {"transport_options": ["on_demand"]}, 2),
    ("local_transport", {"transport_options": ["taxi", "rental_car"]}, 2),
]

DAILY_LIFE = [
    ("clinic", {"clinic_distance_km": 4}, 4),
    ("clinic", {"clinic_distance_km": 3.99}, 4),
    ("clinic", {"clinic_distance_km": 4.01}, 0),
    ("clinic", {"clinic_distance_km": 4.01, "clinic_minutes": 60}, 2),
    ("clinic", {"clinic_distance_km": 4.01, "clinic_minutes": 61}, 0),
    ("clinic", {"clinic_distance_km": None, "clinic_minutes": 59}, 2),
    ("hospital", {"hospital_minutes": 30}, 2),
    ("hospital", {"hospital_minutes": 31}, 1),
    ("hospital", {"hospital_minutes": 29}, 2),
    ("hospital", {"hospital_minutes": 60}, 1),
    ("hospital", {"hospital_minutes": 61}, 0),
    ("hospital", {"hospital_minutes": 59}, 1),
    ("store", {"store_distance_m": 1000}, 2),
    ("store", {"store_distance_m": 1001}, 0),
    ("store", {"store_distance_m": 999}, 2),
    ("childcare", {"amenities": ["childcare"]}, 1),
    ("childcare", {"amenities": ["kids_space"]}, 0),
    ("services", {"services_within_2km": True}, 1),
    ("services", {"services_within_2km": False}, 0),
]

ENGAGEMENT = [
    ("coordinator", {"amenities": ["coordinator"]}, 3),
    ("coordinator", {"amenities": []}, 0),
    ("experiences", {"experience_programmes": 3}, 3),
    ("experiences", {"experience_programmes": 2}, 1),
    ("experiences", {"experience_programmes": 4}, 3),
    ("experiences", {"experience_programmes": 1}, 1),
    ("experiences", {"experience_programmes": 0}, 0),
    ("community_events", {"community_events_monthly": True}, 2),
    ("community_events", {"community_events_monthly": False}, 0),
    ("alliance", {"alliance_member": True}, 1),
    ("english_info", {"info_in_english": True}, 1),
    ("english_info", {"info_in_english": False}, 0),
]

SAFETY = [
    ("hazard", {"hazard_zone": "outside"}, 3),
    ("hazard", {"hazard_zone": "inside_with_plan"}, 1),
    ("hazard", {"hazard_zone": "inside"}, 0),
    ("evacuation_site", {"evacuation_site_m": 1000}, 2),
    ("evacuation_site", {"evacuation_site_m": 1001}, 0),
    ("evacuation_site", {"evacuation_site_m": 999}, 2),
    ("aed", {"amenities": ["aed"]}, 1),
    ("aed", {"amenities": []}, 0),
    ("security", {"amenities": ["access_control", "cctv", "lockers"]}, 2),
    ("security", {"amenities": ["access_control", "cctv"]}, 0),
    ("accessibility", {"amenities": ["step_free", "accessible_toilet"]}, 2),
    ("accessibility", {"amenities": ["step_free"]}, 0),
]

ALL = SPEED + COVERAGE + WORKSPACE + HOURS + LODGING + ACCESS + DAILY_LIFE + ENGAGEMENT + SAFETY


@pytest.mark.parametrize(("code", "doc", "points"), ALL)
def test_points_at_the_boundaries(code: str, doc: dict[str, Any], points: int) -> None:
    assert field(code, doc) == (points, False)


MISSING = [
    ("download", {}),
    ("download", run(upload_mbps=50)),
    ("upload", {"measurements": []}),
    ("latency", run(download_mbps=50)),
    ("jitter", run(download_mbps=50)),
    ("mobile_coverage", {}),
    ("mobile_coverage", {"coverage": []}),
    ("mobile_coverage", cov(("rakuten_partner", -60, None))),  # no counted carrier recorded
    ("outlets", {"seats": 10}),
    ("outlets", {"seats_with_outlet": 10}),
    ("meeting_booths", {"seats": 10}),
    ("chair", {"chair_height_adjustable": True, "chair_back_adjustable": True}),
    ("desk_lux", {"desk_lux": None}),
    ("climate", {"temperature_c": 22}),
    ("climate", {"humidity_pct": 50}),
    ("hours", hours("09:00", "18:00", None)),
    ("hours", hours(None, "18:00", 5)),
    ("certification", {"certification": None}),
    ("certification", {"certification": ""}),
    ("room_wifi", {"room_wifi_meets_g1": None}),
    ("rooms", {}),
    ("metro_time", {"metro_origin": "tokyo"}),
    ("stop_distance", {"station_distance_m": None, "bus_stop_distance_m": None}),
    ("transit_trips", {}),
    ("clinic", {"clinic_distance_km": None, "clinic_minutes": None}),
    ("hospital", {}),
    ("store", {}),
    ("services", {"services_within_2km": None}),
    ("experiences", {}),
    ("community_events", {}),
    ("alliance", {}),
    ("english_info", {}),
    ("hazard", {"hazard_zone": ""}),
    ("evacuation_site", {}),
]


@pytest.mark.parametrize(("code", "doc"), MISSING)
def test_a_blank_input_is_missing_and_scores_zero(code: str, doc: dict[str, Any]) -> None:
    assert field(code, doc) == (0, True)


@pytest.mark.parametrize(
    "code",
    [
        "equipment",
        "self_catering",
        "local_transport",
        "childcare",
        "coordinator",
        "aed",
        "security",
        "accessibility",
    ],
)
def test_checklist_rules_are_never_missing(code: str) -> None:
    assert field(code, {}) == (0, False)


def test_coverage_row_saying_no_service_is_recorded_not_missing() -> None:
    doc = {"coverage": [{"carrier": "docomo", "technology": "none", "rsrp_dbm": None}]}
    assert field("mobile_coverage", doc) == (0, False)


def test_24h_access_needs_no_hours() -> None:
    assert field("hours", {"amenities": ["access_24h"]}) == (3, False)


def test_clinic_beyond_4_km_without_minutes_is_zero_not_missing() -> None:
    assert field("clinic", {"clinic_distance_km": 12}) == (0, False)


def test_loss_is_optional_never_missing() -> None:
    result = score_site(run(download_mbps=100), load_rubric())
    loss = result.field("loss")
    assert loss.points == 0 and not loss.missing
    assert "任意" in loss.reason_ja and "optional" in loss.reason_en
    assert (
        result.missing_count
        == score_site(run(download_mbps=100, loss_pct=0), load_rubric()).missing_count
    )


def test_medians_are_exact_at_a_boundary() -> None:
    # (0.05 + 0.15) / 2 is 0.1 exactly, which is not below 0.1: 1 point, not 2.
    doc = {"measurements": [{"loss_pct": 0.05}, {"loss_pct": 0.15}]}
    assert field("loss", doc) == (1, False)
    doc = {"measurements": [{"download_mbps": 99.9}, {"download_mbps": 100.1}]}
    assert field("download", doc) == (7, False)


def test_reasons_name_the_value_and_the_step() -> None:
    result = score_site(run(download_mbps=120), load_rubric()).field("download")
    assert result.reason_ja == "下り中央値: 120 Mbps ≥ 100 → 7点"
    assert result.reason_en == "median download: 120 Mbps >= 100 → 7 points"
    low = score_site(run(download_mbps=8), load_rubric()).field("download")
    assert low.reason_en == "median download: 8 Mbps < 10 → 0 points"
    blank = score_site({}, load_rubric()).field("download")
    assert "未入力" in blank.reason_ja and "not recorded" in blank.reason_en
    assert blank.value is None
