"""The summary's numbers, hand-computed from the five sites in conftest.py."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from app.accounts.scope import Scope
from app.dashboard.service import summary
from app.extensions import db
from app.surveys.filters import SiteFilter
from app.surveys.models import Site

ADMIN = Scope("admin", None, None)
WAKAYAMA_VIEWER = Scope("viewer", None, "30")


def _tiers() -> dict[str, str]:
    return dict(db.session.execute(select(Site.name, Site.tier)).all())


def test_counts_per_status_and_tier(app, sites):
    data = summary(ADMIN, SiteFilter())
    assert data.total == 5
    assert data.statuses == [("draft", 4), ("submitted", 1)]
    tiers = _tiers()
    assert tiers["拠点c"] == "invest"
    rows = {row.code: row for row in data.tiers}
    assert [row.code for row in data.tiers] == ["202011", "304018", "304212"]
    assert rows["304018"].name == "和歌山県 白浜町" and rows["304018"].total == 3
    shirahama: dict[str, int] = {}
    for name in ("拠点a", "拠点b", "拠点e"):
        shirahama[tiers[name]] = shirahama.get(tiers[name], 0) + 1
    assert rows["304018"].counts == shirahama
    assert rows["304212"].counts == {"invest": 1}
    assert rows["202011"].counts == {tiers["拠点d"]: 1}
    assert sum(data.tier_totals.values()) == 5


def test_median_speeds_per_municipality(app, sites):
    data = summary(ADMIN, SiteFilter())
    speeds = {row.code: row for row in data.speeds}
    assert set(speeds) == {"304018", "304212"}  # 長野市's site has no speed runs
    # 白浜町: the sites' own medians are a 50/20/20, b 120.5/45.2/18, e 35/6/50
    assert speeds["304018"].medians == {"download_mbps": 50, "upload_mbps": 20, "latency_ms": 20}
    assert speeds["304018"].sites == 3
    assert speeds["304018"].counts == {"download_mbps": 3, "upload_mbps": 3, "latency_ms": 3}
    assert speeds["304212"].medians == {
        "download_mbps": 120.5,
        "upload_mbps": 45.2,
        "latency_ms": 18,
    }
    assert data.speed_max == {"download_mbps": 120.5, "upload_mbps": 45.2, "latency_ms": 20}


def test_an_even_number_of_sites_takes_the_mean_of_the_middle_two(app, sites):
    data = summary(ADMIN, SiteFilter.parse({"municipality": "304018", "from": "2026-11-01"}))
    (row,) = data.speeds  # b 120.5/45.2/18 and e 35/6/50
    assert row.medians == {"download_mbps": 77.75, "upload_mbps": 25.6, "latency_ms": 34}
    assert data.statuses == [("draft", 1), ("submitted", 1)]


def test_scope_and_filter_apply(app, sites):
    data = summary(WAKAYAMA_VIEWER, SiteFilter())
    assert data.total == 4
    assert [row.code for row in data.tiers] == ["304018", "304212"]
    assert data.statuses == [("draft", 3), ("submitted", 1)]
    assert summary(WAKAYAMA_VIEWER, SiteFilter.parse({"prefecture": "20"})).total == 0
    only_c = summary(ADMIN, SiteFilter.parse({"tier": "invest"}))
    assert only_c.total == 1 and [r.code for r in only_c.speeds] == ["304212"]
    surveyor = summary(Scope("surveyor", "304212", "30"), SiteFilter())
    assert surveyor.total == 1 and surveyor.statuses == [("draft", 1)]


def _cells(html: str, row_name: str) -> list[str]:
    row = re.search(rf"<tr>\s*<th scope=\"row\"[^>]*>{row_name}</th>(.*?)</tr>", html, re.S)
    assert row, row_name
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)
    ]


def test_the_page_shows_the_numbers_as_text(client: Any, make_user, login, sites):
    login(make_user("viewer", None, "30"))
    page = client.get("/dashboard/summary")
    assert page.status_code == 200
    html = page.text
    assert "長野市" not in html
    speeds = re.search(r'id="speed-table".*?</table>', html, re.S)[0]
    assert _cells(speeds, "和歌山県 白浜町") == ["3", "50 Mbps", "20 Mbps", "20 ms"]
    assert _cells(speeds, "和歌山県 那智勝浦町") == ["1", "120.5 Mbps", "45.2 Mbps", "18 ms"]
    tiers = re.search(r'id="tier-table".*?</table>', html, re.S)[0]
    assert _cells(tiers, "和歌山県 那智勝浦町")[:5] == ["0", "0", "1", "0", "1"]
    status = re.search(r'id="status-table".*?</table>', html, re.S)[0]
    assert re.findall(r'<td class="num"[^>]*>(\d+)</td>', status) == ["3", "1"]
    assert 'aria-hidden="true"' in html and "<svg" in html  # bars are decoration


def test_the_page_keeps_the_filter(client: Any, make_user, login, sites):
    login(make_user("admin", None, None))
    html = client.get("/dashboard/summary?municipality=304212&status=draft").text
    assert '<option value="304212" selected>' in html
    assert "和歌山県 白浜町" not in re.search(r'id="tier-table".*?</table>', html, re.S)[0]
    assert "municipality=304212" in html  # links to the map and the list keep it


def test_nothing_to_summarise(client: Any, make_user, login):
    login(make_user("viewer", None, "20"))
    page = client.get("/dashboard/summary")
    assert page.status_code == 200 and 'id="tier-table"' not in page.text


def test_each_bar_is_as_long_as_its_share(client: Any, make_user, login, sites):
    """The stacked bar of a municipality splits 100 units by its tier counts, in the table's
    column order; the status bars run against the largest status."""
    login(make_user("admin", None, None))
    html = client.get("/dashboard/summary").text
    tiers = re.search(r'id="tier-table".*?</table>', html, re.S)[0]
    rows = re.findall(r"<tr>\s*<th scope=\"row\" data-value.*?</tr>", tiers, re.S)
    assert len(rows) == 3
    for row in rows:
        counts = [int(n) for n in re.findall(r'<td class="num" data-value="(\d+)"', row)]
        *per_tier, total = counts
        widths = [
            float(w) for w in re.findall(r'<rect class="bar-\w+" x="[\d.]+" width="([\d.]+)"', row)
        ]
        assert widths == [round(100 * n / total, 2) for n in per_tier if n], row
        xs = [float(x) for x in re.findall(r'<rect class="bar-\w+" x="([\d.]+)"', row)]
        assert xs == [round(sum(widths[:i]), 2) for i in range(len(widths))]
    status = re.search(r'id="status-table".*?</table>', html, re.S)[0]
    counts = [int(n) for n in re.findall(r'<td class="num"[^>]*>(\d+)</td>', status)]
    widths = [float(w) for w in re.findall(r'<rect class="bar-status" width="([\d.]+)"', status)]
    assert widths == [round(100 * n / max(counts), 2) for n in counts]
