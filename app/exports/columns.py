"""The columns of every export table: Japanese header with unit, data-dictionary entry, number
format, width, and how the value is read from an `ExportSite` (spec: excel-export.md).

A getter takes the site and, on the per-run and per-carrier sheets, the run or coverage row.
Values are plain: str, int, float, date, naive Japan-time datetime or None (blank).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from app.exports.records import ExportSite, Labels
from app.scoring import Rubric
from app.timeutil import to_jst
from forms.catalog import AMENITIES

Getter = Callable[[ExportSite, Mapping[str, Any]], Any]
NO_ITEM: Mapping[str, Any] = MappingProxyType({})  # the item of a one-row-per-site sheet

MBPS = "0.0"
MS = "0.0"
COORD = "0.000000"
WHEN = "yyyy-mm-dd hh:mm"
DAY = "yyyy-mm-dd"
POINTS = "0.0"
CARRIERS_JA = {
    "docomo": "NTTドコモ",
    "au": "au",
    "softbank": "ソフトバンク",
    "rakuten": "楽天モバイル",
    "rakuten_partner": "楽天モバイル",
}
PARTNER_NETWORK = {"rakuten_partner": "au"}
# Checklist items whose count the survey records: the column shows the count when recorded.
COUNTED_AMENITIES = {
    "meeting_booth": "meeting_booths",
    "seat_outlet": "seats_with_outlet",
    "experiences": "experience_programmes",
}
BARRIER_FREE = ("step_free", "accessible_toilet", "elevator", "nursing_room")


@dataclass(frozen=True)
class Column:
    header: str  # 項目名, unit in brackets
    english: str  # 英名
    kind: str  # 型
    get: Getter
    unit: str = ""
    allowed: str = ""  # 許容範囲
    description: str = ""
    number_format: str | None = None
    typical: int = 10  # typical width of a value, in half-width characters

    @property
    def width(self) -> float:
        """Column width fitted to the Japanese header and a typical value."""
        return float(min(60, max(display_width(self.header), self.typical) + 2))


@lru_cache(maxsize=4096)
def display_width(text: str) -> int:
    """Width in half-width cells: full-width (East Asian W/F) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _row(name: str) -> Getter:
    return lambda site, _item: site.row.get(name)


def _item(name: str) -> Getter:
    return lambda _site, item: item.get(name)


def _text(name: str) -> Getter:
    def get(site: ExportSite, _item: Mapping[str, Any]) -> str | None:
        value = site.row.get(name)
        return None if value is None or value == "" else str(value)

    return get


def _label(name: str, table: Mapping[str, str]) -> Getter:
    return lambda site, _item: Labels.of(table, site.row.get(name))


def jst(value: datetime | None) -> datetime | None:
    """A stored time as naive Japan time (Excel cells hold no time zone), to the minute."""
    if value is None:
        return None
    return to_jst(value).replace(tzinfo=None, second=0, microsecond=0)


def _address(site: ExportSite, _item: Mapping[str, Any]) -> str | None:
    parts = [site.municipality_name, site.row.get("address_town"), site.row.get("address_line")]
    joined = "".join(p for p in parts if p)
    return joined or None


def _days(site: ExportSite, _item: Mapping[str, Any]) -> str | None:
    days = site.row.get("days_per_week")
    return None if days is None else f"週{days}日"


def _barrier_free(labels: Mapping[str, str]) -> Getter:
    def get(site: ExportSite, _item: Mapping[str, Any]) -> str | None:
        ticked = site.ticked
        names = [labels[code] for code in BARRIER_FREE if code in ticked]
        return "、".join(names) or None

    return get


def _median(metric: str) -> Getter:
    return lambda site, _item: site.medians.median(metric)


def _category(code: str) -> Getter:
    return lambda site, _item: site.summary_part("categories").get(code)


def _gates_overall(labels: Labels) -> Getter:
    def get(site: ExportSite, _item: Mapping[str, Any]) -> str | None:
        gates = site.summary_part("gates")
        if not gates:
            return None
        statuses = set(gates.values())
        overall = "fail" if "fail" in statuses else "unknown" if "unknown" in statuses else "pass"
        return labels.of(labels.gate_status, overall)

    return get


