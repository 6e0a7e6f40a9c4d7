"""Cell text that can never run as a formula (CSV/Excel formula injection), and that Excel
can store at all (no control characters)."""

from __future__ import annotations

import re

RISKY_FIRST = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 forbids these (C0 controls but tab, LF and CR; the non-characters U+FFFE and U+FFFF;
# lone surrogates, which UTF-8 cannot encode). Shown as U+FFFD so nothing vanishes silently.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def is_risky(text: str) -> bool:
    """True when a spreadsheet could read the text as the start of a formula."""
    return text.startswith(RISKY_FIRST)


def printable(text: str) -> str:
    """The text with the characters XML (so Excel) can't hold replaced by U+FFFD."""
    return _CONTROL.sub("\ufffd", text) if _CONTROL.search(text) else text


def csv_text(text: str) -> str:
    """Text for a CSV cell: a leading apostrophe keeps a risky value as text in Excel (OWASP)."""
    text = printable(text)
    return "'" + text if is_risky(text) else text
