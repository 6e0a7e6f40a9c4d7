"""Export pages: every format through the browser routes, filters, scope and bad input."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.exports.models import ExportJob
from app.extensions import db
from app.surveys.models import Site
from tests.exports.conftest import INJECTION_NAME
from tests.exports.helpers import csv_rows, download, geojson, sheet_rows, start, workbook


@pytest.fixture
def viewer(make_user: Any, login: Any) -> Any:
    """A viewer of 和歌山県 (30), signed in."""
    user = make_user("viewer", None, "30")
    login(user)
    return user


def _names(rows: list[dict[str, Any]]) -> set[str]:
    return {row["名称"] for row in rows}


def test_form_is_preset_from_the_list_filter(client, sites, viewer):
    page = client.get("/exports?status=submitted&tier=ready&from=2026-11-01")
    assert page.status_code == 200
    assert '<option value="submitted" selected>' in page.text
    assert '<option value="ready" selected>' in page.text
    assert 'value="2026-11-01"' in page.text
    assert "長野" not in page.text  # a viewer of 30 is offered only its own municipalities


def test_xlsx_holds_the_viewers_prefecture_only(client, sites, viewer):
    status = start(client, format="xlsx")
    assert (status["done"], status["total"], status["percent"]) == (5, 5, 100)
    book = workbook(download(client, status))
    rows = sheet_rows(book, "調査結果")
    assert {row["ID"] for row in rows} == {sites[k] for k in "abcex"}
    assert all(row["全国地方公共団体コード"].startswith("30") for row in rows)
    meta = dict(book["メタデータ"].iter_rows(min_row=2, values_only=True))
    assert meta["件数"] == 5
    assert meta["作成者"] == "viewer user"
    assert meta["問合せ先"] == viewer.email


def test_scores_and_breakdown_are_the_stored_ones(client, sites, viewer):
    book = workbook(download(client, start(client)))
    stored = {s.uuid: s for s in db.session.scalars(select(Site))}
    breakdown = {row["ID"]: row for row in sheet_rows(book, "採点内訳")}
    for row in sheet_rows(book, "調査結果"):
        site = stored[row["ID"]]
        assert row["総合点"] == pytest.approx(site.score)
        assert row["採点基準版"] == site.rubric_version
        assert row["通信環境"] == pytest.approx(site.score_summary["categories"]["connectivity"])
        assert breakdown[row["ID"]]["通信環境:下り中央値(点)"] == pytest.approx(
            site.score_summary["fields"]["download"]
        )
        assert breakdown[row["ID"]]["総合点"] == pytest.approx(site.score)


def test_gate_values_are_the_ones_the_data_dictionary_allows(client, sites, viewer):
    book = workbook(download(client, start(client)))
    allowed = {
        row["項目名"]: set(row["許容範囲"].split("/"))
        for row in sheet_rows(book, "項目定義")
        if row["項目名"] == "ゲート判定" or str(row["項目名"]).startswith("ゲートG")
    }
    assert allowed
    assert all(values == {"合格", "不合格", "データ不足"} for values in allowed.values())
    seen = set()
    for sheet in ("調査結果", "採点内訳"):
        for row in sheet_rows(book, sheet):
            for name in allowed:
                if name in row and row[name] is not None:
                    assert row[name] in allowed[name], (sheet, name, row[name])
                    seen.add(row[name])
    assert "データ不足" in seen  # the sample has a gate without data: the label is exercised


def test_the_download_link_says_download_not_download_speed(client, sites, viewer):
    response = client.post("/exports", data={"format": "xlsx"})
    job_page = client.get(response.headers["Location"]).text
    listing = client.get("/exports").text
    for page in (job_page, listing):
        assert "ダウンロード" in page and "下り速度" not in page


def test_the_data_dictionary_describes_every_column_in_japanese(client, sites, viewer):
    book = workbook(download(client, start(client)))
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    rows = sheet_rows(book, "項目定義")
    described = [row for row in rows if row["説明"]]
    assert len(described) > 60  # amenities, score items and gates at least
    english = [row["説明"] for row in described if not japanese.search(row["説明"])]
    assert english == []
    rubric_english = [r.label_en for r in current_app.extensions["rubric"].rules]
    assert not any(label in row["説明"] for row in described for label in rubric_english)


def test_medians_runs_and_urls(client, sites, viewer):
    book = workbook(download(client, start(client)))
    rows = {row["ID"]: row for row in sheet_rows(book, "調査結果")}
    a = rows[sites["a"]]
    assert (a["下り速度中央値(Mbps)"], a["上り速度中央値(Mbps)"], a["遅延中央値(ms)"]) == (
        50,
        20,
        20,
    )
    assert a["URL"] == f"http://localhost/surveys/{sites['a']}"
    assert a["調査日"].date() == date(2026, 10, 1)
    runs = [r for r in sheet_rows(book, "通信計測") if r["ID"] == sites["a"]]
    assert sorted(r["下り速度(Mbps)"] for r in runs) == [10, 50, 100]
    assert {r["計測方法"] for r in runs} == {"manual"}


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"municipality": "304212"}, "c"),
        ({"status": "submitted"}, "b"),
        ({"tier": "invest"}, "c"),
        ({"from": "2026-11-21", "to": "2026-11-22"}, "e"),
        ({"from": "2026-11-16"}, "cex"),
        ({"to": "2026-10-31"}, "a"),
        ({"q": "拠点e"}, "e"),
    ],
)
def test_filters_select_exactly(client, sites, viewer, form, expected):
    status = start(client, format="geojson", **form)
    features = geojson(download(client, status))["features"]
    assert {f["id"] for f in features} == {sites[k] for k in expected}


def test_admin_exports_every_prefecture(client, sites, make_user, login):
    login(make_user("admin", None, None))
    everything = geojson(download(client, start(client, format="geojson")))
    assert len(everything["features"]) == 6
    nagano = geojson(download(client, start(client, format="geojson", prefecture="20")))
    assert [f["id"] for f in nagano["features"]] == [sites["d"]]


@pytest.mark.parametrize("form", [{"prefecture": "20"}, {"municipality": "202011"}])
def test_viewer_cannot_export_another_prefecture(client, sites, viewer, form):
    response = client.post("/exports", data={"format": "csv-utf8", **form})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 0


def test_surveyor_exports_own_municipality_only(client, sites, make_user, login):
    login(make_user("surveyor", "304212"))
    features = geojson(download(client, start(client, format="geojson")))["features"]
    assert [f["id"] for f in features] == [sites["c"]]
    assert (
        client.post("/exports", data={"format": "xlsx", "municipality": "304018"}).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"from": "2026-11-20", "to": "2026-11-01"}, "to", "before its start"),
        ({"format": "pdf"}, "format", "Not a valid choice"),
        ({"prefecture": "99"}, "prefecture", "Choose a prefecture"),
        ({"prefecture": "30", "municipality": "202011"}, "municipality", "not in the chosen"),
        ({"from": "2026-13-01"}, "from", "Not a valid date"),
        ({"q": "x" * 101}, "q", "100"),
    ],
)
def test_bad_choices_get_field_errors_and_no_job(
    client, sites, make_user, login, form, field, message
):
    login(make_user("admin", None, None))
    client.post("/language", data={"lang": "en", "next": "/exports"})
    response = client.post("/exports", data={"format": "xlsx"} | form)
    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 0


def test_job_is_private_to_its_owner(client, sites, viewer, make_user, login):
    status = start(client)
    other = make_user("viewer", None, "30")
    client.post("/logout")
    login(other)
    for path in ("", "/status", "/download"):
        assert client.get(f"/exports/{status['id']}{path}").status_code == 404
    client.post("/logout")
    login(make_user("admin", None, None))
    assert client.get(f"/exports/{status['id']}/status").status_code == 200


def test_signed_out_users_are_sent_to_login(client, sites):
    assert client.get("/exports").status_code == 302
    assert client.post("/exports", data={"format": "xlsx"}).status_code == 302


def test_csv_utf8_opens_in_excel_and_keeps_formulas_out(client, sites, viewer):
    status = start(client, format="csv-utf8")
    data = download(client, status)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    rows = csv_rows(data, "utf-8-sig")
    assert len(rows) == 5
    names = _names(rows)
    assert "'" + INJECTION_NAME in names
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)
    assert {row["全国地方公共団体コード"] for row in rows} == {"304018", "304212"}


def test_csv_shift_jis_replaces_visibly_and_counts(client, sites, viewer):
    status = start(client, format="csv-sjis")
    assert status["replaced_chars"] == 1  # 𠮷 (U+20BB7) is not in cp932; 〜 maps to ～
    assert status["file_name"].endswith("-sjis.csv")
    rows = csv_rows(download(client, status), "cp932")
    assert "'=1+2 〓田ワークスペース～" in _names(rows)
    page = client.get(f"/exports/{status['id']}")
    assert (
        'id="export-replaced" class="hint" >' in page.text
        or 'id="export-replaced" class="hint">' in page.text
    )


def test_geojson_is_wgs84_points_with_null_geometry_kept(client, sites, viewer):
    collection = geojson(download(client, start(client, format="geojson")))
    assert collection["type"] == "FeatureCollection"
    by_id = {f["id"]: f for f in collection["features"]}
    c = by_id[sites["c"]]
    assert c["geometry"] == {"type": "Point", "coordinates": [135.93, 33.64]}
    assert c["properties"]["名称"] == "拠点c"
    assert c["properties"]["判定区分"] == "要整備"
    assert by_id[sites["e"]]["geometry"] is None
    assert by_id[sites["x"]]["properties"]["名称"] == INJECTION_NAME
