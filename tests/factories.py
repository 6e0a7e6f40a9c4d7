"""Form posts and images used by several test modules."""

from __future__ import annotations

import io
import os
import uuid
from typing import Any

from PIL import Image


def survey_post(**overrides: Any) -> dict[str, Any]:
    """What a browser posts for a complete, valid survey of a site in 白浜町."""
    data: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "intent": "draft",
        "name": "白浜テスト オフィス",
        "facility_type": "coworking",
        "municipality_code": "304018",
        "postal_code": "649-2211",
        "address_line": "1-2-3",
        "latitude": "33.678",
        "longitude": "135.348",
        "location_source": "gps",
        "location_accuracy_m": "7",
        "location_fix_count": "4",
        "surveyed_on": "2026-11-20",
        "line_type": "fiber",
        "wifi_security": "wpa3",
        "wifi_client_isolation": "yes",
        "measurements-0-method": "manual",
        "measurements-0-download_mbps": "120.5",
        "measurements-0-upload_mbps": "45.2",
        "measurements-0-latency_ms": "18",
        "measurements-0-jitter_ms": "3",
        "measurements-0-where_on_site": "2F booth",
        "coverage-0-carrier": "docomo",
        "coverage-0-technology": "5g",
        "coverage-0-rsrp_dbm": "-85",
        "coverage-0-placement": "indoor",
        "coverage-1-carrier": "au",
        "coverage-2-carrier": "softbank",
        "coverage-3-carrier": "rakuten",
        "coverage-4-carrier": "rakuten_partner",
        "seats": "24",
        "seats_with_outlet": "24",
        "meeting_booths": "3",
        "weekday_open": "09:00",
        "weekday_close": "18:00",
        "days_per_week": "5",
        "station_latitude": "33.6617",
        "station_longitude": "135.3893",
        "transport_options": ["taxi", "rental_car"],
        "amenities": ["wifi", "aed", "seat_outlet"],
        "notes": "テスト",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# every other field the readiness rubric reads, answered (so the tier is not 判定保留)
SCORED_ANSWERS: dict[str, str] = {
    "chair_height_adjustable": "yes",
    "chair_back_adjustable": "yes",
    "chair_armrests": "no",
    "desk_lux": "500",
    "temperature_c": "22",
    "humidity_pct": "50",
    "certification": "business",
    "lodging_minutes": "10",
    "lodging_accepts_3_nights": "yes",
    "room_wifi_meets_g1": "yes",
    "room_desk_chair": "yes",
    "long_stay_plan": "yes",
    "rooms_within_30min": "40",
    "metro_origin": "osaka",
    "metro_minutes": "150",
    "bus_stop_distance_m": "300",
    "transit_round_trips": "12",
    "clinic_distance_km": "1.5",
    "hospital_minutes": "20",
    "store_distance_m": "400",
    "services_within_2km": "yes",
    "experience_programmes": "4",
    "community_events_monthly": "yes",
    "alliance_member": "yes",
    "info_in_english": "no",
    "hazard_zone": "outside",
    "evacuation_site_m": "600",
}


def scored_survey_post(**overrides: Any) -> dict[str, Any]:
    """A survey with every rubric field answered: it gets a real tier, not 'insufficient data'."""
    return survey_post(**(SCORED_ANSWERS | overrides))


def image_bytes(kind: str = "JPEG", size: tuple[int, int] = (64, 48), noise: bool = False) -> bytes:
    """A real image; with noise it does not compress, so its size follows its dimensions."""
    buffer = io.BytesIO()
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 120, 40))
    image.save(buffer, kind)
    return buffer.getvalue()
