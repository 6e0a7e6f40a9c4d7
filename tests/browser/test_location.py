"""The site's point as a surveyor takes it: live GPS accuracy, acceptance, the map pick.

Chromium's geolocation is Playwright's fake: `context.set_geolocation` delivers a new fix to
the page's watchPosition, so a test can let the GPS "settle" from poor to good. Tests never
reach the internet: tile requests are answered by the test (a plain PNG) or aborted (offline).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from app.extensions import db
from app.surveys.models import Site
from tests.browser.conftest import Problems
from tests.browser.test_accessibility import AXE, serious_violations
from tests.factories import image_bytes

SITE_NAME = "白浜 位置テスト"
DETAIL_URL = re.compile(r"/surveys/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
LAT, LON = 33.6781, 135.348
TILES = "https://cyberjapandata.gsi.go.jp/**"  # 地理院タイル, the default MAP_TILE_URL
TILE_PNG = image_bytes("PNG", size=(256, 256))


def _at(accuracy: float, dlat: float = 0.0) -> dict[str, float]:
    return {"latitude": LAT + dlat, "longitude": LON, "accuracy": accuracy}


def _survey_page(
    new_context: Callable[..., BrowserContext],
    sign_in: Callable[[Page, Any], None],
    user: Any,
    accuracy: float | None = None,
) -> tuple[BrowserContext, Page]:
    options: dict[str, Any] = {}
    if accuracy is not None:
        options = {"permissions": ["geolocation"], "geolocation": _at(accuracy)}
    context = new_context(**options)
    page = context.new_page()
    sign_in(page, user)
    page.goto("/surveys/new")
    page.fill("#name", SITE_NAME)
    return context, page


def _saved_site(page: Page) -> Site:
    page.locator("button[name=intent][value=draft]").click()
    expect(page).to_have_url(DETAIL_URL)
    db.session.rollback()  # see what the server thread committed
    sites = db.session.scalars(select(Site)).all()
    assert len(sites) == 1
    return sites[0]


@pytest.mark.browser
def test_a_poor_fix_waits_and_a_good_one_is_accepted_averaged_and_stored(
    new_context: Callable[..., BrowserContext],
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
) -> None:
    context, page = _survey_page(new_context, sign_in, make_user(), accuracy=250)
    status = page.locator("#geo-status")
    expect(page.locator("#survey-form")).to_have_attribute("data-accept-m", "10")
    expect(page.locator("#stop-location")).to_be_hidden()

    page.locator("#use-location").click()

    # ±250 m: shown live, with a warning (over 100 m); nothing is taken
    expect(status).to_contain_text("±250 m")
    expect(status.locator(".status-note.is-warn")).to_be_visible()
    expect(page.locator("#stop-location")).to_be_visible()
    take = page.locator("#take-location")
    expect(take).to_be_visible()
    expect(take).to_contain_text("250")
    page.wait_for_timeout(500)  # bounded: nothing may be accepted meanwhile
    expect(page.locator("#latitude")).to_have_value("")
    expect(page.locator("#location_source")).to_have_value("")

    # ±50 m: better, no longer a warning, still waiting for ±10 m
    context.set_geolocation(_at(50))
    expect(status).to_contain_text("±50 m")
    expect(status).to_contain_text("±10 m")
    expect(status.locator(".status-note.is-warn")).to_have_count(0)
    page.wait_for_timeout(500)
    expect(page.locator("#latitude")).to_have_value("")
    expect(page.locator("#longitude")).to_have_value("")

    # ±5 m: accepted at once, and a second good fix is averaged in
    context.set_geolocation(_at(5))
    expect(page.locator("#location_source")).to_have_value("gps")
    expect(page.locator("#latitude")).to_have_value(f"{LAT:.6f}")
    expect(page.locator("#longitude")).to_have_value(f"{LON:.6f}")
    expect(page.locator("#location_accuracy_m")).to_have_value("5")
    expect(page.locator("#location_fix_count")).to_have_value("1")
    expect(take).to_be_hidden()
    context.set_geolocation(_at(4, dlat=0.00002))
    expect(page.locator("#location_fix_count")).to_have_value("2")
    expect(page.locator("#location_accuracy_m")).to_have_value("4")
    averaged = float(page.locator("#latitude").input_value())
    assert LAT < averaged < LAT + 0.00002  # weighted towards the ±4 m fix, not either one
    # a poor fix after the point was accepted is not averaged in
    context.set_geolocation(_at(80, dlat=0.001))
    page.wait_for_timeout(300)
    expect(page.locator("#location_fix_count")).to_have_value("2")

    page.locator("#stop-location").click()  # the surveyor need not wait for the window to close
    expect(page.locator("#stop-location")).to_be_hidden()
    expect(status).to_contain_text("±4 m")
    expect(page.locator("#location_fix_count")).to_have_value("2")

    site = _saved_site(page)
    assert site.location_source == "gps"
    assert site.location_fix_count == 2
    assert site.location_accuracy_m == 4
    assert abs(site.latitude - averaged) < 1e-6
    assert abs(site.longitude - LON) < 1e-6


@pytest.mark.browser
def test_a_rough_fix_is_taken_only_on_request_and_keeps_its_accuracy(
    new_context: Callable[..., BrowserContext],
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
) -> None:
    _, page = _survey_page(new_context, sign_in, make_user(), accuracy=250)
    page.locator("#use-location").click()
    take = page.locator("#take-location")
    expect(take).to_be_visible()
    expect(page.locator("#latitude")).to_have_value("")

    take.click()

    expect(page.locator("#latitude")).to_have_value(f"{LAT:.6f}")
    expect(page.locator("#location_source")).to_have_value("gps")
    expect(page.locator("#location_accuracy_m")).to_have_value("250")
    expect(page.locator("#location_fix_count")).to_have_value("1")
    expect(page.locator("#geo-status .status-note.is-warn")).to_contain_text("250")
    expect(page.locator("#stop-location")).to_be_hidden()
    site = _saved_site(page)
    assert (site.location_source, site.location_accuracy_m, site.location_fix_count) == (
        "gps",
        250,
        1,
    )


@pytest.mark.browser
@pytest.mark.parametrize("config_overrides", [{"GEOLOCATION_ACCEPT_M": 30}])
def test_the_acceptance_threshold_is_configurable(
    new_context: Callable[..., BrowserContext],
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
) -> None:
    context, page = _survey_page(new_context, sign_in, make_user(), accuracy=40)
    expect(page.locator("#survey-form")).to_have_attribute("data-accept-m", "30")
    page.locator("#use-location").click()
    expect(page.locator("#geo-status")).to_contain_text("±30 m")
    expect(page.locator("#latitude")).to_have_value("")

    context.set_geolocation(_at(25))

    expect(page.locator("#location_source")).to_have_value("gps")
    expect(page.locator("#location_accuracy_m")).to_have_value("25")
    expect(page.locator("#location_fix_count")).to_have_value("1")


def _open_map(page: Page) -> Any:
    opener = page.locator("#pick-on-map")
    expect(opener).to_have_attribute("aria-expanded", "false")
    opener.click()
    expect(opener).to_have_attribute("aria-expanded", "true")
    the_map = page.locator("#location-map")
    expect(the_map).to_have_class(re.compile(r"\bleaflet-container\b"))
    return the_map


@pytest.mark.browser
def test_the_point_is_picked_on_the_map_and_typed_coordinates_are_manual(
    new_context: Callable[..., BrowserContext],
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
) -> None:
    context, page = _survey_page(new_context, sign_in, make_user())
    context.route(TILES, lambda route: route.fulfill(body=TILE_PNG, content_type="image/png"))
    # typed by hand: recorded as such
    page.fill("#latitude", f"{LAT}")
    page.fill("#longitude", f"{LON}")
    expect(page.locator("#location_source")).to_have_value("manual")
    expect(page.locator("#location-map-panel")).to_be_hidden()

    the_map = _open_map(page)
    expect(page.locator("#location-map img.leaflet-tile-loaded").first).to_be_attached()
    expect(page.locator("#map-tiles-note")).to_be_hidden()
    expect(page.locator("#location-map .point-marker")).to_have_count(1)  # the typed point
    box = the_map.bounding_box()
    assert box is not None
    the_map.click(position={"x": box["width"] / 2 + 120, "y": box["height"] / 2 - 60})

    expect(page.locator("#location_source")).to_have_value("map")
    expect(page.locator("#location_accuracy_m")).to_have_value("")
    expect(page.locator("#location_fix_count")).to_have_value("")
    expect(page.locator("#map-status")).to_contain_text("33.")
    picked_lat = float(page.locator("#latitude").input_value())
    picked_lon = float(page.locator("#longitude").input_value())
    assert picked_lon > LON and picked_lat > LAT  # right of and above the centre
    assert abs(picked_lon - LON) < 0.01 and abs(picked_lat - LAT) < 0.01  # zoomed in on it

    # the centre cross: the same from the keyboard, no tap needed
    page.locator("#map-centre").click()
    expect(page.locator("#latitude")).not_to_have_value(f"{picked_lat:.6f}")
    site = _saved_site(page)
    assert site.location_source == "map"
    assert site.location_accuracy_m is None and site.location_fix_count is None
    assert abs(site.latitude - LAT) < 0.01 and abs(site.longitude - LON) < 0.01


@pytest.mark.browser
def test_the_map_pick_works_without_tiles(
    new_context: Callable[..., BrowserContext],
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
    console_problems: Problems,
) -> None:
    context, page = _survey_page(new_context, sign_in, make_user(), accuracy=250)
    context.route(TILES, lambda route: route.abort("internetdisconnected"))
    page.locator("#use-location").click()
    expect(page.locator("#take-location")).to_be_visible()

    the_map = _open_map(page)
    note = page.locator("#map-tiles-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("オフライン")
    expect(page.locator("#location-map img.leaflet-tile-loaded")).to_have_count(0)
    # the coordinate grid and the GPS circle are what the surveyor places the point by
    expect(page.locator("#location-map canvas.leaflet-tile").first).to_be_attached()
    expect(page.locator("#location-map .leaflet-overlay-pane path")).to_have_count(
        1
    )  # the ±250 m circle

    the_map.click(position={"x": 60, "y": 80})

    expect(page.locator("#location_source")).to_have_value("map")
    expect(page.locator("#latitude")).not_to_have_value("")
    expect(page.locator("#location_accuracy_m")).to_have_value("")
    expect(page.locator("#stop-location")).to_be_hidden()  # picking on the map ends the watch
    lat = float(page.locator("#latitude").input_value())
    lon = float(page.locator("#longitude").input_value())
    assert abs(lat - LAT) < 0.01 and abs(lon - LON) < 0.01  # near the ±250 m fix

    page.wait_for_load_state("networkidle")
    # the failed tile requests are the point of this test; anything else still fails it
    console_problems.messages[:] = [
        m for m in console_problems.messages if "cyberjapandata.gsi.go.jp" not in m
    ]


@pytest.mark.browser
def test_the_location_controls_pass_axe_while_locating_and_with_the_map_open(
    new_context: Callable[..., BrowserContext],
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
    console_problems: Problems,
) -> None:
    if not AXE.exists():
        pytest.fail("node_modules/axe-core missing: run `make vendor`")
    context = new_context(bypass_csp=True, permissions=["geolocation"], geolocation=_at(250))
    context.route(TILES, lambda route: route.abort("internetdisconnected"))
    page = context.new_page()
    sign_in(page, make_user())
    page.goto("/surveys/new")
    page.locator("#use-location").click()
    expect(page.locator("#take-location")).to_be_visible()
    _open_map(page)
    expect(page.locator("#map-tiles-note")).to_be_visible()
    page.locator("#location-map").click()
    expect(page.locator("#location-map .point-marker")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []
    console_problems.messages[:] = [
        m for m in console_problems.messages if "cyberjapandata.gsi.go.jp" not in m
    ]


OTHER_TILES = {"MAP_TILE_URL": "https://{s}.tile.example.org/{z}/{x}/{y}.png"}


@pytest.mark.parametrize("config_overrides", [OTHER_TILES])
def test_the_map_pick_uses_the_configured_tile_server(
    client: Any, login: Callable[[Any], Any], make_user: Callable[..., Any]
) -> None:
    login(make_user())
    response = client.get("/surveys/new")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-tile-url="https://{s}.tile.example.org/{z}/{x}/{y}.png"' in html
    assert (
        "img-src 'self' data: blob: https://*.tile.example.org"
        in (response.headers["Content-Security-Policy"])
    )


def test_the_default_tiles_are_gsi_and_need_no_wider_policy(
    client: Any, login: Callable[[Any], Any], make_user: Callable[..., Any]
) -> None:
    login(make_user())
    response = client.get("/surveys/new")
    html = response.get_data(as_text=True)
    assert 'data-tile-url="https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"' in html
    assert "地理院タイル" in html
    assert (
        "img-src 'self' data: blob: https://cyberjapandata.gsi.go.jp;"
        in (response.headers["Content-Security-Policy"])
    )


@pytest.mark.browser
def test_a_postal_code_outside_the_surveyors_municipality_changes_nothing_and_says_why(
    new_context: Callable[..., BrowserContext],
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
) -> None:
    _context, page = _survey_page(new_context, sign_in, make_user("surveyor", "304018"))
    status = page.locator("#postal-status")
    page.fill("#postal_code", "646-0001")  # 田辺市, not 白浜町
    page.locator("#postal-lookup").click()
    expect(status).to_contain_text("田辺市")
    expect(status).to_contain_text("市町村は変更していません")
    expect(page.locator("#municipality_code")).to_have_value("304018")
    expect(page.locator("#address_town")).to_have_value("")

    page.fill("#postal_code", "649-2201")  # 白浜町 堅田: filled in as before
    page.locator("#postal-lookup").click()
    expect(status).to_contain_text("堅田")
    expect(page.locator("#municipality_code")).to_have_value("304018")
    expect(page.locator("#address_town")).to_have_value("堅田")
