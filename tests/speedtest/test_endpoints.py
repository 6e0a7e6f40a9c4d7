"""The /speedtest/ endpoints: exact sizes, headers, streaming, counting, and their limits."""

from __future__ import annotations

import types
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from app.speedtest.payload import MINI_SIZES

RUN = "test-run-token-0123456789"


def _no_store(response: Any) -> None:
    assert "no-store" in response.headers["Cache-Control"]
    assert "no-transform" in response.headers["Cache-Control"]
    assert response.headers["Content-Encoding"] == "identity"
    assert "Set-Cookie" not in response.headers


def test_latency_txt(client: Any) -> None:
    response = client.get("/speedtest/latency.txt?x=1.0")
    assert response.status_code == 200
    assert response.data == b"test=test"
    assert response.headers["Content-Length"] == "9"
    _no_store(response)


@pytest.mark.parametrize("n", list(MINI_SIZES))
def test_random_images_have_speedtest_nets_sizes(client: Any, n: int) -> None:
    response = client.get(f"/speedtest/random{n}x{n}.jpg?x=1.{n}")
    assert response.status_code == 200
    assert len(response.data) == MINI_SIZES[n]
    assert response.headers["Content-Length"] == str(MINI_SIZES[n])
    assert response.headers["Content-Type"] == "application/octet-stream"
    _no_store(response)


def test_payload_is_streamed_not_built_in_memory(client: Any) -> None:
    response = client.get("/speedtest/random4000x4000.jpg", buffered=False)
    try:
        assert response.is_streamed
        assert isinstance(response.response, types.GeneratorType | Iterator)
        first = next(iter(response.response))
        assert 0 < len(first) <= 64 * 1024
    finally:
        response.close()


def test_payload_is_incompressible(client: Any) -> None:
    body = client.get("/speedtest/random2500x2500.jpg").data
    assert len(zlib.compress(body, 6)) / len(body) > 0.99
    again = client.get("/speedtest/random2500x2500.jpg").data
    assert body != again


@pytest.mark.parametrize("path", ["random351x351.jpg", "random350x500.jpg", "random0x0.jpg"])
def test_other_images_are_json_404(client: Any, path: str) -> None:
    response = client.get(f"/speedtest/{path}")
    assert response.status_code == 404
    assert response.json["error"] == "not_found"


def test_upload_php_get_reports_size_zero_for_the_library_probe(client: Any) -> None:
    response = client.get("/speedtest/upload.php")
    assert response.status_code == 200
    assert response.data == b"size=0"
    _no_store(response)


def test_upload_php_counts_the_body(client: Any) -> None:
    body = b"content1=" + b"0123456789" * 50_000
    response = client.post(
        "/speedtest/upload.php?x=1.0",
        data=body,
        content_type="application/x-www-form-urlencoded",  # what speedtest-cli sends
    )
    assert response.status_code == 200
    assert response.data == f"size={len(body)}".encode()
    _no_store(response)


def test_a_run_total_adds_up_every_upload_of_the_run(client: Any) -> None:
    for size in (1000, 250_000, 7_340_032):
        assert client.post(f"/speedtest/upload.php?run={RUN}&x=1", data=b"y" * size).data == (
            f"size={size}".encode()
        )
    assert client.post(f"/speedtest/upload?run={RUN}", data=b"z" * 10).json == {"received": 10}
    assert client.get(f"/speedtest/upload.php?run={RUN}&x=2").data == b"size=7591042"
    assert client.get("/speedtest/upload.php?run=another-run-token-000000").data == b"size=0"


def test_a_bad_run_token_is_refused(client: Any) -> None:
    response = client.post("/speedtest/upload.php?run=../../x", data=b"x")
    assert response.status_code == 400
    assert response.json["error"] == "bad_request"


def test_browser_download_of_a_requested_size(client: Any) -> None:
    for n in (0, 1, 1_000_000):
        response = client.get(f"/speedtest/download?bytes={n}")
        assert response.status_code == 200
        assert len(response.data) == n
        assert response.headers["Content-Length"] == str(n)
        _no_store(response)


@pytest.mark.parametrize("value", ["67108865", "-1", "1e6", "abc", "9" * 40])
def test_browser_download_above_the_cap_is_a_json_400(client: Any, value: str) -> None:
    response = client.get(f"/speedtest/download?bytes={value}")
    assert response.status_code == 400
    assert response.json["error"] == "bad_size"
    assert response.json["max_bytes"] == 64 * 1024 * 1024


