"""Whole sites: totals and tiers computed by hand, the cap, weak categories, the 15 % rule."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from app.scoring import DEFAULT_PATH, SiteScore, load_rubric, score_site

VERSION = "jp-workation-2026.1"

# Site A, scored by hand from the spec tables (default weights equal each category's maximum,
# so category score = points):
#   connectivity 25/25: medians download 150 (7), upload 50 (7), latency 15 (4), jitter 3 (2),
#       loss 0 (2); docomo -80, au -88, rakuten 4 bars count, softbank -95 does not: 3 (3)
#   workspace 17/20: outlets 20/20 (4), booths 2/20 = 0.1 (4), chair yes/yes/no (2), 500 lx (2),
#       23 ℃ 50 % (1), 09:00-18:00 x 5 days (2 + 0), business (1), monitor (1)
#   lodging 12/15: in-room Wi-Fi (4), desk and chair (3), long stay no (0), kitchen (2),
#       12 rooms (3)
#   access 9/10: 150 min (3), station 800 m (3), 6 round trips (1), taxi (2)
#   daily life 9/10: clinic 2.5 km (4), hospital 25 min (2), store 400 m (2), childcare (0),
#       services (1)
#   engagement 7/10: coordinator (3), 2 programmes (1), events (2), alliance no (0), English (1)
#   safety 8/10: outside (3), evacuation 600 m (2), AED (1), no access control (0), step-free
#       and accessible toilet (2)
#   total 25 + 17 + 12 + 9 + 9 + 7 + 8 = 87; every category >= half its weight; gates pass -> ready
SITE_A: dict[str, Any] = {
    "name": "白浜テストラボ",
    "measurements": [
        {"download_mbps": 150, "upload_mbps": 50, "latency_ms": 12, "jitter_ms": 2, "loss_pct": 0},
        {
            "download_mbps": 180.5,
            "upload_mbps": 60,
            "latency_ms": 15,
            "jitter_ms": 3,
            "loss_pct": 0.05,
        },
        {"download_mbps": 90, "upload_mbps": 30, "latency_ms": 25, "jitter_ms": 8, "loss_pct": 0},
    ],
    "coverage": [
        {
            "carrier": "docomo",
            "technology": "5g",
            "rsrp_dbm": -80,
            "signal_bars": None,
            "placement": "indoor",
        },
        {
            "carrier": "au",
            "technology": "4g",
            "rsrp_dbm": -88,
            "signal_bars": 4,
            "placement": "indoor",
        },
        {
            "carrier": "softbank",
            "technology": "4g",
            "rsrp_dbm": -95,
            "signal_bars": 2,
            "placement": "indoor",
        },
        {
            "carrier": "rakuten",
            "technology": "4g",
            "rsrp_dbm": None,
            "signal_bars": 4,
            "placement": "indoor",
        },
    ],
    "wifi_security": "wpa3",
    "line_type": "fiber",
    "seats": 20,
    "seats_with_outlet": 20,
    "meeting_booths": 2,
    "chair_height_adjustable": True,
    "chair_back_adjustable": True,
    "chair_armrests": False,
    "desk_lux": 500,
    "temperature_c": 23.0,
    "humidity_pct": 50.0,
    "weekday_open": "09:00",
    "weekday_close": "18:00",
    "days_per_week": 5,
    "certification": "business",
    "lodging_minutes": 5,
    "lodging_accepts_3_nights": True,
    "room_wifi_meets_g1": True,
    "room_desk_chair": True,
    "long_stay_plan": False,
    "rooms_within_30min": 12,
    "price_per_night_jpy": 9800,
    "lodging_licence_no": "和歌山県指令第123号",
    "metro_origin": "osaka",
    "metro_minutes": 150,
    "station_distance_m": 800,
    "bus_stop_distance_m": None,
    "transit_round_trips": 6,
    "transport_options": ["taxi"],
    "clinic_distance_km": 2.5,
    "clinic_minutes": 8,
    "hospital_minutes": 25,
    "store_distance_m": 400,
    "services_within_2km": True,
    "experience_programmes": 2,
    "community_events_monthly": True,
    "alliance_member": False,
    "info_in_english": True,
    "hazard_zone": "outside",
    "evacuation_site_m": 600,
    "amenities": [
        "wifi",
        "monitor",
        "kitchen",
        "coordinator",
        "aed",
        "step_free",
        "accessible_toilet",
    ],
}

# Site B, a rural site, by hand:
#   connectivity 12/25: medians download 25 (5), upload 7 (2), latency 57.5 (3), jitter 27.5 (1),
#       loss not recorded (0, optional); softbank -90 counts, docomo -92, au 3 bars and
#       rakuten_partner do not: 1 carrier (1)
#   workspace 8/20: outlets 6/12 = 0.5 (2), booths 1/12 < 0.1 but >= 1 (2), chair yes/no/no (1),
#       250 lx (0), 72 % humidity (0), 10:00-19:00 x 6 days (2 + 1), certification none (0),
#       no monitor/printer/lockers (0)
#   lodging 10/15: Wi-Fi (4), no desk (0), long stay (3), room-only plan (2), 5 rooms (1)
#   access 6/10: 200 min (1), bus stop 450 m (3), 3 round trips (0), rental car (2)
#   daily life 4/10: clinic 6.2 km but 15 min (2), hospital 50 min (1), store 1200 m (0),
#       childcare (0), services (1)
#   engagement 7/10: coordinator (3), 4 programmes (3), events no (0), alliance (1),
#       English no (0)
#   safety 4/10: inside with plan (1), evacuation 900 m (2), AED (1), security (0),
#       step-free only (0)
#   total 12 + 8 + 10 + 6 + 4 + 7 + 4 = 51 < 55 -> invest (gates all pass; no-doctor cap applies)
SITE_B: dict[str, Any] = {
    "measurements": [
        {
            "download_mbps": 30,
            "upload_mbps": 8,
            "latency_ms": 45,
            "jitter_ms": 20,
            "loss_pct": None,
        },
        {
            "download_mbps": 20,
            "upload_mbps": 6,
            "latency_ms": 70,
            "jitter_ms": 35,
            "loss_pct": None,
        },
    ],
    "coverage": [
        {"carrier": "docomo", "technology": "4g", "rsrp_dbm": -92, "signal_bars": None},
        {"carrier": "au", "technology": "4g", "rsrp_dbm": None, "signal_bars": 3},
        {"carrier": "softbank", "technology": "4g", "rsrp_dbm": -90, "signal_bars": None},
        {"carrier": "rakuten_partner", "technology": "4g", "rsrp_dbm": -70, "signal_bars": None},
    ],
    "wifi_security": "wpa2",
    "seats": 12,
    "seats_with_outlet": 6,
    "meeting_booths": 1,
    "chair_height_adjustable": True,
    "chair_back_adjustable": False,
    "chair_armrests": False,
    "desk_lux": 250,
    "temperature_c": 26,
    "humidity_pct": 72,
    "weekday_open": "10:00",
    "weekday_close": "19:00",
    "days_per_week": 6,
    "certification": "none",
    "lodging_minutes": 20,
    "lodging_accepts_3_nights": True,
    "room_wifi_meets_g1": True,
    "room_desk_chair": False,
    "long_stay_plan": True,
    "rooms_within_30min": 5,
    "metro_minutes": 200,
    "station_distance_m": None,
    "bus_stop_distance_m": 450,
    "transit_round_trips": 3,
    "transport_options": ["rental_car"],
    "clinic_distance_km": 6.2,
    "clinic_minutes": 15,
    "hospital_minutes": 50,
    "store_distance_m": 1200,
    "services_within_2km": True,
    "experience_programmes": 4,
    "community_events_monthly": False,
    "alliance_member": True,
    "info_in_english": False,
    "hazard_zone": "inside_with_plan",
    "evacuation_site_m": 900,
    "amenities": ["room_only_plan", "coordinator", "aed", "step_free"],
}

CATEGORIES = (
    "connectivity",
    "workspace",
    "lodging",
    "access",
    "daily_life",
    "engagement",
    "safety",
)


def site_a(**changes: Any) -> dict[str, Any]:
    return copy.deepcopy(SITE_A) | changes


def score(doc: dict[str, Any]) -> SiteScore:
    return score_site(doc, load_rubric())


def test_site_a_is_ready_at_87() -> None:
    result = score(SITE_A)
    assert [result.category(c).points for c in CATEGORIES] == [25, 17, 12, 9, 9, 7, 8]
    assert result.total == 87.0 and result.total_exact == 87
    assert result.tier == "ready" and result.tier_label_ja == "準備完了"
    assert not result.capped and result.missing_count == 0 and result.scored_count == 38
    assert result.rubric_version == VERSION


def test_site_b_needs_investment_at_51() -> None:
    result = score(SITE_B)
    assert [result.category(c).points for c in CATEGORIES] == [12, 8, 10, 6, 4, 7, 4]
    assert result.total == 51.0
    assert [g.status for g in result.gates] == ["pass"] * 4
    assert result.tier == "invest" and result.capped
    assert "51 < 55" in result.tier_reason_en
    assert result.missing_count == 0  # loss is optional


def test_no_doctor_cap_turns_ready_into_nearly() -> None:
    # clinic 4.5 km: the clinic rule falls to 2 (8 min) -> 85, still >= 75, but capped
    result = score(site_a(clinic_distance_km=4.5))
    assert result.total == 85.0 and result.capped
    assert result.tier == "nearly"
    assert "無医地区" in result.tier_reason_ja and "no-doctor" in result.tier_reason_en


def test_clinic_at_exactly_4_km_sets_no_cap() -> None:
    result = score(site_a(clinic_distance_km=4))
    assert not result.capped and result.tier == "ready"


def test_unknown_clinic_distance_sets_no_cap() -> None:
    result = score(site_a(clinic_distance_km=None))  # 8 min: 2 points -> 85
    assert not result.capped and result.total == 85.0 and result.tier == "ready"


def test_a_weak_category_keeps_a_high_score_nearly() -> None:
    # engagement 7 -> 4 (no coordinator): 4 < 5 = half of 10; total 84
    amenities = [a for a in SITE_A["amenities"] if a != "coordinator"]
    result = score(site_a(amenities=amenities))
    assert result.total == 84.0 and result.category("engagement").score == 4.0
    assert result.tier == "nearly"
    assert "Local engagement 4/10" in result.tier_reason_en


def test_a_category_at_exactly_half_its_weight_is_not_weak() -> None:
    # engagement 7 -> 5 (events no): exactly 50 % of 10; total 85
    result = score(site_a(community_events_monthly=False))
    assert result.category("engagement").score_exact == 5
    assert result.tier == "ready"


# Site A less 12 points, every category left at or above half its weight:
#   engagement 7 -> 5 (no English -1, no programmes -1), safety 8 -> 5 (inside a hazard zone -3),
#   access 9 -> 5 (300 min -3, 2 round trips -1), daily life 9 -> 6 (hospital 45 min -1,
#   store 1200 m -2): 87 - 12 = 75.
AT_75 = {
    "info_in_english": False,
    "experience_programmes": 0,
    "hazard_zone": "inside",
    "metro_minutes": 300,
    "transit_round_trips": 2,
    "hospital_minutes": 45,
    "store_distance_m": 1200,
}


def test_exactly_75_with_categories_at_half_is_ready() -> None:
    result = score(site_a(**AT_75))
    assert result.total_exact == 75
    assert [result.category(c).points for c in CATEGORIES] == [25, 17, 12, 5, 6, 5, 5]
    assert result.tier == "ready"


def test_74_is_nearly() -> None:
    result = score(site_a(**AT_75, services_within_2km=False))  # daily life 6 -> 5
    assert result.total_exact == 74 and result.tier == "nearly"
    assert "74 < 75" in result.tier_reason_en


NEARLY_CUT = {  # site A less 32 points = 55, categories may be weak (nearly allows that)
    "measurements": [
        {"download_mbps": 12, "upload_mbps": 4, "latency_ms": 90, "jitter_ms": 40, "loss_pct": 5}
    ],  # connectivity 2 + 2 + 1 + 0 + 0 + 3 = 8 (-17)
    "seats_with_outlet": 1,  # 1/20 < 0.5: -4 (G3 still passes)
    "meeting_booths": 0,  # -4
    "desk_lux": 100,  # -2
    "certification": "none",  # -1
    "room_wifi_meets_g1": False,  # -4
}


def test_nearly_cut_off_is_55() -> None:
    assert score(site_a(**NEARLY_CUT)).total_exact == 55
    assert score(site_a(**NEARLY_CUT)).tier == "nearly"
    below = score(site_a(**NEARLY_CUT, hospital_minutes=45))  # hospital 2 -> 1
    assert below.total_exact == 54 and below.tier == "invest"


@pytest.mark.parametrize(
    ("changes", "gate"),
    [
        ({"wifi_security": "open"}, "G2"),
        ({"seats_with_outlet": 0}, "G3"),
        ({"lodging_minutes": 31}, "G4"),
        ({"measurements": [{"download_mbps": 4, "upload_mbps": 50, "latency_ms": 10}]}, "G1"),
    ],
)
def test_a_failed_gate_means_invest_whatever_the_score(changes: dict[str, Any], gate: str) -> None:
    result = score(site_a(**changes))
    assert result.gate(gate).status == "fail"
    assert result.total >= 55
    assert result.tier == "invest" and gate in result.tier_reason_en


def test_an_unknown_gate_means_insufficient_data() -> None:
    result = score(site_a(wifi_security=None))
    assert result.total == 87.0 and result.gate("G2").status == "unknown"
    assert result.tier == "insufficient"
    assert "G2" in result.tier_reason_ja and "G2 lacks data" in result.tier_reason_en


def test_a_low_score_with_an_unknown_gate_is_invest() -> None:
    result = score(SITE_B | {"lodging_accepts_3_nights": None})
    assert result.gate("G4").status == "unknown" and result.tier == "invest"


# 38 scored rules (points rows of the spec: connectivity 6, workspace 8, lodging 5, access 4,
# daily life 5, engagement 5, safety 5). 15 % of 38 is 5.7: 5 missing (13.2 %) is within the
# limit, 6 missing (15.8 %) is over it. None of these inputs feeds a gate.
BLANKS: list[dict[str, Any]] = [
    {"desk_lux": None},
    {"certification": None},
    {"rooms_within_30min": None},
    {"hospital_minutes": None},
    {"experience_programmes": None},
    {"evacuation_site_m": None},
    {"chair_armrests": None},
    {"temperature_c": None},
    {"room_wifi_meets_g1": None},
    {"room_desk_chair": None},
    {"long_stay_plan": None},
    {"metro_minutes": None},
    {"transit_round_trips": None},
    {"services_within_2km": None},
    {"community_events_monthly": None},
    {"alliance_member": None},
    {"info_in_english": None},
    {"hazard_zone": None},
    {"coverage": []},
    {"meeting_booths": None},
]


def blanked(count: int) -> dict[str, Any]:
    doc = site_a()
    for change in BLANKS[:count]:
        doc |= change
    return doc


def test_five_missing_of_38_is_within_the_15_percent() -> None:
    result = score(blanked(5))
    assert (result.missing_count, result.scored_count) == (5, 38)
    assert result.tier != "insufficient"


def test_six_missing_of_38_is_over_the_15_percent() -> None:
    result = score(blanked(6))
    assert (result.missing_count, result.scored_count) == (6, 38)
    assert result.tier == "insufficient"
    assert "6/38" in result.tier_reason_ja


def test_missing_data_is_decided_before_a_failed_gate() -> None:
    result = score(blanked(6) | {"wifi_security": "open"})
    assert result.gate("G2").status == "fail" and result.tier == "insufficient"


def test_missing_fraction_exactly_at_the_limit_is_not_over(tmp_path: Path) -> None:
    # 19 of 38 is exactly 0.5: at a limit of 0.5 it is not "more than"; 20 of 38 is.
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    path = tmp_path / "half.toml"
    path.write_text(text.replace("max_missing_fraction = 0.15", "max_missing_fraction = 0.5"))
    rubric = load_rubric(path)
    at_limit = score_site(blanked(19), rubric)
    assert at_limit.missing_fraction == Fraction(1, 2)
    assert at_limit.tier != "insufficient"
    assert score_site(blanked(20), rubric).tier == "insufficient"


def test_the_loss_rule_never_counts_as_missing() -> None:
    runs = [{k: v for k, v in r.items() if k != "loss_pct"} for r in SITE_A["measurements"]]
    result = score(site_a(measurements=runs))
    assert result.missing_count == 0 and result.field("loss").points == 0
    assert result.total == 85.0 and result.tier == "ready"


def test_to_dict_is_json_and_reads_back() -> None:
    for doc in (SITE_A, SITE_B, {}):
        result = score(doc)
        data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
        assert data["rubric_version"] == VERSION
        assert SiteScore.from_dict(data) == result


def test_to_dict_shape() -> None:
    data = score(SITE_A).to_dict()
    assert data["total"] == 87.0 and data["total_exact"] == "87" and data["tier"] == "ready"
    assert set(data) >= {"gates", "categories", "fields", "connectivity", "missing_fraction"}
    assert data["categories"][0] == {
        "code": "connectivity",
        "label_ja": "通信環境",
        "label_en": "Connectivity",
        "weight": 25,
        "points": 25,
        "max_points": 25,
        "score": 25.0,
        "score_exact": "25",
    }
    assert data["gates"][1]["code"] == "G2" and data["gates"][1]["status"] == "pass"
    assert len(data["fields"]) == 38
    assert data["connectivity"] == {
        "run_count": 3,
        "download_mbps": 150.0,
        "upload_mbps": 50.0,
        "latency_ms": 15.0,
        "jitter_ms": 3.0,
        "loss_pct": 0.0,
    }


def test_an_empty_document_scores_without_error() -> None:
    result = score({})
    assert result.total == 0 and result.tier == "insufficient"
    assert result.missing_count == 29  # 38 rules less loss (optional) and 8 checklist rules
