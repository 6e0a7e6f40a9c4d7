"""Rows → XLSX workbook (spec: excel-export.md), streamed with openpyxl's write-only mode.

Pure: takes `ExportSite` records and the column layout, writes to a path or binary file.
Memory stays flat whatever the number of sites: every sheet streams to its own temporary file
and strings are written inline (no shared-string table grows in memory).

openpyxl writes the package, the styles, and every sheet's head and tail (column widths, frozen
pane, autofilter, conditional formats). The cells of a data row are serialised by `_RowWriter`,
openpyxl's own `WorksheetWriter` with `write_row` replaced: one prebuilt lxml element per column
and kind, its style id resolved once, so a cell costs a few attribute sets instead of a `Cell`
object, a type check, a style lookup and three nested elements. The XML is what openpyxl's
`lxml_write_cell` writes for the same values (the tests read every cell back against the
column getters; bench/export_xlsx.py compares a read-back with XlsxWriter's). A value the
fast path does not know (a bool, a Decimal, a date in a column without a date format) goes
through openpyxl's `write_cell` unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from lxml.etree import Element, SubElement, _Element
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell._writer import write_cell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._writer import WorksheetWriter

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
from app.exports.safety import RISKY_FIRST, printable
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
SHEET_ORDER = (SITES, RUNS, COVERAGE, AMENITIES, BREAKDOWN, DICTIONARY, METADATA)
TIER_FILLS = {"ready": "C6EFCE", "nearly": "FFEB9C", "invest": "FFC7CE", "insufficient": "D9D9D9"}
PROGRESS_EVERY = 500
HEADER_FONT = Font(bold=True)
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
WHITESPACE = " \t\n\r\u3000"


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


class Styles:
    """Cell style ids of one workbook, resolved once through openpyxl's style table."""

    def __init__(self, book: Workbook) -> None:
        self._sheet = book.create_sheet("styles")  # a scratch sheet to make cells on
        book.remove(self._sheet)
        self._ids: dict[tuple[str | None, bool, bool], int] = {}

    def id(
        self, number_format: str | None = None, *, quote: bool = False, bold: bool = False
    ) -> int:
        key = (number_format, quote, bold)
        if key not in self._ids:
            cell = WriteOnlyCell(self._sheet)
            if number_format is not None:
                cell.number_format = number_format
            if quote:
                cell.quotePrefix = True  # Excel keeps the text as text when it is edited
            if bold:
                cell.font = HEADER_FONT
            self._ids[key] = cell.style_id
        return self._ids[key]


class _Cells:
    """The prebuilt `<c>` elements of one column: text, text with edge spaces, risky text (kept
    text by `quotePrefix`), number and date/time; only `r` and the value change per row."""

    def __init__(self, letter: str, number_format: str | None, styles: Styles) -> None:
        self.letter, self.number_format = letter, number_format
        self.text = _text_element(None, preserve=False)
        self.spaced = _text_element(None, preserve=True)
        self.risky = _text_element(styles.id(quote=True), preserve=True)
        self.number = _value_element(None if number_format is None else styles.id(number_format))
        self.dated = number_format is not None  # dates need a format to show as dates
        self.header = _text_element(styles.id(bold=True), preserve=True)


def _text_element(style: int | None, *, preserve: bool) -> tuple[_Element, _Element]:
    cell = Element("c", {"r": "A1"} if style is None else {"r": "A1", "s": str(style)})
    cell.set("t", "inlineStr")
    text = SubElement(SubElement(cell, "is"), "t")
    if preserve:
        text.set(XML_SPACE, "preserve")
    return cell, text


def _value_element(style: int | None) -> tuple[_Element, _Element]:
    cell = Element("c", {"r": "A1"} if style is None else {"r": "A1", "s": str(style)})
    cell.set("t", "n")
    return cell, SubElement(cell, "v")


def _as_given(values: Any, _row_idx: int) -> Any:
    return values


