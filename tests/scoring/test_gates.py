"""The four hard gates: pass, fail and unknown (limits written by hand from the spec)."""

from __future__ import annotations

from typing import Any

import pytest

from app.scoring import load_rubric, score_site


def gate(code: str, doc: dict[str, Any]) -> str:
    return score_site(doc, load_rubric()).gate(code).status


def runs(*rows: tuple[float | None, float | None, float | None]) -> dict[str, Any]:
    keys = ("download_mbps", "upload_mbps", "latency_ms")
    return {"measurements": [dict(zip(keys, row, strict=True)) for row in rows]}


@pytest.mark.parametrize(
    ("doc", "status"),
    [
        (runs((5, 3, 100)), "pass"),
        (runs((4.99, 3, 100)), "fail"),
        (runs((5, 2.99, 100)), "fail"),
        (runs((5, 3, 100.01)), "fail"),
        (runs((5.01, 3.01, 99.99)), "pass"),
        (runs((4, 2, 120), (6, 4, 80)), "pass"),  # medians 5 / 3 / 100
        (runs((4, 3, 50), (5, 3, 50), (100, 3, 50)), "pass"),  # median 5 (odd count)
        (runs((1, 1, 500), (4.9, 9, 10), (100, 9, 10)), "fail"),  # median download 4.9
        ({}, "unknown"),
        ({"measurements": []}, "unknown"),
        (runs((None, 3, 100)), "unknown"),
        (runs((50, 10, None)), "unknown"),
        (runs((2, 10, None)), "fail"),  # a failing check wins over a missing one
    ],
)
def test_g1_usable_link_on_the_medians(doc: dict[str, Any], status: str) -> None:
    assert gate("G1", doc) == status


@pytest.mark.parametrize(
    ("security", "amenities", "status"),
    [
        ("wpa2", [], "pass"),
        ("wpa3", [], "pass"),
        ("open", [], "fail"),
        ("wep", [], "fail"),
        ("open", ["wired_lan"], "fail"),
        ("none", ["wired_lan"], "pass"),  # no Wi-Fi but wired LAN
        ("none", [], "fail"),
        (None, [], "unknown"),
        ("", ["wired_lan"], "unknown"),
    ],
)
def test_g2_encrypted_wifi(security: str | None, amenities: list[str], status: str) -> None:
    assert gate("G2", {"wifi_security": security, "amenities": amenities}) == status


def workspace(**changes: Any) -> dict[str, Any]:
    doc = {
        "seats": 1,
        "seats_with_outlet": 1,
        "weekday_open": "09:00",
        "weekday_close": "18:00",
        "days_per_week": 5,
        "amenities": [],
    }
    return doc | changes


@pytest.mark.parametrize(
    ("doc", "status"),
    [
        (workspace(), "pass"),
        (workspace(seats=0), "fail"),
        (workspace(seats_with_outlet=0), "fail"),
        (workspace(weekday_close="17:59"), "fail"),
        (workspace(days_per_week=4), "fail"),
        (workspace(weekday_open="20:00", weekday_close="05:00"), "pass"),  # 9 h past midnight
        (workspace(weekday_open=None, weekday_close=None, amenities=["access_24h"]), "pass"),
        (workspace(days_per_week=3, amenities=["access_24h"]), "pass"),
        (workspace(seats=None), "unknown"),
        (workspace(seats_with_outlet=None), "unknown"),
        (workspace(weekday_open=None), "unknown"),
        (workspace(days_per_week=None), "unknown"),
        (workspace(seats=0, days_per_week=None), "fail"),
        (workspace(weekday_close="12:00", days_per_week=None), "fail"),
    ],
)
def test_g3_basic_workspace(doc: dict[str, Any], status: str) -> None:
    assert gate("G3", doc) == status


@pytest.mark.parametrize(
    ("minutes", "accepts", "status"),
    [
        (30, True, "pass"),
        (29, True, "pass"),
        (31, True, "fail"),
        (10, False, "fail"),
        (None, True, "unknown"),
        (10, None, "unknown"),
        (31, None, "fail"),
        (None, False, "fail"),
    ],
)
def test_g4_lodging(minutes: int | None, accepts: bool | None, status: str) -> None:
    doc = {"lodging_minutes": minutes, "lodging_accepts_3_nights": accepts}
    assert gate("G4", doc) == status


def test_gate_reasons_say_what_failed_or_is_missing() -> None:
    result = score_site(workspace(seats=0, days_per_week=None), load_rubric()).gate("G3")
    assert "座席数 0席 < 1" in result.reason_ja and "seats 0 < 1" in result.reason_en
    unknown = score_site({}, load_rubric()).gate("G1")
    assert "データ不足" in unknown.reason_ja and "lacks data" in unknown.reason_en
    assert [g.code for g in score_site({}, load_rubric()).gates] == ["G1", "G2", "G3", "G4"]
