"""Demo data: users and realistic candidate sites in Wakayama and Nagano, marked as demo."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.extensions import db
from app.surveys.models import Site
from app.surveys.service import save_survey
from forms.document import LIST_FIELDS, scalar_field_names

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 (published on purpose: demo accounts only)
DEMO_NAMESPACE = uuid.UUID("6f1c2a4e-6c57-4c2b-9d0e-0d3c1f0a7e11")

DEMO_USERS: tuple[tuple[str, str, str | None, str | None, str], ...] = (
    ("surveyor@demo.example", Role.SURVEYOR, "304018", None, "白浜町 調査員（デモ）"),
    ("surveyor.hakuba@demo.example", Role.SURVEYOR, "204854", None, "白馬村 調査員（デモ）"),
    ("reviewer@demo.example", Role.REVIEWER, None, "30", "和歌山県 審査員（デモ）"),
    ("viewer@demo.example", Role.VIEWER, None, "20", "長野県 閲覧者（デモ）"),
    ("admin@demo.example", Role.ADMIN, None, None, "管理者（デモ）"),
)


def _runs(*runs: tuple[float, float, float, float]) -> list[dict[str, Any]]:
    return [
        {
            "method": "manual",
            "download_mbps": d,
            "upload_mbps": u,
            "latency_ms": lat,
            "jitter_ms": jit,
            "server": "Speedtest app",
            "where_on_site": "執務席",
        }
        for d, u, lat, jit in runs
    ]


def _coverage(**rsrp: int) -> list[dict[str, Any]]:
    return [
        {
            "carrier": carrier,
            "technology": "4g" if value > -120 else "none",
            "rsrp_dbm": value,
            "placement": "indoor",
        }
        for carrier, value in rsrp.items()
    ]


DEMO_SITES: tuple[dict[str, Any], ...] = (
    {
        "name": "【デモ】白浜町ITビジネスオフィス",
        "name_en": "[Demo] Shirahama IT Business Office",
        "facility_type": "satellite_office",
        "municipality_code": "304018",
        "postal_code": "649-2211",
        "address_town": "白浜町",
        "address_line": "2998番地の1",
        "latitude": 33.6781,
        "longitude": 135.3480,
        "location_source": "gps",
        "location_accuracy_m": 6.0,
        "location_fix_count": 5,
        "surveyed_on": date(2026, 10, 14),
        "line_type": "fiber",
        "wifi_security": "wpa3",
        "wifi_client_isolation": True,
        "measurements": _runs((420.5, 380.2, 12, 3), (398.0, 366.4, 14, 4), (455.1, 390.8, 11, 2)),
        "coverage": _coverage(docomo=-82, au=-85, softbank=-95, rakuten=-104),
        "seats": 40,
        "seats_with_outlet": 40,
        "meeting_booths": 4,
        "chair_height_adjustable": True,
        "chair_back_adjustable": True,
        "chair_armrests": True,
        "desk_lux": 520,
        "temperature_c": 23.5,
        "humidity_pct": 48,
        "weekday_open": "09:00",
        "weekday_close": "18:00",
        "days_per_week": 5,
        "certification": "business",
        "lodging_minutes": 5,
        "lodging_accepts_3_nights": True,
        "room_wifi_meets_g1": True,
        "rooms_within_30min": 2400,
        "price_per_night_jpy": 9800,
        "metro_origin": "osaka",
        "metro_minutes": 150,
        "bus_stop_distance_m": 250,
        "transit_round_trips": 20,
        "transport_options": ["rental_car", "taxi"],
        "clinic_distance_km": 1.2,
        "hospital_minutes": 15,
        "store_distance_m": 400,
        "services_within_2km": True,
        "experience_programmes": 5,
        "community_events_monthly": True,
        "alliance_member": True,
        "info_in_english": True,
        "hazard_zone": "inside_with_plan",
        "evacuation_site_m": 600,
        "amenities": [
            "wifi",
            "wired_lan",
            "seat_outlet",
            "meeting_booth",
            "meeting_room",
            "monitor",
            "printer",
            "lockers",
            "access_control",
            "cctv",
            "parking",
            "aed",
            "coordinator",
            "step_free",
            "accessible_toilet",
        ],
        "notes": "デモデータです。海に近い旧保養所を改装したオフィス。",
    },
    {
        "name": "【デモ】南紀田辺 ワーケーション拠点",
        "facility_type": "coworking",
        "municipality_code": "302066",
        "postal_code": "646-0033",
        "address_town": "新屋敷町",
        "latitude": 33.7290,
        "longitude": 135.3780,
        "location_source": "map",
        "surveyed_on": date(2026, 10, 20),
        "line_type": "fiber",
        "wifi_security": "wpa2",
        "measurements": _runs((180.0, 95.0, 18, 5), (160.3, 88.1, 21, 6)),
        "coverage": _coverage(docomo=-88, au=-92, softbank=-90),
        "seats": 20,
        "seats_with_outlet": 12,
        "meeting_booths": 1,
        "weekday_open": "09:00",
        "weekday_close": "21:00",
        "days_per_week": 6,
        "metro_origin": "osaka",
        "metro_minutes": 140,
        "station_distance_m": 700,
        "amenities": ["wifi", "seat_outlet", "meeting_booth", "free_drinks", "cashless"],
        "notes": "デモデータです。駅から徒歩圏。",
    },
    {
        "name": "【デモ】那智勝浦 古民家ワークスペース",
        "facility_type": "lodging_workspace",
        "municipality_code": "304212",
        "postal_code": "649-5335",
        "address_town": "築地",
        "latitude": 33.6260,
        "longitude": 135.9420,
        "location_source": "gps",
        "location_accuracy_m": 18.0,
        "location_fix_count": 3,
        "surveyed_on": date(2026, 11, 2),
        "line_type": "catv",
        "wifi_security": "wpa2",
        "measurements": _runs((42.0, 8.5, 35, 12), (38.5, 7.9, 41, 15), (45.2, 9.1, 33, 10)),
        "coverage": _coverage(docomo=-95, au=-99),
        "seats": 8,
        "seats_with_outlet": 4,
        "meeting_booths": 0,
        "lodging_minutes": 0,
        "lodging_accepts_3_nights": True,
        "room_desk_chair": True,
        "long_stay_plan": True,
        "amenities": [
            "wifi",
            "kitchen",
            "laundry",
            "lodging_onsite",
            "long_stay_discount",
            "room_only_plan",
            "experiences",
        ],
        "notes": "デモデータです。上り速度が弱い。",
    },
    {
        "name": "【デモ】白馬村 山麓テレワークセンター",
        "name_en": "[Demo] Hakuba Telework Center",
        "facility_type": "coworking",
        "municipality_code": "204854",
        "postal_code": "399-9301",
        "address_town": "北城",
        "latitude": 36.6982,
        "longitude": 137.8619,
        "location_source": "gps",
        "location_accuracy_m": 8.0,
        "location_fix_count": 6,
        "surveyed_on": date(2026, 9, 30),
        "line_type": "fiber",
        "wifi_security": "wpa3",
        "measurements": _runs((620.0, 540.0, 9, 2), (580.4, 512.3, 10, 3), (640.8, 555.0, 9, 2)),
        "coverage": _coverage(docomo=-78, au=-80, softbank=-86, rakuten=-98),
        "seats": 60,
        "seats_with_outlet": 70,
        "meeting_booths": 8,
        "certification": "premium",
        "weekday_open": "08:00",
        "weekday_close": "22:00",
        "days_per_week": 7,
        "metro_origin": "tokyo",
        "metro_minutes": 210,
        "transit_round_trips": 12,
        "clinic_distance_km": 2.5,
        "hospital_minutes": 35,
        "info_in_english": True,
        "amenities": [
            "wifi",
            "wired_lan",
            "seat_outlet",
            "meeting_booth",
            "monitor",
            "ergonomic_chair",
            "standing_desk",
            "access_24h",
            "english_support",
            "shower",
            "bicycle",
        ],
        "notes": "デモデータです。冬季はスキー客で宿泊が混み合う。",
    },
    {
        "name": "【デモ】軽井沢 森のサテライトオフィス",
        "facility_type": "satellite_office",
        "municipality_code": "203211",
        "postal_code": "389-0102",
        "address_town": "軽井沢",
        "latitude": 36.3480,
        "longitude": 138.6350,
        "location_source": "postal",
        "surveyed_on": date(2026, 11, 10),
        "line_type": "fiber",
        "wifi_security": "wpa2",
        "measurements": _runs((250.0, 120.0, 15, 4)),
        "seats": 30,
        "seats_with_outlet": 30,
        "meeting_booths": 3,
        "metro_origin": "tokyo",
        "metro_minutes": 90,
        "station_distance_m": 1500,
        "amenities": ["wifi", "seat_outlet", "meeting_booth", "lockers", "parking"],
        "notes": "デモデータです。",
    },
    {
        "name": "【デモ】茅野 蓼科ワークラウンジ",
        "facility_type": "cafe",
        "municipality_code": "202142",
        "postal_code": "391-0002",
        "address_town": "塚原",
        "latitude": 35.9950,
        "longitude": 138.1590,
        "location_source": "manual",
        "surveyed_on": date(2026, 11, 18),
        "line_type": "mobile",
        "wifi_security": "open",
        "measurements": _runs((12.0, 2.1, 95, 40)),
        "seats": 10,
        "seats_with_outlet": 2,
        "amenities": ["wifi", "free_drinks"],
        "notes": "デモデータです。暗号化されていないWi-Fi。",
    },
)


def seed() -> tuple[int, int]:
    """Add the demo users and sites that are missing; return how many of each were added."""
    users = _seed_users()
    surveyors = {u.municipality_code: u for u in db.session.scalars(select(User))}
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.example"))
    added = 0
    for index, doc in enumerate(DEMO_SITES):
        site_uuid = str(uuid.uuid5(DEMO_NAMESPACE, f"site-{index}"))
        if db.session.scalar(select(Site.id).where(Site.uuid == site_uuid)):
            continue
        actor = surveyors.get(doc["municipality_code"]) or admin
        data = _full(doc)
        outcome = save_survey(
            data, site=None, site_uuid=site_uuid, actor=actor, submit=index % 2 == 0
        )
        outcome.site.is_demo = True
        added += 1
    return users, added


def _full(doc: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = dict.fromkeys(scalar_field_names())
    data.update({name: [] for name in LIST_FIELDS})
    data.update({"measurements": [], "coverage": [], "photos": []})
    data.update(doc)
    return data


def _seed_users() -> int:
    added = 0
    for email, role, municipality, prefecture, name in DEMO_USERS:
        if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
            continue
        user = User(
            email=email,
            role=role,
            municipality_code=municipality,
            prefecture_code=prefecture or (municipality[:2] if municipality else None),
            display_name=name,
        )
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        added += 1
    db.session.flush()
    return added