class _RowWriter(WorksheetWriter):  # type: ignore[misc]
    """openpyxl's worksheet writer with a row serialiser for plain values (see the module doc)."""

    def __init__(self, ws: Any, cells: list[_Cells]) -> None:
        super().__init__(ws)
        self.cells = cells

    def write_row(self, xf: Any, row: Sequence[Any], row_idx: int) -> None:
        r = str(row_idx)
        write = xf.write
        with xf.element("row", r=r):
            for value, cells in zip(row, self.cells, strict=True):
                kind = type(value)
                if kind is str:
                    if not value:
                        continue
                    value = printable(value)
                    if value.startswith(RISKY_FIRST):
                        cell, text = cells.risky
                    elif value[0] in WHITESPACE or value[-1] in WHITESPACE:
                        cell, text = cells.spaced
                    else:
                        cell, text = cells.text
                    cell.set("r", cells.letter + r)
                    text.text = value
                    write(cell)
                elif kind is float or kind is int:
                    if kind is float and not math.isfinite(value):
                        continue  # no spreadsheet number for NaN or infinity: blank
                    cell, text = cells.number
                    cell.set("r", cells.letter + r)
                    text.text = str(value) if kind is int else f"{value:.16g}"
                    write(cell)
                elif value is None:
                    continue
                elif (kind is datetime or kind is date) and cells.dated:
                    cell, text = cells.number
                    cell.set("r", cells.letter + r)
                    text.text = f"{to_excel(value):.16g}"
                    write(cell)
                elif isinstance(value, _Header):
                    cell, text = cells.header
                    cell.set("r", cells.letter + r)
                    text.text = printable(value.text)
                    write(cell)
                else:  # anything else exactly as openpyxl writes it
                    if isinstance(value, Cell):
                        other = value
                    else:
                        other = WriteOnlyCell(self.ws, value)
                        if cells.number_format is not None and other.data_type in ("n", "d"):
                            other.number_format = cells.number_format  # a Decimal: 0.0 too
                    other.row, other.column = row_idx, self.cells.index(cells) + 1
                    write_cell(xf, self.ws, other, other.has_style)


@dataclass(frozen=True)
class _Header:
    text: str


class SheetStream:
    """One data sheet: header, frozen top row, widths, autofilter, tier colours; when a sheet
    is full it continues on '<name> (2)', '<name> (3)' ... right after it, header repeated."""

    def __init__(
        self,
        book: Workbook,
        name: str,
        columns: Sequence[Column],
        tier_labels: dict[str, str],
        max_rows: int,
        styles: Styles,
    ) -> None:
        self.book, self.name, self.columns, self.max_rows = book, name, columns, max_rows
        self.tier_labels, self.styles = tier_labels, styles
        self.getters = [column.get for column in columns]
        self.parts: list[Any] = []
        self.rows = 0  # data rows in all parts
        self._part_rows = 0  # rows (header included) in the current part
        self._append: Callable[[list[Any]], None]  # the current part's `append`
        self._new_part()  # every sheet exists, in the spec's order, even with no rows

    def _new_part(self, first: list[Any] | None = None) -> None:
        if self.parts:
            self._finish_part()
            index = self.book.sheetnames.index(self.parts[-1].title) + 1
            sheet = self.book.create_sheet(f"{self.name} ({len(self.parts) + 1})", index)
        else:
            sheet = self.book.create_sheet(self.name)
        letters = [get_column_letter(i) for i in range(1, len(self.columns) + 1)]
        for letter, column in zip(letters, self.columns, strict=True):
            sheet.column_dimensions[letter].width = column.width
        sheet.freeze_panes = "A2"
        # write_top() writes widths and the frozen pane, so both are set before it runs
        cells = [
            _Cells(letter, c.number_format, self.styles)
            for letter, c in zip(letters, self.columns, strict=True)
        ]
        sheet._writer = _RowWriter(sheet, cells)
        sheet._writer.write_top()
        sheet._values_to_row = _as_given  # rows reach write_row as the values given
        sheet.append([_Header(column.header) for column in self.columns])
        self.parts.append(sheet)
        self._part_rows = 1
        self._append = sheet.append
        if first is not None:
            self._append(first)
            self._part_rows += 1

    def append(self, site: ExportSite, item: Any = None) -> None:
        values = [get(site, item) for get in self.getters]
        if self._part_rows >= self.max_rows:
            self._new_part(values)
        else:
            self._append(values)
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
                    rule = CellIsRule(operator="equal", formula=[_formula_text(label)], fill=fill)
                    sheet.conditional_formatting.add(cells, rule)

    def finish(self) -> None:
        self._finish_part()


