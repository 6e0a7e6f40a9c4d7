"""Rows → XLSX workbook (spec: excel-export.md), streamed with openpyxl's write-only mode.

Pure: takes `ExportSite` records and the column layout, writes to a path or binary file.
Memory stays flat whatever the number of sites: every sheet streams to its own temporary file
and strings are written inline (no shared-string table grows in memory).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from app.exports.columns import (
    WHEN,
    Column,
    amenity_columns,
    breakdown_columns,
    coverage_columns,
    jst,
    run_columns,
    site_columns,
)
from app.exports.records import ExportMeta, ExportSite, ExportStats, Labels
from app.exports.safety import is_risky, printable
from app.scoring import Rubric

EXCEL_MAX_ROWS = 1_048_576
SITES, RUNS, COVERAGE, AMENITIES, BREAKDOWN = (
    "調査結果",
    "通信計測",
    "携帯電波",
    "設備チェック",
    "採点内訳",
)
DICTIONARY, METADATA = "項目定義", "メタデータ"
TIER_FILLS = {"ready": "C6EFCE", "nearly": "FFEB9C", "invest": "FFC7CE", "insufficient": "D9D9D9"}
PROGRESS_EVERY = 500
HEADER_FONT = Font(bold=True)


@dataclass(frozen=True)
class Layout:
    """The columns of the five data sheets, and the tier labels for conditional colours."""

    sites: list[Column]
    runs: list[Column]
    coverage: list[Column]
    amenities: list[Column]
    breakdown: list[Column]
    tier_labels: dict[str, str]

    @classmethod
    def build(cls, labels: Labels, rubric: Rubric) -> Layout:
        return cls(
            site_columns(labels, rubric),
            run_columns(labels),
            coverage_columns(labels),
            amenity_columns(),
            breakdown_columns(labels, rubric),
            dict(labels.tier),
        )

    def data_sheets(self) -> list[tuple[str, list[Column]]]:
        return [
            (SITES, self.sites),
            (RUNS, self.runs),
            (COVERAGE, self.coverage),
            (AMENITIES, self.amenities),
            (BREAKDOWN, self.breakdown),
        ]


class SheetStream:
    """One data sheet: header, frozen top row, widths, autofilter, tier colours; when a sheet
    is full it continues on '<name> (2)', '<name> (3)' ... with the header repeated."""

    def __init__(
        self, book: Workbook, name: str, columns: Sequence[Column], layout: Layout, max_rows: int
    ) -> None:
        self.book, self.name, self.columns, self.max_rows = book, name, columns, max_rows
        self.tier_labels = layout.tier_labels
        self.templates: list[WriteOnlyCell | None] = []
        self.parts: list[Any] = []
        self.rows = 0  # data rows in all parts
        self._part_rows = 0  # rows (header included) in the current part
        self._new_part()

    def _new_part(self) -> None:
        if self.parts:
            self._finish_part()
        title = self.name if not self.parts else f"{self.name} ({len(self.parts) + 1})"
        sheet = self.book.create_sheet(title)
        for index, column in enumerate(self.columns, 1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        header = []
        for column in self.columns:
            cell = WriteOnlyCell(sheet, value=_text_value(column.header))
            cell.font = HEADER_FONT
            header.append(cell)
        sheet.append(header)
        self.parts.append(sheet)
        self._part_rows = 1
        # one styled cell per column, reused row after row (each row is written out at once)
        self.templates = [
            None if c.number_format is None else _styled(sheet, c.number_format)
            for c in self.columns
        ]

    def append(self, site: ExportSite, item: Any = None) -> None:
        if self._part_rows >= self.max_rows:
            self._new_part()
        row: list[Any] = []
        for column, template in zip(self.columns, self.templates, strict=True):
            value = column.get(site, item)
            if value is None:
                row.append(None)
            elif type(value) is str:
                row.append(text_cell(self.parts[-1], value))
            elif template is not None:
                template.value = value
                row.append(template)
            else:
                row.append(value)
        self.parts[-1].append(row)
        self._part_rows += 1
        self.rows += 1

    def _finish_part(self) -> None:
        sheet = self.parts[-1]
        last = f"{get_column_letter(len(self.columns))}{self._part_rows}"
        sheet.auto_filter.ref = f"A1:{last}"
        tier = next((i for i, c in enumerate(self.columns, 1) if c.english == "tier"), None)
        if tier is not None and self._part_rows > 1:
            letter = get_column_letter(tier)
            cells = f"{letter}2:{letter}{self._part_rows}"
            for code, color in TIER_FILLS.items():
                label = self.tier_labels.get(code)
                if label:
                    fill = PatternFill(start_color=color, end_color=color, fill_type="solid")
                    rule = CellIsRule(operator="equal", formula=[f'"{label}"'], fill=fill)
                    sheet.conditional_formatting.add(cells, rule)

    def finish(self) -> None:
        self._finish_part()


def _styled(sheet: Any, number_format: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    cell.number_format = number_format
    return cell


def _text_value(value: str) -> str:
    return printable(value)


def text_cell(sheet: Any, value: str) -> Any:
    """Text as a cell value; text a spreadsheet could take for a formula as a text cell."""
    value = printable(value)
    if not is_risky(value):
        return value or None
    cell = WriteOnlyCell(sheet)
    cell.value = value
    cell.data_type = "s"  # openpyxl would store '=...' as a formula
    cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def write_workbook(
    target: str | IO[bytes],
    sites: Iterable[ExportSite],
    layout: Layout,
    meta: ExportMeta,
    *,
    progress: Callable[[int], None] | None = None,
    max_rows: int = EXCEL_MAX_ROWS,
) -> ExportStats:
    """Write the seven sheets; `progress(n)` is called every few hundred sites."""
    if max_rows < 2:
        raise ValueError("a sheet needs room for its header and one row")
    book = Workbook(write_only=True)
    streams = {
        name: SheetStream(book, name, cols, layout, max_rows) for name, cols in layout.data_sheets()
    }
    stats = ExportStats()
    for site in sites:
        streams[SITES].append(site)
        for run in site.runs:
            streams[RUNS].append(site, run)
        for coverage in site.coverage:
            streams[COVERAGE].append(site, coverage)
        streams[AMENITIES].append(site)
        streams[BREAKDOWN].append(site)
        stats.sites += 1
        if progress is not None and stats.sites % PROGRESS_EVERY == 0:
            progress(stats.sites)
    for stream in streams.values():
        stream.finish()
        stats.rows[stream.name] = stream.rows
    _dictionary_sheet(book, layout)
    _metadata_sheet(book, meta, stats)
    _order_sheets(book, [name for name, _ in layout.data_sheets()] + [DICTIONARY, METADATA])
    book.save(target)
    if progress is not None:
        progress(stats.sites)
    return stats


def _plain_sheet(book: Workbook, name: str, header: Sequence[str], widths: Sequence[int]) -> Any:
    sheet = book.create_sheet(name)
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = HEADER_FONT
        cells.append(cell)
    sheet.append(cells)
    return sheet


def _dictionary_sheet(book: Workbook, layout: Layout) -> None:
    header = ("項目名", "英名", "単位", "型", "許容範囲", "説明")
    sheet = _plain_sheet(book, DICTIONARY, header, (40, 28, 8, 8, 28, 50))
    seen: set[str] = set()
    rows = 1
    for _name, columns in layout.data_sheets():
        for column in columns:
            if column.header in seen:
                continue
            seen.add(column.header)
            values = (column.header, column.english, column.unit, column.kind, column.allowed)
            sheet.append([printable(v) or None for v in values] + [column.description or None])
            rows += 1
    sheet.auto_filter.ref = f"A1:F{rows}"


def _metadata_sheet(book: Workbook, meta: ExportMeta, stats: ExportStats) -> None:
    sheet = _plain_sheet(book, METADATA, ("項目", "値"), (24, 60))
    created = WriteOnlyCell(sheet, value=jst(meta.created_at))
    created.number_format = WHEN
    rows: list[tuple[str, Any]] = [
        ("作成日時", created),
        ("時刻の基準", "日本時間 Asia/Tokyo (UTC+09:00)"),
        ("作成者", meta.created_by),
        ("抽出条件", meta.filter_text),
        ("件数", stats.sites),
        ("採点基準版", meta.rubric_versions),
        ("アプリ版", meta.app_version),
        ("問合せ先", meta.contact),
    ]
    rows += [(f"行数:{name}", count) for name, count in stats.rows.items()]
    for key, value in rows:
        if isinstance(value, str):
            value = text_cell(sheet, value)
        sheet.append([key, value])
    sheet.auto_filter.ref = f"A1:B{len(rows) + 1}"


def _order_sheets(book: Workbook, names: Sequence[str]) -> None:
    """Continuation sheets ('通信計測 (2)') follow their first part, in the spec's order."""
    rank = {name: i for i, name in enumerate(names)}

    def key(sheet: Any) -> tuple[int, int]:
        base, _, part = sheet.title.partition(" (")
        return rank.get(base, len(rank)), int(part.rstrip(")") or 1)

    book._sheets.sort(key=key)
