"""A real local HTTP server speaking enough of Nominatim's /search protocol for tests."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

import pytest

Mode = Literal["ok", "error500", "slow", "badjson"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received."""

    path: str
    params: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeNominatim:
    """Nominatim look-alike on 127.0.0.1; `places` maps a query string to (lat, lon)."""

    places: dict[str, tuple[float, float]] = field(default_factory=dict)
    mode: Mode = "ok"
    slow_s: float = 2.0
    requests: list[RecordedRequest] = field(default_factory=list)
    scheme: str = "http"
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def domain(self) -> str:
        """Return "127.0.0.1:PORT", suitable for GeocoderSettings.domain."""
        assert self._server is not None, "server not started"
        return f"127.0.0.1:{self._server.server_address[1]}"

    @property
    def search_requests(self) -> list[RecordedRequest]:
        """Return only the /search requests."""
        return [r for r in self.requests if r.path == "/search"]

    def start(self) -> FakeNominatim:
        """Bind to an ephemeral port on 127.0.0.1 and serve in a daemon thread."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release sleeping handlers, stop serving and close the socket."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeNominatim:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def answer(self, params: dict[str, str]) -> list[dict[str, Any]]:
        """Return the JSON list Nominatim would send for these query parameters."""
        query = params.get("q", "").strip()
        if query not in self.places:
            return []
        lat, lon = self.places[query]
        return [
            {
                "place_id": 100000 + len(self.requests),
                "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
                "osm_type": "node",
                "osm_id": 1,
                "lat": str(lat),
                "lon": str(lon),
                "class": "place",
                "type": "town",
                "place_rank": 16,
                "importance": 0.5,
                "addresstype": "town",
                "name": query,
                "display_name": f"{query}, 日本",
                "boundingbox": [str(lat - 0.01), str(lat + 0.01), str(lon - 0.01), str(lon + 0.01)],
            }
        ]


def _handler_for(fake: FakeNominatim) -> type[BaseHTTPRequestHandler]:
    """Build a request handler class bound to `fake`."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

        def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = dict(parse_qsl(url.query, keep_blank_values=True))
            fake.requests.append(RecordedRequest(url.path, params, dict(self.headers.items())))
            if url.path != "/search":
                self._send(404, b'{"error": "not found"}')
            elif fake.mode == "error500":
                self._send(500, b"Internal Server Error", "text/plain")
            elif fake.mode == "badjson":
                self._send(200, b"[{not json")
            else:
                if fake.mode == "slow" and fake._stopping.wait(fake.slow_s):
                    return
                body = json.dumps(fake.answer(params), ensure_ascii=False).encode()
                with contextlib.suppress(OSError):  # the client may have given up
                    self._send(200, body)

    return Handler


@pytest.fixture
def fake_nominatim(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeNominatim]:
    """Yield a started FakeNominatim; proxies are bypassed for 127.0.0.1; stopped at teardown."""
    for var in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(var, "127.0.0.1,localhost")
    fake = FakeNominatim().start()
    try:
        yield fake
    finally:
        fake.stop()
