"""Varied site documents, generated deterministically, for pinning the scorer's outputs.

Every input the rubric reads is drawn from its boundaries (at, just below, just above), blanks
(None, "", spaces), bad values (text, bool, NaN), other number types (float, Decimal, numeric
text) and ordinary values; a per-document blank rate and quality bias reach every tier.
Regenerate the fixture only from code whose outputs are known good:
    .venv/bin/python -m tests.scoring.equivalence_docs
"""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from forms import catalog
from tests.scoring.test_tiers import SITE_A, SITE_B

FIXTURE = Path(__file__).resolve().parent / "expected_scores.json"
SEED = 20261120
COUNT = 300

BAD: tuple[Any, ...] = (None, None, "", "  ", "n/a", True, float("nan"), float("inf"), [], "1/0")

# input: (boundaries the rubric or its gates use, ordinary low, ordinary high)
NUMBERS: dict[str, tuple[tuple[float, ...], float, float]] = {
    "seats": ((0, 1, 10, 20), 0, 60),
    "seats_with_outlet": ((0, 1, 5, 10, 20), 0, 60),
    "meeting_booths": ((0, 1, 2), 0, 6),
    "desk_lux": ((300,), 50, 900),
    "temperature_c": ((17, 28), 5, 35),
    "humidity_pct": ((40, 70), 10, 95),
    "days_per_week": ((5, 6, 7), 0, 7),
    "lodging_minutes": ((30,), 1, 90),
    "rooms_within_30min": ((3, 10), 0, 300),
    "price_per_night_jpy": ((5000,), 3000, 40000),
    "metro_minutes": ((120, 180, 240), 30, 400),
    "station_distance_m": ((1000,), 50, 9000),
    "bus_stop_distance_m": ((500, 1000), 20, 4000),
    "transit_round_trips": ((4,), 0, 40),
    "clinic_distance_km": ((4,), 0.1, 12),
    "clinic_minutes": ((60,), 1, 120),
    "hospital_minutes": ((30, 60), 3, 120),
    "store_distance_m": ((1000,), 20, 5000),
    "experience_programmes": ((1, 3), 0, 8),
    "evacuation_site_m": ((1000,), 20, 4000),
}
RUNS: dict[str, tuple[tuple[float, ...], float, float]] = {
    "download_mbps": ((5, 10, 25, 100), 0.5, 900),
    "upload_mbps": ((3, 10, 20), 0.2, 500),
    "latency_ms": ((30, 60, 100), 1, 300),
    "jitter_ms": ((15, 30), 0.1, 80),
    "loss_pct": ((0.1, 1), 0, 5),
}
FLAGS = (
    "chair_height_adjustable",
    "chair_back_adjustable",
    "chair_armrests",
    "lodging_accepts_3_nights",
    "room_wifi_meets_g1",
    "room_desk_chair",
    "long_stay_plan",
    "services_within_2km",
    "community_events_monthly",
    "alliance_member",
    "info_in_english",
)
CODES: dict[str, tuple[str, ...]] = {
    "certification": catalog.CERTIFICATIONS,
    "hazard_zone": catalog.HAZARD_ZONES,
    "wifi_security": catalog.WIFI_SECURITY,
    "line_type": catalog.LINE_TYPES,
    "metro_origin": catalog.METRO_ORIGINS,
}
OPENS = ("09:00", "08:30", "10:00", "00:00", "22:00", "9:00", " 07:15 ", "24:00", "25:00", "9:60")
CLOSES = ("18:00", "17:59", "19:00", "21:00", "24:00", "02:00", "08:59", "17:00", "6pm", "00:00")
AMENITIES = sorted(catalog.AMENITY_CODES)
TRANSPORT = list(catalog.TRANSPORT_OPTIONS)


def number(rng: random.Random, spec: tuple[tuple[float, ...], float, float], good: float) -> Any:
    """A value for a numeric input: a boundary probe, an ordinary value, or another type."""
    marks, low, high = spec
    pick = rng.random()
    if pick < 0.35:
        at = rng.choice(marks)
        return at + rng.choice((0, 0, -0.01, 0.01, -1, 1, -0.5))
    if pick < 0.75:
        value = low + (high - low) * (good * rng.random() if rng.random() < 0.5 else rng.random())
        return round(value, rng.choice((0, 0, 1, 2)))
    if pick < 0.85:
        return rng.randint(int(low), int(high))
    if pick < 0.92:
        return Decimal(str(round(rng.uniform(low, high), rng.choice((0, 1, 3)))))
    value = round(rng.uniform(low, high), rng.choice((0, 1, 2)))
    return rng.choice((str(value), f" {value} ", str(int(value))))


