"""The XLSX workbook read back with openpyxl (and as raw XML): sheets, headers, types, formats,
frozen panes, autofilters, tier colours, Japan time, formula safety, overflow sheets."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from app.exports.records import ExportSite
from app.exports.workbook import Layout, write_workbook
from app.scoring import Rubric, load_rubric
from forms.catalog import AMENITIES
from tests.exports import samples

SHEETS = ["調査結果", "通信計測", "携帯電波", "設備チェック", "採点内訳", "項目定義", "メタデータ"]
DATA_SHEETS = SHEETS[:5]
CATEGORIES = [
    "通信環境", "ワークスペース", "宿泊", "交通アクセス", "生活利便", "地域交流・体験",
    "安全・バリアフリー",
]  # fmt: skip
SITE_HEADERS = [
    "全国地方公共団体コード", "ID", "地方公共団体名", "名称", "名称_カナ", "名称_英字", "種別",
    "郵便番号", "所在地_連結表記", "所在地_都道府県", "所在地_市区町村", "所在地_町字",
    "所在地_番地以下", "建物名等(方書)", "緯度", "経度", "位置の取得方法", "位置精度(m)",
    "電話番号", "利用可能曜日", "開始時間", "終了時間", "座席数", "下り速度中央値(Mbps)",
    "上り速度中央値(Mbps)", "遅延中央値(ms)", "調査日", "調査者", "審査状況", "総合点",
    *CATEGORIES, "ゲート判定", "判定区分", "採点基準版", "バリアフリー情報", "URL", "備考",
]  # fmt: skip
RUN_HEADERS = [
    "ID", "計測ID", "計測日時", "回線種別", "事業者", "計測方法", "計測サーバ", "下り速度(Mbps)",
    "上り速度(Mbps)", "遅延(ms)", "ジッタ(ms)", "パケットロス(%)",
]  # fmt: skip
COVERAGE_HEADERS = ["ID", "事業者", "方式", "RSRP(dBm)", "パートナー回線", "屋内外"]
DICTIONARY_HEADERS = ["項目名", "英名", "単位", "型", "許容範囲", "説明"]
INJECTIONS = ["=1+2", "+81-739", "-5+3", "@SUM(A1)", "\t=1+2", "\r=1+2", '=HYPERLINK("x","y")']


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric()


@pytest.fixture(scope="module")
def layout(rubric: Rubric) -> Layout:
    return Layout.build(samples.labels(rubric), rubric)


def special_sites(rubric: Rubric) -> list[ExportSite]:
    """Ten ordinary sites, one per formula-like name, and a few awkward values."""
    stored = samples.summaries(rubric)
    sites = [samples.site(i, stored[i % len(stored)]) for i in range(10)]
    sites += [samples.site(10 + n, stored[0], name=name) for n, name in enumerate(INJECTIONS)]
    awkward = samples.site(20, None, name="a\x01b\x0bc", notes=" 前後に空白 ", building="")
    awkward.runs[0]["measured_at"] = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)  # type: ignore[index]
    sites.append(awkward)
    # a bool and a Decimal take openpyxl's own path; NaN has no spreadsheet number: blank
    odd = samples.site(
        21, stored[1], seats=True, latitude=Decimal("35.125"), location_accuracy_m=float("nan")
    )
    sites.append(odd)
    return sites


def write(sites: list[ExportSite], layout: Layout, **options: Any) -> bytes:
    out = io.BytesIO()
    write_workbook(out, sites, layout, samples.meta(), **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def data(rubric: Rubric, layout: Layout) -> bytes:
    return write(special_sites(rubric), layout)


@pytest.fixture(scope="module")
def book(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def header(sheet: Any) -> list[Any]:
    return [cell.value for cell in sheet[1]]


def column(sheet: Any, title: str) -> list[Any]:
    index = header(sheet).index(title)
    return [row[index] for row in sheet.iter_rows(min_row=2)]


def test_sheets_in_the_spec_order(book: Any) -> None:
    assert book.sheetnames == SHEETS


def test_headers_exactly_as_the_spec(book: Any, rubric: Rubric) -> None:
    assert header(book["調査結果"]) == SITE_HEADERS
    assert header(book["通信計測"]) == RUN_HEADERS
    assert header(book["携帯電波"]) == COVERAGE_HEADERS
    assert header(book["設備チェック"]) == ["ID", "名称"] + [a.ja for a in AMENITIES]
    category = {c.code: c.label_ja for c in rubric.categories}
    points = [f"{category[r.category]}:{r.label_ja}(点)" for r in rubric.rules]
    gates = [f"ゲート{g.code}:{g.label_ja}" for g in rubric.gates]
    expected = ["ID", "名称", *points, *gates, f"上限:{rubric.cap.label_ja}", "総合点", "判定区分"]
    assert header(book["採点内訳"]) == expected
    assert header(book["項目定義"]) == DICTIONARY_HEADERS
    assert header(book["メタデータ"]) == ["項目", "値"]
    for name in SHEETS:
        assert all(cell.font.b for cell in book[name][1]), name


def test_every_value_reads_back_as_the_columns_give_it(
    book: Any, rubric: Rubric, layout: Layout
) -> None:
    """The fast row writer against the column getters, cell by cell, on every data sheet."""
    sites = special_sites(rubric)
    expected: dict[str, list[list[Any]]] = {name: [] for name in DATA_SHEETS}
    for site in sites:
        expected["調査結果"].append([c.get(site, None) for c in layout.sites])
        expected["通信計測"] += [[c.get(site, run) for c in layout.runs] for run in site.runs]
        expected["携帯電波"] += [
            [c.get(site, cov) for c in layout.coverage] for cov in site.coverage
        ]
        expected["設備チェック"].append([c.get(site, None) for c in layout.amenities])
        expected["採点内訳"].append([c.get(site, None) for c in layout.breakdown])
    for name, rows in expected.items():
        got = [list(row) for row in book[name].iter_rows(min_row=2, values_only=True)]
        assert len(got) == len(rows), name
        for want_row, got_row in zip(rows, got, strict=True):
            assert [_as_read(v) for v in want_row] == got_row, name


def _as_read(value: Any) -> Any:
    """What openpyxl reads back for a value written."""
    if isinstance(value, str):
        value = value.replace("\x01", "\ufffd").replace("\x0b", "\ufffd")
        return value or None
    if isinstance(value, float):  # 16 significant digits, as openpyxl and XlsxWriter write
        return None if value != value else float(f"{value:.16g}")
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, Decimal):
        return float(value)
    return value


def test_codes_are_text_with_leading_zeros(book: Any) -> None:
    sheet = book["調査結果"]
    codes = column(sheet, "全国地方公共団体コード")
    assert {c.value for c in codes} >= {"012025", "304018"}
    assert all(c.data_type == "s" for c in codes)
    assert all(
        c.data_type == "s" and re.fullmatch(r"\d{3}-\d{4}", c.value)
        for c in column(sheet, "郵便番号")
    )
    assert all(c.data_type == "s" for c in column(sheet, "ID"))


def test_numbers_are_numbers_with_the_unit_formats(book: Any) -> None:
    sites, runs = book["調査結果"], book["通信計測"]
    checks = [
        (sites, "緯度", "0.000000", float),
        (sites, "経度", "0.000000", float),
        (sites, "下り速度中央値(Mbps)", "0.0", (int, float)),
        (sites, "総合点", "0.0", (int, float)),
        (sites, "座席数", "General", int),
        (runs, "下り速度(Mbps)", "0.0", float),
        (runs, "遅延(ms)", "0.0", (int, float)),
        (book["携帯電波"], "RSRP(dBm)", "General", int),
        (book["設備チェック"], "段差なし入口", "General", int),
    ]
    for sheet, title, number_format, kind in checks:
        ordinary = column(sheet, title)[:-1] if sheet.title == "調査結果" else column(sheet, title)
        cells = [c for c in ordinary if c.value is not None]  # (the last site is odd)
        assert cells, title
        for cell in cells:
            assert cell.data_type == "n", title
            assert isinstance(cell.value, kind), (title, cell.value)
            assert cell.number_format == number_format, title
    for cell in column(sites, "調査日"):
        assert cell.is_date and cell.number_format == "yyyy-mm-dd"
    for cell in column(runs, "計測日時"):
        assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm"


def test_times_are_japan_time(book: Any) -> None:
    """A run measured at 15:30 UTC is 00:30 the next day in Japan."""
    runs = book["通信計測"]
    times = [c.value for c in column(runs, "計測日時")]
    assert datetime(2026, 11, 21, 0, 30) in times
    assert datetime(2026, 11, 20, 15, 30) not in times
    first = samples.site(0).runs[0]["measured_at"]  # 01:00 UTC → 10:00 JST
    assert times[0] == datetime(2026, 11, 20, 10, 0) == first.replace(tzinfo=None, hour=10)


def test_header_frozen_on_every_sheet(book: Any) -> None:
    for name in SHEETS:
        assert book[name].freeze_panes == "A2", name


def test_autofilter_covers_the_data_of_every_sheet(book: Any) -> None:
    for name in SHEETS:
        sheet = book[name]
        last = openpyxl.utils.get_column_letter(sheet.max_column)
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", name
        assert sheet.max_row > 1, name


def test_tier_cells_coloured_by_conditional_formatting(book: Any, rubric: Rubric) -> None:
    labels = {ja for _code, ja, _en in rubric.tiers.labels}
    for name in ("調査結果", "採点内訳"):
        sheet = book[name]
        letter = openpyxl.utils.get_column_letter(header(sheet).index("判定区分") + 1)
        rules = [(str(cf.sqref), rule) for cf in sheet.conditional_formatting for rule in cf.rules]
        assert {ref for ref, _rule in rules} == {f"{letter}2:{letter}{sheet.max_row}"}
        assert {rule.formula[0] for _ref, rule in rules} == {f'"{label}"' for label in labels}
        assert all(rule.operator == "equal" and rule.dxf.fill.bgColor.rgb for _r, rule in rules)
    assert not list(book["通信計測"].conditional_formatting)


def test_widths_fit_the_japanese_headers(book: Any) -> None:
    sheet = book["調査結果"]
    widths = {
        index: dim.width
        for dim in sheet.column_dimensions.values()
        for index in range(dim.min, dim.max + 1)
    }
    assert widths[SITE_HEADERS.index("全国地方公共団体コード") + 1] >= 2 * 11
    assert widths[SITE_HEADERS.index("ID") + 1] >= 36


def test_no_formula_anywhere(book: Any, data: bytes) -> None:
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = [n for n in package.namelist() if n.startswith("xl/worksheets/")]
        assert len(parts) == len(SHEETS)
        for part in parts:
            assert not re.search(rb"<(\w+:)?f[\s>/]", package.read(part)), part


def test_formula_like_names_round_trip_as_text(book: Any) -> None:
    for name in ("調査結果", "設備チェック", "採点内訳"):
        cells = {c.value: c for c in column(book[name], "名称")}
        for text in INJECTIONS:
            cell = cells[text]
            assert cell.data_type == "s" and cell.quotePrefix, (name, repr(text))
    ordinary = column(book["調査結果"], "名称")[0]
    assert not ordinary.quotePrefix


def test_control_characters_replaced_not_dropped_and_spaces_kept(book: Any) -> None:
    sheet = book["調査結果"]
    assert "a\ufffdb\ufffdc" in [c.value for c in column(sheet, "名称")]
    assert " 前後に空白 " in [c.value for c in column(sheet, "備考")]


def test_other_values_go_through_openpyxl(book: Any) -> None:
    sheet = book["調査結果"]
    seats = [c for c in column(sheet, "座席数") if c.value is True]
    assert len(seats) == 1 and seats[0].data_type == "b"  # a bool stays a bool
    latitude = [c for c in column(sheet, "緯度") if c.value == 35.125]
    assert len(latitude) == 1 and latitude[0].number_format == "0.000000"  # Decimal: a number
    assert column(sheet, "位置精度(m)")[-1].value is None  # NaN: blank


def test_data_dictionary_has_every_header(book: Any, layout: Layout) -> None:
    rows = list(book["項目定義"].iter_rows(min_row=2, values_only=True))
    names = [row[0] for row in rows]
    for _name, columns in layout.data_sheets():
        for c in columns:
            assert (c.header, c.english) in {(row[0], row[1]) for row in rows}
    for name in DATA_SHEETS:
        assert set(header(book[name])) <= set(names), name
    assert len(rows) == len({(row[0], row[1]) for row in rows})  # no repeats
    units = {row[0]: row[2] for row in rows}
    assert units["下り速度中央値(Mbps)"] == "Mbps" and units["緯度"] == "度"


def test_metadata_records_filter_count_rubric_and_time_zone(book: Any) -> None:
    sheet = book["メタデータ"]
    values = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    meta = samples.meta()
    assert values["抽出条件"].value == meta.filter_text
    assert values["件数"].value == 19
    assert values["採点基準版"].value == meta.rubric_versions
    assert values["作成者"].value == meta.created_by
    assert values["アプリ版"].value == meta.app_version
    assert values["問合せ先"].value == meta.contact
    created = values["作成日時"]
    assert created.value == datetime(2026, 11, 29, 0, 30)  # 15:30 UTC the day before
    assert created.number_format == "yyyy-mm-dd hh:mm"
    assert "Asia/Tokyo" in values["時刻の基準"].value and "+09:00" in values["時刻の基準"].value
    assert values["行数:通信計測"].value == 19 * 3


def test_overflowing_sheets_continue_right_after_with_the_header(
    rubric: Rubric, layout: Layout
) -> None:
    sites = [samples.site(i, samples.summaries(rubric)[0]) for i in range(5)]  # 15 runs
    whole = openpyxl.load_workbook(io.BytesIO(write(sites, layout)))
    split = openpyxl.load_workbook(io.BytesIO(write(sites, layout, max_rows=4)))
    assert split.sheetnames[:6] == [
        "調査結果", "調査結果 (2)", "通信計測", "通信計測 (2)", "通信計測 (3)", "通信計測 (4)",
    ]  # fmt: skip
    assert split.sheetnames[-2:] == ["項目定義", "メタデータ"]
    for name in DATA_SHEETS:
        parts = [s for s in split.worksheets if s.title == name or s.title.startswith(name + " (")]
        rows: list[Any] = []
        for part in parts:
            assert part.max_row <= 4, part.title
            assert header(part) == header(whole[name]), part.title
            assert part.freeze_panes == "A2"
            last = openpyxl.utils.get_column_letter(part.max_column)
            assert part.auto_filter.ref == f"A1:{last}{part.max_row}"
            rows += list(part.iter_rows(min_row=2, values_only=True))
        assert rows == list(whole[name].iter_rows(min_row=2, values_only=True)), name
    runs = [p.title for p in split.worksheets if p.title.startswith("通信計測")]
    assert runs[-1] == "通信計測 (5)"
    tiers = split["調査結果 (2)"].conditional_formatting
    assert {str(cf.sqref) for cf in tiers} == {"AM2:AM3"}


def test_an_empty_export_still_has_every_sheet(layout: Layout) -> None:
    book = openpyxl.load_workbook(io.BytesIO(write([], layout)))
    assert book.sheetnames == SHEETS
    assert header(book["調査結果"]) == SITE_HEADERS
    assert book["通信計測"].max_row == 1


def test_progress_and_limits(rubric: Rubric, layout: Layout) -> None:
    seen: list[int] = []
    stats = write_workbook(
        io.BytesIO(),
        samples.sites(1001, samples.summaries(rubric)),
        layout,
        samples.meta(),
        progress=seen.append,
    )
    assert seen == [500, 1000, 1001]
    assert stats.sites == 1001 and stats.rows["通信計測"] == 3003
    for bad in (1, 1_048_577):
        with pytest.raises(ValueError):
            write_workbook(io.BytesIO(), [], layout, samples.meta(), max_rows=bad)