def site_columns(labels: Labels, rubric: Rubric) -> list[Column]:
    """Sheet 調査結果 (and the CSV and GeoJSON): one row per site."""
    amenity_ja = {a.code: a.ja for a in AMENITIES}
    text = "文字列"
    columns = [
        Column(
            "全国地方公共団体コード",
            "municipality_code",
            text,
            _text("municipality_code"),
            allowed="6桁の数字",
            description="総務省の全国地方公共団体コード(検査数字付き)",
        ),
        Column(
            "ID",
            "id",
            text,
            _text("uuid"),
            allowed="UUID",
            typical=36,
            description="調査地点の識別子(端末で採番)",
        ),
        Column(
            "地方公共団体名",
            "municipality_name",
            text,
            lambda s, _: s.municipality_name or None,
            typical=16,
            description="都道府県名と市区町村名",
        ),
        Column("名称", "name", text, _text("name"), typical=30, description="施設の名称"),
        Column("名称_カナ", "name_kana", text, _text("name_kana"), typical=24),
        Column("名称_英字", "name_en", text, _text("name_en"), typical=24),
        Column(
            "種別",
            "facility_type",
            text,
            _label("facility_type", labels.facility),
            typical=14,
            description="施設の種別",
        ),
        Column("郵便番号", "postal_code", text, _text("postal_code"), allowed="NNN-NNNN"),
        Column(
            "所在地_連結表記",
            "address",
            text,
            _address,
            typical=36,
            description="都道府県から番地までの所在地",
        ),
        Column(
            "所在地_都道府県", "address_prefecture", text, lambda s, _: s.prefecture_name or None
        ),
        Column("所在地_市区町村", "address_city", text, lambda s, _: s.city_name or None),
        Column("所在地_町字", "address_town", text, _text("address_town"), typical=16),
        Column("所在地_番地以下", "address_line", text, _text("address_line"), typical=14),
        Column("建物名等(方書)", "building", text, _text("building"), typical=16),
        Column(
            "緯度",
            "latitude",
            "小数",
            _row("latitude"),
            unit="度",
            allowed="20〜46",
            description="世界測地系(WGS84)",
            number_format=COORD,
            typical=11,
        ),
        Column(
            "経度",
            "longitude",
            "小数",
            _row("longitude"),
            unit="度",
            allowed="122〜154",
            description="世界測地系(WGS84)",
            number_format=COORD,
            typical=11,
        ),
        Column(
            "位置の取得方法",
            "location_source",
            text,
            _label("location_source", labels.location_source),
            typical=12,
        ),
        Column(
            "位置精度(m)",
            "location_accuracy_m",
            "小数",
            _row("location_accuracy_m"),
            unit="m",
            allowed="0以上",
            description="GPSの推定誤差(半径)",
            number_format="0.0",
        ),
        Column("電話番号", "phone", text, _text("phone"), typical=14),
        Column(
            "利用可能曜日",
            "open_days",
            text,
            _days,
            allowed="週1日〜週7日",
            description="調査では曜日ではなく週あたりの利用可能日数を記録する",
        ),
        Column(
            "開始時間",
            "opening_time",
            text,
            _text("weekday_open"),
            allowed="HH:MM",
            description="平日の開始時刻",
        ),
        Column(
            "終了時間",
            "closing_time",
            text,
            _text("weekday_close"),
            allowed="HH:MM(24:00まで)",
            description="平日の終了時刻",
        ),
        Column("座席数", "seats", "整数", _row("seats"), unit="席", allowed="0以上"),
        Column(
            "下り速度中央値(Mbps)",
            "download_median_mbps",
            "小数",
            _median("download_mbps"),
            unit="Mbps",
            allowed="0以上",
            description="計測の中央値(採点に使う値)",
            number_format=MBPS,
        ),
        Column(
            "上り速度中央値(Mbps)",
            "upload_median_mbps",
            "小数",
            _median("upload_mbps"),
            unit="Mbps",
            allowed="0以上",
            description="計測の中央値(採点に使う値)",
            number_format=MBPS,
        ),
        Column(
            "遅延中央値(ms)",
            "latency_median_ms",
            "小数",
            _median("latency_ms"),
            unit="ms",
            allowed="0以上",
            description="計測の中央値(採点に使う値)",
            number_format=MS,
        ),
        Column(
            "調査日",
            "surveyed_on",
            "日付",
            _row("surveyed_on"),
            allowed="西暦の日付",
            number_format=DAY,
            typical=11,
        ),
        Column("調査者", "surveyor", text, lambda s, _: s.surveyor or None, typical=14),
        Column("審査状況", "review_status", text, _label("status", labels.status), typical=10),
        Column(
            "総合点",
            "score",
            "小数",
            _row("score"),
            unit="点",
            allowed="0〜100",
            description=f"採点基準 {rubric.version} による総合点",
            number_format=POINTS,
        ),
    ]
    for category in rubric.categories:
        columns.append(
            Column(
                category.label_ja,
                f"score_{category.code}",
                "小数",
                _category(category.code),
                unit="点",
                allowed=f"0〜{float(rubric.category_max(category.code)):g}",
                description=f"{category.label_ja}の得点",
                number_format=POINTS,
            )
        )
    columns += [
        Column(
            "ゲート判定",
            "gates",
            text,
            _gates_overall(labels),
            allowed="合格/不合格/データ不足",
            description="必須条件(ゲート)すべての判定",
        ),
        Column(
            "判定区分",
            "tier",
            text,
            _label("tier", labels.tier),
            typical=10,
            description="準備完了/あと一歩/要整備/判定保留",
        ),
        Column("採点基準版", "rubric_version", text, _text("rubric_version"), typical=20),
        Column(
            "バリアフリー情報",
            "barrier_free",
            text,
            _barrier_free(amenity_ja),
            typical=24,
            description="設備チェックのうちバリアフリーに関わる項目",
        ),
        Column(
            "URL",
            "url",
            text,
            lambda s, _: s.url or None,
            typical=40,
            description="中央サーバーの調査地点ページ",
        ),
        Column("備考", "notes", text, _text("notes"), typical=30),
    ]
    return columns