def blank_or(rng: random.Random, rate: float, make: Any) -> Any:
    return rng.choice(BAD) if rng.random() < rate else make()


def flag(rng: random.Random, good: float) -> Any:
    if rng.random() < 0.2:
        return rng.choice((True, False, "yes", "no", " YES ", "No", "maybe", 1, 0))
    return rng.random() < 0.3 + 0.7 * good


def run(rng: random.Random, rate: float, good: float) -> Any:
    if rng.random() < 0.03:
        return rng.choice(("not a run", None, 42))
    out: dict[str, Any] = {"method": "browser"}
    for name, spec in RUNS.items():
        if rng.random() < 0.85:
            # speed: "good" is fast for download/upload, short for latency/jitter/loss
            bias = good if name in ("download_mbps", "upload_mbps") else 1 - good
            out[name] = blank_or(rng, rate, lambda spec=spec, bias=bias: number(rng, spec, bias))
    return out


def coverage_row(rng: random.Random, rate: float) -> Any:
    if rng.random() < 0.03:
        return "not a row"
    row: dict[str, Any] = {"carrier": rng.choice((*catalog.CARRIERS, "docomo", "au", "kddi"))}
    row["technology"] = rng.choice(("4g", "5g", "4g", "3g", "none", "", None))
    row["rsrp_dbm"] = rng.choice(
        (-90, -91, -89, -90.5, -85, -120, -70, None, None, "", "-88", Decimal("-90.0"))
    )
    if rng.random() < 0.7:
        row["signal_bars"] = rng.choice((0, 1, 2, 3, 4, 5, 3.9, None, "", "4"))
    if rng.random() < rate:
        row = {"carrier": row["carrier"]}
    return row


# gate inputs at passing values, so that strong documents reach "nearly" and "ready"
PASSING: dict[str, tuple[Any, ...]] = {
    "wifi_security": ("wpa2", "wpa3"),
    "seats": (10, 20, 40),
    "seats_with_outlet": (10, 20, 40),
    "weekday_open": ("08:00", "09:00"),
    "weekday_close": ("18:00", "21:00", "24:00"),
    "days_per_week": (5, 6, 7),
    "lodging_minutes": (5, 15, 30),
    "lodging_accepts_3_nights": (True, "yes"),
}


def document(rng: random.Random) -> dict[str, Any]:
    strong = rng.random() < 0.45
    rate = rng.choice((0.0, 0.0, 0.0, 0.02, 0.05, 0.1, 0.2, 0.5, 0.9)) if not strong else 0.0
    good = rng.choice((0.2, 0.5, 0.8, 1.0, 1.0)) if not strong else 1.0
    doc: dict[str, Any] = {"name": f"site {rng.randint(0, 10**6)}"}
    for name, spec in NUMBERS.items():
        if rng.random() < 0.97:
            doc[name] = blank_or(rng, rate, lambda spec=spec: number(rng, spec, good))
    for name in FLAGS:
        if rng.random() < 0.97:
            doc[name] = blank_or(rng, rate, lambda: flag(rng, good))
    for name, codes in CODES.items():
        doc[name] = blank_or(rng, rate, lambda codes=codes: rng.choice((*codes, *codes[-2:])))
    if rng.random() < 0.05:
        doc["wifi_security"] = rng.choice(("WPA2", "wpa9", " wpa3 "))
    doc["weekday_open"] = blank_or(rng, rate, lambda: rng.choice(OPENS))
    doc["weekday_close"] = blank_or(rng, rate, lambda: rng.choice(CLOSES))
    picks = int(len(AMENITIES) * (0.3 + 0.7 * good) * rng.random()) + rng.randint(0, 4)
    amenities: list[Any] = rng.sample(AMENITIES, min(picks, len(AMENITIES)))
    if rng.random() < 0.1:
        amenities += ["unknown_code", 7]
    doc["amenities"] = amenities if rng.random() > 0.04 else rng.choice((None, "wifi", ()))
    doc["transport_options"] = rng.sample(TRANSPORT, rng.randint(0, 2))
    count = rng.choice((0, 1, 2, 3, 3, 3, 4, 5))
    doc["measurements"] = [run(rng, rate, good) for _ in range(count)]
    if rng.random() < 0.03:
        doc["measurements"] = rng.choice((None, "runs"))
    doc["coverage"] = [coverage_row(rng, rate) for _ in range(rng.randint(0, 6))]
    if rng.random() < 0.03:
        doc["coverage"] = rng.choice((None, {"carrier": "docomo"}))
    if strong:
        for name, values in PASSING.items():
            if rng.random() < 0.9:
                doc[name] = rng.choice(values)
        for item in doc["measurements"] if isinstance(doc["measurements"], list) else ():
            if isinstance(item, dict) and rng.random() < 0.9:
                item |= {"download_mbps": rng.choice((30, 100, 150.5, 99.99))}
                item |= {"upload_mbps": rng.choice((10, 20, 35.5)), "latency_ms": 20}
    return doc


