"""Sites → CSV for Excel: UTF-8 with BOM, or Shift_JIS (cp932) for older office software.

cp932 lacks some characters. The few whose JIS code cp932 maps to another code point (the
wave dash 〜, the double vertical line ‖, the minus sign − ...) are written as that code
point, which looks the same; any other is written as 〓 (geta, the customary visible stand-in)
and counted, so nothing is dropped silently.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

from app.exports.columns import NO_ITEM, Column, plain
from app.exports.records import ExportSite, ExportStats
from app.exports.safety import csv_text

ENCODINGS = {"utf-8": "utf-8-sig", "cp932": "cp932"}
GETA = "〓"
# Same JIS X 0208 character, other Unicode code point in Microsoft's cp932 table.
CP932_EQUIVALENTS = str.maketrans(
    {
        "\u301c": "\uff5e",  # 〜 WAVE DASH → ～
        "\u2016": "\u2225",  # ‖ → ∥
        "\u2212": "\uff0d",  # − MINUS SIGN → －
        "\u00a2": "\uffe0",  # ¢ → ￠
        "\u00a3": "\uffe1",  # £ → ￡
        "\u00ac": "\uffe2",  # ¬ → ￢
        "\u2014": "\u2015",  # — EM DASH → ―
    }
)
CHUNK_ROWS = 500
PROGRESS_EVERY = 500


def encode_cp932(text: str) -> tuple[bytes, int]:
    """The text in cp932 and the number of characters replaced by 〓."""
    text = text.translate(CP932_EQUIVALENTS)
    try:
        return text.encode("cp932"), 0
    except UnicodeEncodeError:
        pass
    out: list[str] = []
    replaced = 0
    for char in text:
        try:
            char.encode("cp932")
            out.append(char)
        except UnicodeEncodeError:
            out.append(GETA)
            replaced += 1
    return "".join(out).encode("cp932"), replaced


def csv_value(value: Any) -> Any:
    value = plain(value)
    return csv_text(value) if isinstance(value, str) else value


def write_csv(
    target: IO[bytes],
    sites: Iterable[ExportSite],
    columns: Sequence[Column],
    encoding: str = "utf-8",
    *,
    progress: Callable[[int], None] | None = None,
) -> ExportStats:
    """One row per site, the columns of sheet 調査結果; CRLF line ends as Excel writes them."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown CSV encoding: {encoding}")
    stats = ExportStats()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.header for column in columns])
    if encoding == "utf-8":
        target.write(b"\xef\xbb\xbf")
    for site in sites:
        writer.writerow([csv_value(column.get(site, NO_ITEM)) for column in columns])
        stats.sites += 1
        if stats.sites % CHUNK_ROWS == 0:
            _flush(buffer, target, encoding, stats)
        if progress is not None and stats.sites % PROGRESS_EVERY == 0:
            progress(stats.sites)
    _flush(buffer, target, encoding, stats)
    stats.rows["sites"] = stats.sites
    return stats


def _flush(buffer: io.StringIO, target: IO[bytes], encoding: str, stats: ExportStats) -> None:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    if encoding == "utf-8":
        target.write(text.encode("utf-8"))
        return
    data, replaced = encode_cp932(text)
    target.write(data)
    stats.replaced_chars += replaced
