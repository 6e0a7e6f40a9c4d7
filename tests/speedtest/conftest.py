"""Speed test fixtures: the app on a loopback port, and no way out of the machine."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from app.speedtest.plan import Plan

# Small and short, so a real speedtest-cli run against the test server takes about a second.
# (speedtest-cli's own data for 65,536 B uploads is 7 bytes short of its Content-Length, so
# that size hangs until the socket times out: the library's defaults never use it.)
TEST_PLAN = Plan(
    seconds=3.0,
    download_sizes=(350, 500, 750, 1000),
    download_per_size=2,
    download_threads=4,
    upload_sizes=(32_768, 131_072, 524_288),
    upload_max=6,
    upload_threads=2,
)


def _is_loopback(host: Any) -> bool:
    if host in ("localhost", None, ""):
        return True
    try:
        return ipaddress.ip_address(str(host).strip("[]")).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any name lookup or connection beyond loopback fails at once, as if offline."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host):
            raise socket.gaierror(socket.EAI_NONAME, f"tests are offline: {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise ConnectionRefusedError(f"tests are offline: {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"SPEEDTEST_USE_PUBLIC": 0, "SPEEDTEST_SERVER_URL": "http://127.0.0.1:9"}
