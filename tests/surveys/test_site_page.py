"""The site page shows every field, the photos, the speed runs as a chart and a table, and the
coverage per carrier (issue #6: "a site page with every field, photos, the speed runs as a small
chart, coverage per carrier, and the score breakdown")."""

from __future__ import annotations

import hashlib
import io
import re

from sqlalchemy import select

from app.extensions import db
from app.surveys.models import Site
from forms.survey import SECTIONS, SurveyForm
from tests.factories import image_bytes, scored_survey_post

RUNS = {
    "measurements-0-download_mbps": "120.5",
    "measurements-0-upload_mbps": "45.2",
    "measurements-1-method": "manual",
    "measurements-1-download_mbps": "88",
    "measurements-1-upload_mbps": "30.5",
    "measurements-2-method": "manual",
    "measurements-2-download_mbps": "150",
    "measurements-2-upload_mbps": "60",
    "coverage-1-technology": "4g",
    "coverage-1-signal_bars": "3",
}


def _site_with_everything(client, make_user, login) -> tuple[Site, str]:
    login(make_user())
    photo = image_bytes("JPEG", (40, 30))
    post = scored_survey_post(**RUNS, photo_caption="入口の外観")
    post["photo_files"] = [(io.BytesIO(photo), "front.jpg", "image/jpeg")]
    response = client.post("/surveys/new", data=post, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    site = db.session.scalar(select(Site))
    return site, hashlib.sha256(photo).hexdigest()


def test_speed_runs_are_drawn_as_a_chart_over_their_table(client, make_user, login):
    site, _ = _site_with_everything(client, make_user, login)
    page = client.get(f"/surveys/{site.uuid}").get_data(as_text=True)
    chart = page[page.index('<figure class="run-chart"') : page.index("</figure>")]
    bars = re.findall(r'data-metric="(\w+)" data-value="([\d.]+)"', chart)
    assert bars == [
        ("download_mbps", "120.5"),
        ("upload_mbps", "45.2"),
        ("download_mbps", "88.0"),
        ("upload_mbps", "30.5"),
        ("download_mbps", "150.0"),
        ("upload_mbps", "60.0"),
    ]
    bar_heights = re.findall(r'<rect class="metric-\w+"[^>]* height="([\d.]+)"', chart)
    heights = [float(h) for h in bar_heights]
    assert heights[4] > heights[0] > heights[2] > heights[5] > heights[1] > heights[3]
    assert 'role="img"' in chart and "下り" in chart and "上り" in chart  # named in Japanese
    assert chart.index("run-chart") < page.index('<table class="runs">')
    english = client.get(f"/surveys/{site.uuid}", headers={"Accept-Language": "en"})
    assert "Download and upload of each speed run" in english.get_data(as_text=True)


def test_a_site_without_speed_runs_has_no_chart(client, make_user, login):
    login(make_user())
    post = {k: v for k, v in scored_survey_post().items() if not k.startswith("measurements-")}
    response = client.post("/surveys/new", data=post)
    assert response.status_code == 302
    site = db.session.scalar(select(Site))
    page = client.get(f"/surveys/{site.uuid}").get_data(as_text=True)
    assert "run-chart" not in page and "速度測定の記録はまだありません。" in page


def test_every_field_photos_and_coverage_per_carrier_are_shown(app, client, make_user, login):
    site, sha256 = _site_with_everything(client, make_user, login)
    page = client.get(f"/surveys/{site.uuid}").get_data(as_text=True)
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        form = SurveyForm(meta={"csrf": False})
        labels = {name: str(form[name].label.text) for _k, _t, names in SECTIONS for name in names}
    skipped = {"measurements", "coverage", "amenities", "photo_files", "photo_caption"}
    missing = {n: label for n, label in labels.items() if n not in skipped and label not in page}
    assert not missing
    # coverage: one row per carrier recorded, by its label, with technology, RSRP and placement
    coverage = page[page.index("<h3>携帯電話の電波状況") :]
    row = re.search(r"<tr><td>NTTドコモ</td><td>([^<]*)</td><td>(-?\d+)</td>", coverage)
    assert row is not None and row.group(2) == "-85" and "5G" in row.group(1)
    assert re.search(r"<tr><td>au</td><td>4G</td><td></td><td>3</td>", coverage)
    table = coverage[: coverage.index("</table>")]
    assert table.count("<tr><td>") == 2  # carriers with nothing recorded have no row
    # photos: the thumbnail links to the original, with its caption
    assert f'href="/photos/{sha256}"' in page or f"/photos/{sha256}" in page
    assert "入口の外観" in page
    # the answers themselves, not only the labels
    seats = re.search(r"<dt>" + re.escape(labels["seats"]) + r"</dt><dd>([^<]*)", page)
    assert seats is not None and seats.group(1).strip() == "24 席", seats
    assert "白浜テスト オフィス" in page and "09:00" in page
