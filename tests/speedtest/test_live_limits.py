"""Abuse over a real socket: a body declared too large gets 413 before it is sent."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import pytest

CAP = 1_000_000


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"SPEEDTEST_USE_PUBLIC": 0, "SPEEDTEST_MAX_UPLOAD_BYTES": CAP}


def _connect(live_server: str) -> socket.socket:
    parts = urlsplit(live_server)
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


def _status(sock: socket.socket) -> int:
    head = sock.recv(4096)
    return int(head.split(b" ", 2)[1])


def test_a_huge_declared_body_gets_413_before_it_is_sent(live_server: str) -> None:
    with _connect(live_server) as sock:
        sock.sendall(
            b"POST /speedtest/upload.php HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: 100000000000\r\n\r\n" + b"x" * 1000
        )
        assert _status(sock) == 413


# An endless chunked body is cut off by the app at the cap (test_endpoints.py, which counts what
# the app read). Over a socket that cannot be shown with werkzeug's development server: after
# any response it discards up to 10 GB of unread input itself so clients see the 413.
