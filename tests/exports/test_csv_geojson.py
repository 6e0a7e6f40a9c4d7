"""The CSV and GeoJSON writers on plain records (no app, no database)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest

from app.exports.columns import Column
from app.exports.csvfile import GETA, encode_cp932, write_csv
from app.exports.geojson import write_geojson
from app.exports.records import ExportSite

COLUMNS = [
    Column("ID", "id", "文字列", lambda s, _i: s.row.get("uuid")),
    Column("名称", "name", "文字列", lambda s, _i: s.row.get("name")),
    Column("下り(Mbps)", "down", "小数", lambda s, _i: s.row.get("down")),
    Column("RSRP(dBm)", "rsrp", "整数", lambda s, _i: s.row.get("rsrp")),
    Column("調査日", "day", "日付", lambda s, _i: s.row.get("day")),
    Column("計測日時", "when", "日時", lambda s, _i: s.row.get("when")),
]


def site(name: str, **row: object) -> ExportSite:
    return ExportSite(row={"uuid": f"id-{name}", "name": name, **row})


@pytest.mark.parametrize("risky", ["=SUM(A1)", "+81-3", "-2+3", "@cmd", "\tx", "\rx"])
def test_csv_text_that_could_run_as_a_formula_is_quoted(risky):
    out = io.BytesIO()
    write_csv(out, [site(risky)], COLUMNS)
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"), newline="")))
    assert rows[1][1] == "'" + risky


def test_csv_numbers_stay_numbers_even_when_negative():
    out = io.BytesIO()
    when = datetime(2026, 11, 1, 0, 30)
    write_csv(out, [site("a", down=95.5, rsrp=-98, day=date(2026, 11, 1), when=when)], COLUMNS)
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"), newline="")))
    assert rows[0] == [c.header for c in COLUMNS]
    assert rows[1][2:] == ["95.5", "-98", "2026-11-01", "2026-11-01 00:30"]


def test_utf8_csv_starts_with_a_bom_and_uses_crlf():
    out = io.BytesIO()
    stats = write_csv(out, [site("a"), site("b")], COLUMNS)
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 3
    assert (stats.sites, stats.replaced_chars) == (2, 0)


def test_cp932_maps_lookalikes_and_replaces_the_rest_visibly():
    data, replaced = encode_cp932("〜−‖ 𠮷野家 😀 髙橋 ①")
    assert data.decode("cp932") == f"～－∥ {GETA}野家 {GETA} 髙橋 ①"
    assert replaced == 2


def test_cp932_csv_counts_replacements_across_chunks():
    sites = [site(f"𠮷{i}") for i in range(1200)]  # more than two chunks of 500 rows
    out = io.BytesIO()
    stats = write_csv(out, sites, COLUMNS, "cp932")
    text = out.getvalue().decode("cp932")
    assert stats.replaced_chars == 2400  # the name and the ID of each site
    assert text.count(GETA) == 2400
    assert len(list(csv.reader(io.StringIO(text, newline="")))) == 1201


def test_unknown_encoding_is_refused():
    with pytest.raises(ValueError, match="encoding"):
        write_csv(io.BytesIO(), [], COLUMNS, "latin-1")


def test_progress_is_reported():
    seen: list[int] = []
    write_csv(io.BytesIO(), [site(str(i)) for i in range(1001)], COLUMNS, progress=seen.append)
    assert seen == [500, 1000]


def test_geojson_points_are_longitude_first_and_blank_points_are_kept():
    out = io.BytesIO()
    when = datetime(2026, 11, 1, 9, 0, tzinfo=UTC).replace(tzinfo=None)
    sites = [
        site("a", latitude=33.68, longitude=135.35, rsrp=-90, when=when),
        site("b", latitude=None, longitude=None),
    ]
    stats = write_geojson(out, sites, COLUMNS)
    collection = json.loads(out.getvalue())
    assert stats.sites == 2
    assert collection["type"] == "FeatureCollection"
    a, b = collection["features"]
    assert a["geometry"] == {"type": "Point", "coordinates": [135.35, 33.68]}
    assert a["properties"]["RSRP(dBm)"] == -90
    assert a["properties"]["計測日時"] == "2026-11-01 09:00"
    assert b["geometry"] is None
    assert b["id"] == "id-b"


def test_empty_geojson_is_still_valid():
    out = io.BytesIO()
    write_geojson(out, [], COLUMNS)
    assert json.loads(out.getvalue()) == {"type": "FeatureCollection", "features": []}
