"""`flask export`: the same exports, filters and checks from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.exports.helpers import csv_rows, geojson, sheet_rows, workbook


def test_xlsx_of_a_prefecture(runner, sites, tmp_path: Path):
    out = tmp_path / "wakayama.xlsx"
    result = runner.invoke(args=["export", "xlsx", "--prefecture", "30", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 5 sites" in result.output
    book = workbook(out.read_bytes())
    assert {row["ID"] for row in sheet_rows(book, "調査結果")} == {sites[k] for k in "abcex"}
    meta = dict(book["メタデータ"].iter_rows(min_row=2, values_only=True))
    assert meta["抽出条件"] == "都道府県=和歌山県(30)"
    assert meta["作成者"].startswith("flask export")
    assert not out.with_name(out.name + ".part").exists()


def test_filters_match_the_dashboards(runner, sites, tmp_path: Path):
    out = tmp_path / "x.geojson"
    args = ["export", "geojson", "-o", str(out), "--status", "submitted"]
    assert runner.invoke(args=args).exit_code == 0
    assert [f["id"] for f in geojson(out.read_bytes())["features"]] == [sites["b"]]
    args = ["export", "geojson", "-o", str(out), "--from", "2026-11-21"]
    assert runner.invoke(args=args).exit_code == 0
    assert {f["id"] for f in geojson(out.read_bytes())["features"]} == {sites[k] for k in "dex"}


def test_user_option_applies_that_users_scope(runner, sites, make_user: Any, tmp_path: Path):
    viewer = make_user("viewer", "202011")
    out = tmp_path / "nagano.csv"
    args = ["export", "csv", "-o", str(out), "--user", viewer.email]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    rows = csv_rows(out.read_bytes(), "utf-8-sig")
    assert [row["ID"] for row in rows] == [sites["d"]]


def test_the_format_is_the_contracts_positional_argument(runner, sites, tmp_path: Path):
    out = tmp_path / "x.pdf"
    result = runner.invoke(args=["export", "pdf", "-o", str(out)])
    assert result.exit_code == 2
    assert "xlsx" in result.output and "geojson" in result.output
    result = runner.invoke(args=["export", "geojson", "--encoding", "cp932", "-o", str(out)])
    assert result.exit_code == 2
    assert not out.exists()


def test_shift_jis_reports_replacements(runner, sites, tmp_path: Path):
    out = tmp_path / "sjis.csv"
    result = runner.invoke(args=["export", "csv", "--encoding", "cp932", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 characters not in Shift_JIS replaced by 〓" in result.output
    assert len(csv_rows(out.read_bytes(), "cp932")) == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01"], "from"),
        (["--from", "2026-11-02", "--to", "2026-11-01"], "to"),
        (["--tier", "gold"], "tier"),
        (["--prefecture", "48"], "prefecture"),
        (["--user", "nobody@example.jp"], "no active user"),
        (["--encoding", "latin-1"], "encoding"),
        (["--user", "viewer-30@example.jp", "--prefecture", "20"], "may not view"),
    ],
)
def test_bad_options_are_refused_and_write_nothing(
    runner, sites, make_user: Any, tmp_path: Path, args, message
):
    make_user("viewer", None, "30", email="viewer-30@example.jp")
    out = tmp_path / "never.xlsx"
    result = runner.invoke(args=["export", "xlsx", "-o", str(out), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()
