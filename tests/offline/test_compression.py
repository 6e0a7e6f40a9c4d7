"""The app shell (static files, /sw.js, the manifest) is sent compressed; pages, the speed
test's random bytes and export downloads never are (issue #4's first-load transfer goal)."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import brotli
import pytest

from app.speedtest.payload import MINI_SIZES
from app.wiring import COMPRESSED_ENDPOINTS
from tests.exports.helpers import start
from tests.factories import scored_survey_post

STATIC = Path(__file__).resolve().parent.parent.parent / "static"


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"EXPORT_QUEUE": "inline"}


CHROMIUM_ACCEPTS = "gzip, deflate, br, zstd"
SAFARI_ACCEPTS = "gzip, deflate, br"


def test_static_files_are_compressed_for_a_tablet(client: Any) -> None:
    original = (STATIC / "js" / "survey.js").read_bytes()
    response = client.get("/static/js/survey.js", headers={"Accept-Encoding": SAFARI_ACCEPTS})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in response.headers["Vary"]
    body = brotli.decompress(response.get_data())
    assert body == original and len(response.get_data()) < len(original) / 2


def test_static_files_still_revalidate(client: Any) -> None:
    first = client.get("/static/css/app.css", headers={"Accept-Encoding": CHROMIUM_ACCEPTS})
    assert first.headers["Content-Encoding"] == "zstd" and first.headers.get("ETag")
    again = client.get(
        "/static/css/app.css",
        headers={"Accept-Encoding": CHROMIUM_ACCEPTS, "If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304


def test_service_worker_and_manifest_are_compressed(client: Any) -> None:
    for path in ("/sw.js", "/manifest.webmanifest"):
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip", path
        assert gzip.decompress(response.get_data())
        assert response.headers["Cache-Control"] == "no-cache"


def test_without_accept_encoding_nothing_is_compressed(client: Any) -> None:
    response = client.get("/static/js/survey.js")
    assert "Content-Encoding" not in response.headers
    assert response.get_data() == (STATIC / "js" / "survey.js").read_bytes()


def test_pages_are_not_compressed(client: Any, make_user: Any, login: Any) -> None:
    login(make_user())
    response = client.get("/surveys/new", headers={"Accept-Encoding": CHROMIUM_ACCEPTS})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert b"survey-form" in response.get_data()


@pytest.mark.parametrize(
    ("path", "size"),
    [("/speedtest/download?bytes=200000", 200_000), ("/speedtest/random350x350.jpg", None)],
)
def test_speed_test_bytes_are_never_compressed(client: Any, path: str, size: int | None) -> None:
    response = client.get(path, headers={"Accept-Encoding": CHROMIUM_ACCEPTS})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "identity"
    expected = size if size is not None else MINI_SIZES[350]
    assert len(response.get_data()) == expected


def test_export_downloads_are_not_compressed(client: Any, make_user: Any, login: Any) -> None:
    login(make_user("admin", None, None))
    post = scored_survey_post(name="圧縮テスト拠点", municipality_code="304018")
    assert client.post("/surveys/new", data=post).status_code == 302
    for export_format in ("csv-utf8", "geojson", "xlsx"):
        status = start(client, format=export_format)
        assert status["state"] == "done", status
        response = client.get(status["download_url"], headers={"Accept-Encoding": CHROMIUM_ACCEPTS})
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers, export_format
    assert not any(e.startswith(("speedtest", "exports")) for e in COMPRESSED_ENDPOINTS)
