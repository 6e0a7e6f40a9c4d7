"""Export records without an app or a database: Japanese labels, realistic sites with stored
score breakdowns, and metadata. Used by the pure export tests and by bench/export_xlsx.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.exports.records import ExportMeta, ExportSite, Labels
from app.scoring import Rubric, score_site
from forms.catalog import AMENITY_CODES
from tests.scoring.equivalence_docs import documents

PLACES = {  # code: (prefecture, municipality, latitude, longitude, postal code)
    "304018": ("和歌山県", "白浜町", 33.68, 135.35, "649-2211"),
    "302066": ("和歌山県", "田辺市", 33.73, 135.38, "646-0001"),
    "304212": ("和歌山県", "那智勝浦町", 33.64, 135.93, "649-5302"),
    "012025": ("北海道", "函館市", 41.77, 140.73, "040-0001"),
    "202142": ("長野県", "茅野市", 35.99, 138.14, "391-0001"),
    "473821": ("沖縄県", "竹富町", 24.33, 124.09, "907-1101"),
}
FACILITIES = ("coworking", "satellite_office", "lodging_workspace", "public_facility", "cafe")
CARRIERS = ("docomo", "au", "softbank", "rakuten", "rakuten_partner")
STATUSES = ("draft", "submitted", "in_review", "approved", "needs_revision")


def labels(rubric: Rubric) -> Labels:
    """The labels the app prints (its Japanese catalog), without Flask-Babel."""
    return Labels(
        facility={
            "coworking": "コワーキングスペース",
            "satellite_office": "サテライトオフィス",
            "lodging_workspace": "ワークスペース付き宿泊施設",
            "public_facility": "公共施設",
            "cafe": "カフェ",
            "other": "その他",
        },
        location_source={"gps": "GPS", "map": "地図", "manual": "手入力", "geocoded": "住所から"},
        status={
            "draft": "下書き",
            "submitted": "提出済み",
            "in_review": "審査中",
            "approved": "承認",
            "needs_revision": "要修正",
            "rejected": "却下",
        },
        line_type={"fiber": "光回線(FTTH)", "catv": "ケーブルテレビ", "mobile": "モバイルルーター"},
        technology={"5g": "5G", "4g": "4G", "none": "圏外"},
        placement={"indoor": "屋内", "outdoor": "屋外"},
        tier={code: ja for code, ja, _en in rubric.tiers.labels},
        gate_status={"pass": "合格", "fail": "不合格", "unknown": "データ不足"},
    )


def meta(**changes: Any) -> ExportMeta:
    values: dict[str, Any] = {
        "created_at": datetime(2026, 11, 28, 15, 30, tzinfo=UTC),  # 2026-11-29 00:30 in Japan
        "created_by": "審査 太郎",
        "filter_text": "都道府県=和歌山県(30)、判定区分=あと一歩",
        "rubric_versions": "jp-workation-2026.1",
        "app_version": "workation-site-survey 0.1",
        "contact": "export@example.jp",
    }
    return ExportMeta(**(values | changes))


def summaries(rubric: Rubric, count: int = 8) -> list[dict[str, Any]]:
    """Stored breakdowns (`to_compact_dict()`, as app.review.scores stores them) of a few of the
    scorer's varied test documents, every tier among them, scored once."""
    by_tier: dict[str, list[dict[str, Any]]] = {}
    for doc in documents()[:60]:
        compact = score_site(doc, rubric).to_compact_dict()
        by_tier.setdefault(compact["tier"], []).append(compact)
    picked = [summary for group in zip(*by_tier.values(), strict=False) for summary in group]
    return picked[:count]


def site(
    i: int,
    summary: dict[str, Any] | None = None,
    rubric_version: str = "jp-workation-2026.1",
    **row: Any,
) -> ExportSite:
    """One realistic site: 3 speed runs, 4–5 carriers, about ten amenities, a stored score."""
    code = tuple(PLACES)[i % len(PLACES)]
    prefecture, city, lat, lon, postal = PLACES[code]
    site_uuid = str(uuid.UUID(int=i + 1))
    measured = datetime(2026, 11, 20, 1, 0, tzinfo=UTC) + timedelta(minutes=i % 600)
    runs = [
        {
            "uuid": str(uuid.UUID(int=10**9 + 3 * i + k)),
            "measured_at": measured + timedelta(minutes=15 * k),
            "method": ("browser", "speedtest-cli", "manual")[k],
            "isp": "NTT東日本 フレッツ光" if k else None,
            "server": "Tokyo - IPA CyberLab 400G" if k == 1 else None,
            "download_mbps": 80.0 + (i * 7 + k * 13) % 400 + 0.25,
            "upload_mbps": 30.0 + (i * 3 + k) % 90 + 0.5,
            "latency_ms": 8.0 + (i + k) % 30,
            "jitter_ms": 1.5 + k,
            "loss_pct": 0.0 if k else None,
        }
        for k in range(3)
    ]
    coverage = [
        {
            "carrier": carrier,
            "technology": ("5g", "4g", "none")[(i + n) % 3],
            "rsrp_dbm": -70 - (i + 11 * n) % 50,
            "placement": "indoor",
        }
        for n, carrier in enumerate(CARRIERS[: 4 + i % 2])
    ]
    stored = summary or {}
    values: dict[str, Any] = {
        "uuid": site_uuid,
        "municipality_code": code,
        "name": f"{city}ワーケーション拠点 {i}",
        "name_kana": f"ワーケーションキョテン {i}",
        "name_en": f"Workation Base {i}",
        "facility_type": FACILITIES[i % len(FACILITIES)],
        "postal_code": postal,
        "address_town": "大字白浜",
        "address_line": f"{1000 + i % 3000}番地{1 + i % 20}",
        "building": "海辺ビル 2階" if i % 4 == 0 else None,
        "latitude": lat + (i % 1000) / 100000,
        "longitude": lon + (i % 777) / 100000,
        "location_source": "gps",
        "location_accuracy_m": 4.0 + i % 20,
        "phone": "0739-42-0000",
        "days_per_week": 5 + i % 3,
        "weekday_open": "09:00",
        "weekday_close": "18:00",
        "seats": 10 + i % 60,
        "seats_with_outlet": 8 + i % 40,
        "meeting_booths": i % 4,
        "surveyed_on": date(2026, 11, 1) + timedelta(days=i % 28),
        "status": STATUSES[i % len(STATUSES)],
        "score": stored.get("total"),
        "tier": stored.get("tier"),
        "rubric_version": rubric_version if summary else None,
        "score_summary": summary,
        "amenities": sorted(AMENITY_CODES)[i % 5 :: 3][:10],
        "notes": "駐車場は隣接の町営駐車場" if i % 3 == 0 else None,
    }
    values.update(row)
    return ExportSite(
        row=values,
        municipality_name=prefecture + city,
        prefecture_name=prefecture,
        city_name=city,
        surveyor=f"調査員 {i % 17}",
        url=f"https://survey.example.jp/surveys/{site_uuid}",
        runs=runs,
        coverage=coverage,
    )


def sites(count: int, stored: list[dict[str, Any]], start: int = 0) -> Iterator[ExportSite]:
    """`count` sites, generated one by one, reusing a few stored breakdowns (`summaries`)."""
    for i in range(start, start + count):
        yield site(i, stored[i % len(stored)])
