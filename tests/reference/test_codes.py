"""Tests for municipality / prefecture code helpers."""

from __future__ import annotations

import pytest

from app.reference.codes import (
    PREFECTURE_CODES,
    check_digit,
    full_municipality_code,
    is_valid_municipality_code,
    prefecture_of,
)


@pytest.mark.parametrize(
    "code",
    ["304018", "302015", "011011", "011070", "011002", "141003", "401307"],
)
def test_known_codes(code: str) -> None:
    assert check_digit(code[:5]) == code[5]
    assert full_municipality_code(code[:5]) == code
    assert is_valid_municipality_code(code)


def test_full_code_example() -> None:
    assert full_municipality_code("30401") == "304018"


@pytest.mark.parametrize(
    "code",
    [
        "304017",  # wrong check digit
        "304019",
        "30401a",
        "abcdef",
        "30401",  # five digits
        "3040180",
        "",
        "001007",  # prefecture 00
        "481003",  # prefecture 48
        "３０４０１８",  # full-width digits
        " 304018",
    ],
)
def test_invalid_codes(code: str) -> None:
    assert not is_valid_municipality_code(code)


def test_prefecture_of() -> None:
    assert prefecture_of("304018") == "30"
    assert prefecture_of("01100") == "01"
    with pytest.raises(ValueError):
        prefecture_of("481003")


def test_check_digit_rejects_bad_input() -> None:
    for bad in ("3040", "304018", "３０４０１", "3040x"):
        with pytest.raises(ValueError):
            check_digit(bad)


def test_prefecture_codes() -> None:
    assert len(PREFECTURE_CODES) == 47
    assert PREFECTURE_CODES[0] == "01"
    assert PREFECTURE_CODES[-1] == "47"
    assert list(PREFECTURE_CODES) == sorted(set(PREFECTURE_CODES))