def _formula_text(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


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
    if not 2 <= max_rows <= EXCEL_MAX_ROWS:
        raise ValueError(f"max_rows must be between 2 and {EXCEL_MAX_ROWS}")
    book = Workbook(write_only=True)
    styles = Styles(book)
    streams = [
        SheetStream(book, name, cols, layout.tier_labels, max_rows, styles)
        for name, cols in layout.data_sheets()
    ]
    sites_sheet, runs_sheet, coverage_sheet, amenities_sheet, breakdown_sheet = streams
    stats = ExportStats()
    for site in sites:
        sites_sheet.append(site)
        for run in site.runs:
            runs_sheet.append(site, run)
        for coverage in site.coverage:
            coverage_sheet.append(site, coverage)
        amenities_sheet.append(site)
        breakdown_sheet.append(site)
        stats.sites += 1
        if progress is not None and stats.sites % PROGRESS_EVERY == 0:
            progress(stats.sites)
    for stream in streams:
        stream.finish()
        stats.rows[stream.name] = stream.rows
    _dictionary_sheet(book, layout, styles)
    _metadata_sheet(book, meta, stats, styles)
    book.save(target)
    if progress is not None:
        progress(stats.sites)
    return stats


def _plain_sheet(
    book: Workbook, name: str, columns: Sequence[tuple[str, float, str | None]], styles: Styles
) -> Any:
    """A small sheet (dictionary, metadata) through the same writer: (header, width, format)."""
    sheet = book.create_sheet(name)
    letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
    for letter, (_header, width, _format) in zip(letters, columns, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    cells = [
        _Cells(letter, fmt, styles) for letter, (_h, _w, fmt) in zip(letters, columns, strict=True)
    ]
    sheet._writer = _RowWriter(sheet, cells)
    sheet._writer.write_top()
    sheet._values_to_row = _as_given
    sheet.append([_Header(header) for header, _w, _f in columns])
    return sheet


DICTIONARY_COLUMNS = (
    ("項目名", 40),
    ("英名", 28),
    ("単位", 8),
    ("型", 8),
    ("許容範囲", 28),
    ("説明", 50),
)
METADATA_COLUMNS = (("項目", 24), ("値", 60))


def dictionary_rows(layout: Layout) -> list[tuple[str, str, str, str, str, str]]:
    """項目定義: one row per distinct column (header and English name) of the data sheets."""
    rows = {}
    for _name, columns in layout.data_sheets():
        for c in columns:
            key = (c.header, c.english)
            if key not in rows:
                rows[key] = (c.header, c.english, c.unit, c.kind, c.allowed, c.description)
    return list(rows.values())


def metadata_rows(meta: ExportMeta, stats: ExportStats) -> list[tuple[str, Any]]:
    """メタデータ: when (Japan time), who, the filter, the count, the rubric version(s), the time
    zone, and the rows of each data sheet."""
    rows: list[tuple[str, Any]] = [
        ("作成日時", jst(meta.created_at)),
        ("時刻の基準", "日本時間 Asia/Tokyo (UTC+09:00)"),
        ("作成者", meta.created_by),
        ("抽出条件", meta.filter_text),
        ("件数", stats.sites),
        ("採点基準版", meta.rubric_versions),
        ("アプリ版", meta.app_version),
        ("問合せ先", meta.contact),
    ]
    return rows + [(f"行数:{name}", count) for name, count in stats.rows.items()]


def _dictionary_sheet(book: Workbook, layout: Layout, styles: Styles) -> None:
    columns = [(header, width, None) for header, width in DICTIONARY_COLUMNS]
    sheet = _plain_sheet(book, DICTIONARY, columns, styles)
    rows = dictionary_rows(layout)
    for row in rows:
        sheet.append(row)
    sheet.auto_filter.ref = f"A1:F{len(rows) + 1}"


def _metadata_sheet(book: Workbook, meta: ExportMeta, stats: ExportStats, styles: Styles) -> None:
    columns = [(header, width, None) for header, width in METADATA_COLUMNS]
    sheet = _plain_sheet(book, METADATA, columns, styles)
    rows = metadata_rows(meta, stats)
    for key, value in rows:
        if isinstance(value, datetime):  # the value column holds text and counts: format here
            value = WriteOnlyCell(sheet, value)
            value.number_format = WHEN
        sheet.append([key, value])
    sheet.auto_filter.ref = f"A1:B{len(rows) + 1}"
