"""The dashboard pages: sign-in required, every role gets them, the map's tile settings."""

from __future__ import annotations

import pytest

ROLES = [
    ("surveyor", "304018", None),
    ("reviewer", None, "30"),
    ("viewer", None, "20"),
    ("admin", None, None),
]
PATHS = ["/dashboard/map", "/dashboard/map.json", "/dashboard/summary"]


@pytest.mark.parametrize("path", PATHS)
def test_sign_in_is_required(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(("role", "municipality", "prefecture"), ROLES)
def test_every_role_gets_the_pages(client, make_user, login, role, municipality, prefecture):
    login(make_user(role, municipality, prefecture))
    for path in PATHS:
        response = client.get(path)
        assert response.status_code == 200, path
    html = client.get("/dashboard/map").text
    assert 'id="site-map"' in html and "js/map.js" in html
    assert "vendor/leaflet/leaflet.js" in html and "leaflet.markercluster.js" in html
    assert '<label for="tier">' in html  # the list's filters


def test_map_uses_gsi_tiles_by_default(client, make_user, login):
    login(make_user("viewer", None, "30"))
    response = client.get("/dashboard/map")
    html = response.text
    assert 'data-tile-url="https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"' in html
    assert "maps.gsi.go.jp/development/ichiran.html" in html and "地理院タイル" in html
    assert "https://cyberjapandata.gsi.go.jp" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("config_overrides", [{"MAP_TILE_URL": ""}])
def test_an_empty_tile_url_draws_no_tiles(client, make_user, login):
    login(make_user("viewer", None, "30"))
    assert 'data-tile-url=""' in client.get("/dashboard/map").text


@pytest.mark.parametrize(
    "config_overrides",
    [
        {
            "MAP_TILE_URL": "https://{s}.tiles.example.org/{z}/{x}/{y}.png",
            "MAP_TILE_ATTRIBUTION": "© Example",
        }
    ],
)
def test_another_tile_server_is_allowed_by_the_page_policy(client, make_user, login):
    login(make_user("viewer", None, "30"))
    response = client.get("/dashboard/map")
    assert 'data-tile-attribution="© Example"' in response.text
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://*.tiles.example.org" in policy
    assert "script-src 'self';" in policy  # the rest of the policy unchanged
    other = client.get("/dashboard/summary").headers["Content-Security-Policy"]
    assert "example.org" not in other


def test_the_map_page_keeps_the_filter_in_its_links(client, make_user, login):
    login(make_user("admin", None, None))
    html = client.get("/dashboard/map?tier=ready&q=白浜").text
    assert '<option value="ready" selected>' in html
    assert 'value="白浜"' in html
    assert "/surveys?" in html and "tier=ready" in html