def test_browser_upload_discards_and_reports_the_count(client: Any) -> None:
    response = client.post("/speedtest/upload", data=b"\x00" * 3_000_000)
    assert response.status_code == 200
    assert response.json == {"received": 3_000_000}
    _no_store(response)


def test_ping_is_tiny(client: Any) -> None:
    response = client.get("/speedtest/ping")
    assert response.status_code == 204
    assert response.data == b""
    _no_store(response)


def test_security_headers_still_apply(client: Any) -> None:
    response = client.get("/speedtest/random350x350.jpg")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


class Endless:
    """A request body that never ends (chunked upload), counting what the server read."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, n: int = -1) -> bytes:
        n = 65_536 if n is None or n < 0 else n
        self.read_bytes += n
        return b"e" * n

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@pytest.mark.parametrize("path", ["/speedtest/upload.php", "/speedtest/upload"])
def test_an_endless_upload_stops_at_the_cap_with_413(client: Any, app: Any, path: str) -> None:
    app.config["SPEEDTEST_MAX_UPLOAD_BYTES"] = 1_000_000
    body = Endless()
    response = client.post(
        f"{path}?run={RUN}",
        headers={"Transfer-Encoding": "chunked"},
        # a server that handles chunked bodies says so, as gunicorn and werkzeug's do
        environ_overrides={"wsgi.input": body, "wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert response.json["error"] == "too_large"
    assert 1_000_000 <= body.read_bytes <= 1_000_000 + 65_536
    counted = int(client.get(f"/speedtest/upload.php?run={RUN}").data.split(b"=")[1])
    assert counted <= 1_000_000


def test_a_declared_length_over_the_cap_is_refused_unread(client: Any, app: Any) -> None:
    app.config["SPEEDTEST_MAX_UPLOAD_BYTES"] = 1_000_000
    body = Endless()
    response = client.post(
        "/speedtest/upload.php", environ_overrides={"wsgi.input": body, "CONTENT_LENGTH": "1000001"}
    )
    assert response.status_code == 413
    assert body.read_bytes == 0


def test_the_cap_is_the_speedtest_one_not_max_content_length(client: Any, app: Any) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000  # the app's cap for everything else
    assert client.post("/speedtest/upload", data=b"x" * 2_000_000).json == {"received": 2_000_000}


def test_a_slow_upload_is_cut_off(client: Any, app: Any) -> None:
    app.config["SPEEDTEST_MAX_SECONDS"] = 0
    response = client.post("/speedtest/upload", data=b"x" * 100_000)
    assert response.status_code == 408
    assert response.json["error"] == "too_slow"


def test_get_on_upload_endpoint_is_405(client: Any) -> None:
    # a routing error happens before the blueprint is known: JSON when asked for (the app's
    # handler), JSON always once wiring.wants_json() counts /speedtest/ (see the report)
    response = client.get("/speedtest/upload", headers={"Accept": "application/json"})
    assert response.status_code == 405
    assert response.json["error"]


class TestWithCsrfAndLimits:
    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": True,
            "SPEEDTEST_RATE_LIMIT": "5 per minute",
            "SPEEDTEST_TRANSFER_LIMIT": "3 per minute",  # MiB
        }

    def test_uploads_need_no_csrf_token_or_sign_in(self, client: Any) -> None:
        response = client.post("/speedtest/upload.php", data=b"x" * 100)
        assert response.status_code == 200
        assert response.data == b"size=100"

    def test_too_many_requests_from_one_client_get_a_json_429(self, client: Any) -> None:
        statuses = [client.get("/speedtest/ping").status_code for _ in range(5)]
        assert statuses == [204] * 5
        response = client.get("/speedtest/latency.txt")  # the limit is shared by every endpoint
        assert response.status_code == 429
        assert response.json["error"] == "rate_limited"
        assert "Retry-After" in response.headers
        other = client.get("/speedtest/ping", environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert other.status_code == 204  # per client address

    def test_bytes_moved_are_limited_too(self, client: Any) -> None:
        one_mib = "/speedtest/download?bytes=1048576"
        assert client.get(one_mib).status_code == 200
        assert client.post("/speedtest/upload", data=b"x" * 1_500_000).status_code == 200  # 2 MiB
        response = client.get(one_mib)
        assert response.status_code == 429
        assert response.json["error"] == "rate_limited"
