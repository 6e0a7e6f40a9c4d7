"""The dashboard map in Chromium: markers coloured by tier, clusters, popups, filters.

Tests never reach the internet: MAP_TILE_URL is empty, so the markers show on the plain
background, which is also what an offline field station shows.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.surveys.models import Site
from tests.browser.conftest import Problems
from tests.factories import scored_survey_post

NO_TILES = {"MAP_TILE_URL": ""}
SITES = {  # name: (municipality, latitude, longitude, extra answers)
    "白浜の拠点": ("304018", "33.678", "135.348", {}),
    "那智勝浦の拠点": ("304212", "33.64", "135.93", {"wifi_security": "open"}),
    "長野の拠点": ("202011", "36.65", "138.18", {}),
    "札幌の拠点": ("011002", "43.06", "141.35", {}),
}


@pytest.fixture
def placed(client: Any, make_user: Callable[..., Any], login: Callable[[Any], Any]) -> dict:
    """name -> (uuid, tier) of four sites far apart, except the two in 和歌山県 (55 km)."""
    login(make_user("admin", None, None))
    made = {}
    for name, (code, lat, lon, extra) in SITES.items():
        post = scored_survey_post(
            name=name,
            municipality_code=code,
            latitude=lat,
            longitude=lon,
            station_latitude=None,
            station_longitude=None,
            **extra,
        )
        assert client.post("/surveys/new", data=post).status_code == 302
        tier = db.session.scalar(select(Site.tier).where(Site.uuid == post["uuid"]))
        made[name] = (post["uuid"], tier)
    client.post("/logout")
    return made


def _sites_shown(page: Page) -> int:
    """Markers plus the sites inside clusters."""
    markers = page.locator("#site-map .leaflet-marker-icon.tier-marker").count()
    clusters = page.locator("#site-map .tier-cluster-count").all_text_contents()
    return markers + sum(int(n) for n in clusters)


@pytest.mark.browser
@pytest.mark.parametrize("config_overrides", [NO_TILES])
def test_markers_by_tier_clusters_and_popups(
    page: Page,
    placed: dict,
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
) -> None:
    sign_in(page, make_user("admin", None, None))
    page.goto("/dashboard/map")
    expect(page.locator("#site-map")).to_have_attribute("data-loaded", "4")
    expect(page.locator(".leaflet-tile")).to_have_count(0)  # no tile layer, plain background
    # the whole of Japan: the two sites of 和歌山県 form one cluster of 2
    expect(page.locator("#site-map .tier-cluster-count")).to_have_text(["2"])
    assert _sites_shown(page) == 4
    for name in ("長野の拠点", "札幌の拠点"):
        uuid, tier = placed[name]
        marker = page.locator(f'.leaflet-marker-icon[title^="{name}"]')
        expect(marker).to_have_count(1)
        expect(marker).to_have_class(re.compile(rf"\btier-marker-{tier}\b"))

    # the filter form reloads only the markers and keeps the filter in the URL
    page.select_option("#prefecture", "30")
    page.get_by_role("button", name="絞り込み").click()
    expect(page).to_have_url(re.compile(r"/dashboard/map\?prefecture=30$"))
    expect(page.locator("#site-map")).to_have_attribute("data-loaded", "2")
    markers = page.locator("#site-map .leaflet-marker-icon.tier-marker")
    expect(markers).to_have_count(2)  # zoomed in on 和歌山県: no cluster any more
    expect(page.locator("#site-map .tier-cluster-count")).to_have_count(0)
    expect(page.locator("#link-list")).to_have_attribute("href", re.compile(r"prefecture=30$"))

    uuid, tier = placed["那智勝浦の拠点"]
    assert tier == "invest"
    marker = page.locator('.leaflet-marker-icon[title^="那智勝浦の拠点"]')
    expect(marker).to_have_class(re.compile(r"\btier-marker-invest\b"))
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    link = popup.get_by_role("link", name="那智勝浦の拠点")
    expect(link).to_have_attribute("href", f"/surveys/{uuid}")
    expect(popup).to_contain_text("和歌山県 那智勝浦町")
    expect(popup.locator(".tier")).to_have_text("要整備")
    expect(popup.locator(".status")).to_have_text("下書き")
    link.click()
    expect(page).to_have_url(re.compile(rf"/surveys/{uuid}$"))


@pytest.mark.browser
@pytest.mark.parametrize("config_overrides", [NO_TILES])
def test_a_viewer_sees_only_their_prefecture(
    page: Page,
    placed: dict,
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
) -> None:
    sign_in(page, make_user("viewer", None, "20"))
    page.goto("/dashboard/map")
    expect(page.locator("#site-map")).to_have_attribute("data-loaded", "1")
    marker = page.locator("#site-map .leaflet-marker-icon.tier-marker")
    expect(marker).to_have_count(1)
    expect(marker).to_have_attribute("title", re.compile("^長野の拠点"))
    marker.focus()
    page.keyboard.press("Enter")  # markers work from the keyboard too
    expect(page.locator(".leaflet-popup-content a")).to_have_text("長野の拠点")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


OFFLINE_TILES = {"MAP_TILE_URL": f"http://127.0.0.1:{_closed_port()}/{{z}}/{{x}}/{{y}}.png"}


@pytest.mark.browser
@pytest.mark.parametrize("config_overrides", [OFFLINE_TILES])
def test_markers_show_when_the_tiles_cannot_be_loaded(
    page: Page,
    placed: dict,
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
    console_problems: Problems,
) -> None:
    sign_in(page, make_user("admin", None, None))
    page.goto("/dashboard/map")
    expect(page.locator("#map-tiles-failed")).to_be_visible()
    expect(page.locator("#site-map")).to_have_attribute("data-loaded", "4")
    assert _sites_shown(page) == 4
    page.wait_for_load_state("networkidle")  # every tile request has failed by now
    tile_host = OFFLINE_TILES["MAP_TILE_URL"].split("/{z}")[0]
    # the failed tile requests are the point of this test; anything else still fails it
    console_problems.messages[:] = [m for m in console_problems.messages if tile_host not in m]


@pytest.mark.browser
def test_summary_tables_sort_by_a_column(
    page: Page,
    placed: dict,
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
) -> None:
    sign_in(page, make_user("admin", None, None))
    page.goto("/dashboard/summary")
    rows = page.locator("#tier-table tbody th[scope=row]")
    expect(rows).to_have_count(4)
    invest = page.locator("#tier-table thead th").nth(3)
    invest.get_by_role("button").click()
    expect(invest).to_have_attribute("aria-sort", "ascending")
    invest.get_by_role("button").click()
    expect(invest).to_have_attribute("aria-sort", "descending")
    expect(rows.first).to_have_text("和歌山県 那智勝浦町")