def documents() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    fixed: list[dict[str, Any]] = [SITE_A, SITE_B, {}]
    return fixed + [document(rng) for _ in range(COUNT)]


VARIANT_COUNT = 80  # the variant rubric scores the first documents only


def plain(data: Any) -> Any:
    """The dict as JSON stores it (floats by repr, tuples as lists)."""
    return json.loads(json.dumps(data, ensure_ascii=False))


def dump(expected: dict[str, list[Any]]) -> str:
    """Compact JSON, one scored document a line (so a change shows as a readable diff)."""
    parts = []
    for name, items in expected.items():
        lines = ",\n".join(json.dumps(d, ensure_ascii=False, separators=(",", ":")) for d in items)
        parts.append(f"{json.dumps(name)}:[\n{lines}\n]")
    return "{" + ",\n".join(parts) + "}\n"


def variant_rubric_text(text: str) -> str:
    """The bundled rubric with fractional points, weights and thresholds (exactness probe)."""
    for old, new in (
        ("[categories.connectivity]\nweight = 25", "[categories.connectivity]\nweight = 22.5"),
        ("[categories.workspace]\nweight = 20", "[categories.workspace]\nweight = 22.5"),
        ("{ at = 100, points = 7 }", "{ at = 99.95, points = 7.5 }"),
        ("{ at = 0.1, points = 4 }", "{ at = 0.125, points = 3.5 }"),
        ("rsrp_at = -90", "rsrp_at = -90.5"),
        ("points = { premium = 2, business = 1 }", "points = { premium = 2, business = 0.25 }"),
        ('{ input = "temperature_c", min = 17', '{ input = "temperature_c", min = 16.5'),
        ("ready_min_score = 75", "ready_min_score = 66.6"),
        ("nearly_min_score = 55", "nearly_min_score = 33.3"),
        ("category_min_share = 0.5", "category_min_share = 0.35"),
        ("max_missing_fraction = 0.15", "max_missing_fraction = 0.3"),
        ("above = 4", "above = 3.75"),
        ('version = "jp-workation-2026.1"', 'version = "variant"'),
    ):
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def main() -> None:
    from app.scoring import DEFAULT_PATH, load_rubric, score_site

    variant = Path("/tmp") / "equivalence-variant.toml"  # a throwaway copy
    variant.write_text(variant_rubric_text(DEFAULT_PATH.read_text(encoding="utf-8")), "utf-8")
    rubrics = {"default": load_rubric(), "variant": load_rubric(variant)}
    docs = documents()
    counts = {"default": len(docs), "variant": VARIANT_COUNT}
    expected = {
        name: [plain(score_site(doc, rubric).to_dict()) for doc in docs[: counts[name]]]
        for name, rubric in rubrics.items()
    }
    FIXTURE.write_text(dump(expected), "utf-8")
    tiers = [d["tier"] for d in expected["default"]] + [d["tier"] for d in expected["variant"]]
    print(f"wrote {FIXTURE.name}: {counts}")
    print({tier: tiers.count(tier) for tier in sorted(set(tiers))})


if __name__ == "__main__":
    main()
