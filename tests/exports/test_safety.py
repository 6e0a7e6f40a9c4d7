"""Cell text that can't run as a formula and that XML (so Excel) can hold."""

from __future__ import annotations

import pytest

from app.exports.safety import csv_text, is_risky, printable

RISKY = ["=1+2", "+81 739", "-5", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']
SAFE = ["白浜町", "a=b", "1+2", " =x", "x-", "", "'=already quoted"]


@pytest.mark.parametrize("text", RISKY)
def test_risky_starts(text: str) -> None:
    assert is_risky(text)
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("text", SAFE)
def test_safe_text_is_left_alone(text: str) -> None:
    assert not is_risky(text)
    assert csv_text(text) == text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\x00b", "a\ufffdb"),
        ("\x01\x08\x0b\x0c\x0e\x1f", "\ufffd" * 6),
        ("a\ufffeb\uffffc", "a\ufffdb\ufffdc"),
        ("a\ud800b", "a\ufffdb"),  # a lone surrogate: UTF-8 cannot encode it
    ],
)
def test_characters_xml_cannot_hold_are_replaced_not_dropped(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert len(printable(text)) == len(text)


def test_tab_newline_and_carriage_return_are_kept() -> None:
    text = "一行目\n二行目\tタブ\r"
    assert printable(text) is text


def test_csv_text_replaces_then_quotes() -> None:
    assert csv_text("=\x07") == "'=\ufffd"
