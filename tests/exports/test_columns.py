"""The column layer: getters, formats, widths (the workbook tests read the file back)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from app.exports.columns import (
    COORD,
    DAY,
    MBPS,
    WHEN,
    Column,
    amenity_columns,
    breakdown_columns,
    coverage_columns,
    display_width,
    jst,
    plain,
    run_columns,
    site_columns,
)
from app.exports.records import ExportSite
from app.scoring import Rubric, load_rubric, summarize_runs
from tests.exports import samples


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric()


def by_header(columns: list[Column]) -> dict[str, Column]:
    return {c.header: c for c in columns}


def test_japan_time_crosses_midnight() -> None:
    assert jst(datetime(2026, 11, 20, 15, 30, 42, tzinfo=UTC)) == datetime(2026, 11, 21, 0, 30)
    assert jst(datetime(2026, 11, 20, 15, 30)) == datetime(2026, 11, 21, 0, 30)  # naive is UTC
    other = timezone(timedelta(hours=-5))
    assert jst(datetime(2026, 11, 20, 10, 30, tzinfo=other)) == datetime(2026, 11, 21, 0, 30)
    assert jst(None) is None


def test_number_formats_follow_the_units(rubric: Rubric) -> None:
    labels = samples.labels(rubric)
    sites, runs = by_header(site_columns(labels, rubric)), by_header(run_columns(labels))
    assert sites["緯度"].number_format == sites["経度"].number_format == COORD == "0.000000"
    assert sites["下り速度中央値(Mbps)"].number_format == MBPS == "0.0"
    assert runs["下り速度(Mbps)"].number_format == runs["上り速度(Mbps)"].number_format == "0.0"
    assert runs["計測日時"].number_format == WHEN == "yyyy-mm-dd hh:mm"
    assert sites["調査日"].number_format == DAY == "yyyy-mm-dd"
    # codes are text; integers need no format
    assert sites["全国地方公共団体コード"].kind == sites["郵便番号"].kind == "文字列"
    assert sites["全国地方公共団体コード"].number_format is None
    assert sites["座席数"].number_format is None
    assert by_header(coverage_columns(labels))["RSRP(dBm)"].number_format is None
    assert all(c.number_format is None for c in amenity_columns())


def test_site_getters(rubric: Rubric) -> None:
    stored = samples.summaries(rubric)[0]
    site = samples.site(3, stored, municipality_code="012025", postal_code="040-0001")
    cols = by_header(site_columns(samples.labels(rubric), rubric))

    def get(header: str) -> Any:
        return cols[header].get(site, None)

    assert get("全国地方公共団体コード") == "012025"
    assert get("郵便番号") == "040-0001"
    assert get("地方公共団体名") == "北海道函館市"
    assert get("所在地_連結表記") == "北海道函館市大字白浜" + site.row["address_line"]
    assert get("種別") == "公共施設"
    assert get("利用可能曜日") == f"週{site.row['days_per_week']}日"
    assert get("審査状況") == "承認"
    assert get("総合点") == stored["total"]
    assert get("通信環境") == stored["categories"]["connectivity"]
    assert get("判定区分") == "準備完了"
    assert get("調査日") == site.row["surveyed_on"]
    gates = set(stored["gates"].values())
    assert get("ゲート判定") == (
        "不合格" if "fail" in gates else "データ不足" if "unknown" in gates else "合格"
    )
    site.row["amenities"] = ["step_free", "wifi", "elevator"]  # type: ignore[index]
    fresh = ExportSite(row=site.row)
    assert cols["バリアフリー情報"].get(fresh, None) == "段差なし入口、エレベーター"


def test_unknown_codes_show_as_themselves_and_blanks_stay_blank(rubric: Rubric) -> None:
    cols = by_header(site_columns(samples.labels(rubric), rubric))
    site = ExportSite(row={"facility_type": "yurt", "tier": None, "name": ""})
    assert cols["種別"].get(site, None) == "yurt"
    assert cols["判定区分"].get(site, None) is None
    assert cols["名称"].get(site, None) is None
    assert cols["ゲート判定"].get(site, None) is None
    assert cols["下り速度中央値(Mbps)"].get(site, None) is None


def test_medians_are_the_stored_ones_when_the_runs_match(rubric: Rubric) -> None:
    stored = dict(samples.summaries(rubric)[0])
    header = "下り速度中央値(Mbps)"
    column = by_header(site_columns(samples.labels(rubric), rubric))[header]
    stored["connectivity"] = {"run_count": 3, "download_mbps": 123.0, "upload_mbps": None}
    site = samples.site(1, stored)
    assert site.medians.download_mbps == 123.0
    assert column.get(site, None) == 123.0
    # a breakdown that saw other runs, or none: the medians of the site's own runs
    stored["connectivity"] = {"run_count": 2, "download_mbps": 123.0, "upload_mbps": None}
    for summary in (stored, None):
        site = samples.site(1, summary)
        computed = summarize_runs([dict(r) for r in site.runs])
        assert site.medians == computed
        assert column.get(site, None) == computed.download_mbps != 123.0


def test_amenity_columns_count_or_tick(rubric: Rubric) -> None:
    site = ExportSite(row={"amenities": ["wifi", "meeting_booth"], "meeting_booths": 3})
    values = {c.english: c.get(site, None) for c in amenity_columns()}
    assert values["amenity_wifi"] == 1
    assert values["amenity_meeting_booth"] == 3  # counted: the count, not 1
    assert values["amenity_printer"] == 0
    assert values["amenity_seat_outlet"] == 0  # counted, but no count and not ticked


def test_breakdown_columns_read_the_stored_summary(rubric: Rubric) -> None:
    stored = samples.summaries(rubric)[1]
    site = samples.site(5, stored)
    columns = breakdown_columns(samples.labels(rubric), rubric)
    values = {c.english: c.get(site, None) for c in columns}
    for rule in rubric.rules:
        assert values[f"points_{rule.code}"] == stored["fields"][rule.code]
    labels = {"pass": "合格", "fail": "不合格", "unknown": "データ不足"}
    for gate in rubric.gates:
        assert values[f"gate_{gate.code}"] == labels[stored["gates"][gate.code]]
    assert values["cap"] == ("あり" if stored["capped"] else "なし")


def test_widths_fit_full_width_text() -> None:
    assert display_width("ab") == 2
    assert display_width("白浜") == 4
    column = Column("下り速度中央値(Mbps)", "x", "小数", lambda s, i: None, typical=5)
    assert column.width == display_width("下り速度中央値(Mbps)") + 2
    assert Column("x" * 100, "x", "文字列", lambda s, i: None).width == 60


def test_plain_values_for_csv_and_json() -> None:
    assert plain(datetime(2026, 11, 21, 0, 30)) == "2026-11-21 00:30"
    assert plain(date(2026, 11, 1)) == "2026-11-01"
    assert plain(1.5) == 1.5