def run_columns(labels: Labels) -> list[Column]:
    """Sheet 通信計測: one row per speed run."""
    return [
        Column("ID", "id", "文字列", _text("uuid"), allowed="UUID", typical=36),
        Column("計測ID", "measurement_id", "文字列", _item("uuid"), allowed="UUID", typical=36),
        Column(
            "計測日時",
            "measured_at",
            "日時",
            lambda _s, run: jst(run.get("measured_at")),
            description="日本時間(UTC+09:00)",
            number_format=WHEN,
            typical=16,
        ),
        Column("回線種別", "line_type", "文字列", _label("line_type", labels.line_type)),
        Column(
            "事業者",
            "provider",
            "文字列",
            _item("isp"),
            typical=14,
            description="回線事業者(記録がある場合)",
        ),
        Column(
            "計測方法",
            "method",
            "文字列",
            _item("method"),
            allowed="browser / speedtest-cli / manual",
            typical=13,
        ),
        Column("計測サーバ", "server", "文字列", _item("server"), typical=30),
        Column(
            "下り速度(Mbps)",
            "download_mbps",
            "小数",
            _item("download_mbps"),
            unit="Mbps",
            allowed="0以上",
            number_format=MBPS,
        ),
        Column(
            "上り速度(Mbps)",
            "upload_mbps",
            "小数",
            _item("upload_mbps"),
            unit="Mbps",
            allowed="0以上",
            number_format=MBPS,
        ),
        Column(
            "遅延(ms)",
            "latency_ms",
            "小数",
            _item("latency_ms"),
            unit="ms",
            allowed="0以上",
            number_format=MS,
        ),
        Column(
            "ジッタ(ms)",
            "jitter_ms",
            "小数",
            _item("jitter_ms"),
            unit="ms",
            allowed="0以上",
            number_format=MS,
        ),
        Column(
            "パケットロス(%)",
            "loss_pct",
            "小数",
            _item("loss_pct"),
            unit="%",
            allowed="0〜100",
            number_format="0.0",
        ),
    ]


