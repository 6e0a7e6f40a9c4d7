"""The offline package's endpoints: service worker, manifest, offline page, CSRF refresh."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from app.offline.shell import shell_files, shell_version


def test_service_worker_is_served_from_the_root_uncached(client: Any) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    assert f'const VERSION = "{shell_version()}";' in body
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", body).group(1))
    assert "/static/js/app.js" in shell and "/static/css/app.css" in shell
    assert "/static/js/survey.js" in shell and "/manifest.webmanifest" in shell
    assert "/static/js/location.js" in shell and "/static/js/speedtest.js" in shell
    # online-only pages' scripts and the install-time icons are left out
    assert "/static/js/map.js" not in shell and "/static/img/icon-512.png" not in shell
    if "vendor/leaflet/leaflet.js" in shell_files():  # after `make vendor`
        assert "/static/vendor/leaflet/leaflet.js" in shell
    assert '"/surveys/new"' in body and 'const LOGOUT = "/logout"' in body
    for url in shell:  # everything precached exists, or the worker would never install
        assert client.get(url).status_code == 200, url


def test_version_is_a_stable_hash_of_the_shell() -> None:
    assert re.fullmatch(r"[0-9a-f]{16}", shell_version())
    assert shell_version() == shell_version()


def test_manifest_names_the_app_and_its_icons(client: Any) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["display"] == "standalone" and manifest["scope"] == "/"
    assert manifest["name"] and manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512", "any"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_pages_link_the_manifest(
    client: Any, make_user: Callable[..., Any], login: Callable[[Any], Any]
) -> None:
    login(make_user())
    html = client.get("/surveys/new").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'id="app-notices"' in html and 'data-sw="/sw.js"' in html
    assert 'id="install-help"' in html


def test_offline_page_needs_no_sign_in(client: Any) -> None:
    response = client.get("/offline")
    assert response.status_code == 200
    assert 'id="offline-page"' in response.get_data(as_text=True)


def test_token_endpoint_gives_a_fresh_csrf_token_to_a_signed_in_user(
    client: Any, make_user: Callable[..., Any], login: Callable[[Any], Any]
) -> None:
    anonymous = client.get("/offline/token")
    assert anonymous.status_code == 200
    assert anonymous.get_json() == {"signed_in": False, "csrf_token": None, "user": None}
    assert anonymous.headers["Cache-Control"] == "no-store"
    user = make_user()
    login(user)
    response = client.get("/offline/token")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["signed_in"] and body["csrf_token"] and body["user"] == str(user.id)