def coverage_columns(labels: Labels) -> list[Column]:
    """Sheet 携帯電波: one row per carrier recorded."""
    return [
        Column("ID", "id", "文字列", _text("uuid"), allowed="UUID", typical=36),
        Column(
            "事業者",
            "carrier",
            "文字列",
            lambda _s, c: CARRIERS_JA.get(c.get("carrier", "")),
            allowed="NTTドコモ/au/ソフトバンク/楽天モバイル",
            typical=12,
        ),
        Column(
            "方式",
            "technology",
            "文字列",
            lambda _s, c: labels.of(labels.technology, c.get("technology")),
            allowed="5G/4G/圏外",
        ),
        Column(
            "RSRP(dBm)",
            "rsrp_dbm",
            "整数",
            _item("rsrp_dbm"),
            unit="dBm",
            allowed="-140〜-44",
            description="屋内で測った基準信号受信電力",
        ),
        Column(
            "パートナー回線",
            "partner_network",
            "文字列",
            lambda _s, c: PARTNER_NETWORK.get(c.get("carrier", "")),
            description="ローミング先(楽天モバイルのau回線)",
        ),
        Column(
            "屋内外",
            "placement",
            "文字列",
            lambda _s, c: labels.of(labels.placement, c.get("placement")),
            allowed="屋内/屋外",
        ),
    ]


def _amenity(code: str) -> Getter:
    count_field = COUNTED_AMENITIES.get(code)

    def get(site: ExportSite, _item: Mapping[str, Any]) -> int:
        if count_field is not None and site.row.get(count_field) is not None:
            return int(site.row[count_field])
        return 1 if code in site.ticked else 0

    return get


def amenity_columns() -> list[Column]:
    """Sheet 設備チェック: one row per site, one column per checklist item."""
    columns = [
        Column("ID", "id", "文字列", _text("uuid"), allowed="UUID", typical=36),
        Column("名称", "name", "文字列", _text("name"), typical=30),
    ]
    for amenity in AMENITIES:
        counted = amenity.code in COUNTED_AMENITIES
        columns.append(
            Column(
                amenity.ja,
                f"amenity_{amenity.code}",
                "整数",
                _amenity(amenity.code),
                allowed="0以上の個数(未記録なら有1/無0)" if counted else "1(有)/0(無)",
                description=(
                    f"設備チェック「{amenity.ja}」の数(数の記録がなければ有無)"
                    if counted
                    else f"設備チェック「{amenity.ja}」の有無"
                ),
                typical=4,
            )
        )
    return columns


def _points(code: str) -> Getter:
    return lambda site, _item: site.summary_part("fields").get(code)


def _gate(code: str, labels: Labels) -> Getter:
    return lambda site, _item: labels.of(labels.gate_status, site.summary_part("gates").get(code))


def _capped(site: ExportSite, _item: Mapping[str, Any]) -> str | None:
    capped = site.summary.get("capped")
    return None if capped is None else ("あり" if capped else "なし")


def breakdown_columns(labels: Labels, rubric: Rubric) -> list[Column]:
    """Sheet 採点内訳: points of every scored item, each gate, the cap, the total."""
    category_ja = {c.code: c.label_ja for c in rubric.categories}
    columns = [
        Column("ID", "id", "文字列", _text("uuid"), allowed="UUID", typical=36),
        Column("名称", "name", "文字列", _text("name"), typical=30),
    ]
    for rule in rubric.rules:
        columns.append(
            Column(
                f"{category_ja[rule.category]}:{rule.label_ja}(点)",
                f"points_{rule.code}",
                "小数",
                _points(rule.code),
                unit="点",
                allowed=f"0〜{float(rule.max_points):g}",
                description=(
                    f"{category_ja[rule.category]}の採点項目「{rule.label_ja}」の得点。"
                    "空欄はデータ不足"
                ),
                number_format=POINTS,
                typical=6,
            )
        )
    for gate in rubric.gates:
        columns.append(
            Column(
                f"ゲート{gate.code}:{gate.label_ja}",
                f"gate_{gate.code}",
                "文字列",
                _gate(gate.code, labels),
                allowed="合格/不合格/データ不足",
                description=f"必須条件(ゲート){gate.code}「{gate.label_ja}」の判定",
                typical=8,
            )
        )
    columns += [
        Column(
            f"上限:{rubric.cap.label_ja}",
            "cap",
            "文字列",
            _capped,
            allowed="あり/なし",
            description=f"「{rubric.cap.label_ja}」に当たると判定区分は最高で「あと一歩」",
        ),
        Column(
            "総合点",
            "score",
            "小数",
            _row("score"),
            unit="点",
            allowed="0〜100",
            number_format=POINTS,
        ),
        Column("判定区分", "tier", "文字列", _label("tier", labels.tier), typical=10),
    ]
    return columns


def plain(value: Any) -> Any:
    """A value for CSV or JSON: dates as ISO text, times as 'YYYY-MM-DD HH:MM' Japan time."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value
