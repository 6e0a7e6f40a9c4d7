"""speedtest-cli from a field station: the public Ookla network, else this product's server.

`LocalConfigSpeedtest` is the unmodified library with one override, `get_config()`, which
builds the configuration locally (plain `Speedtest()` fetches it from speedtest.net first).
Against this product's server the upload figure is the server's count of the bytes it
received during the library's upload window, not the library's count of bytes it handed to
its sockets (which over-reports slow uplinks, speedtest-cli issue #341): every upload of the
run carries `?run=<token>`, the server adds what it reads to that run's total as it arrives,
and right after `upload()` returns the runner reads the total (`GET upload.php?run=<token>`).
Latency and jitter come from ten small round trips to the chosen server's latency.txt, the
same rule as the browser test (minimum, and the spread of consecutive samples).
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import speedtest

from app.speedtest.plan import TOKYO, Plan, local_config, upload_rounds
from app.speedtest.units import (
    LatencyStats,
    bits_per_s_to_mbps,
    bytes_to_mbps,
    latency_stats,
    window_seconds,
)
from app.timeutil import utcnow

METHOD = "speedtest-cli"
TOOL_VERSION = f"speedtest-cli {speedtest.__version__}"
LATENCY_SAMPLES = 10
NO_ANSWER_MS = 3600 * 1000 / 6  # get_best_server counts a failed latency.txt as 3600 s (of 6)
Log = Callable[[str], None]


class Progress(Protocol):
    """Watches a run: its phases, and speedtest-cli's per-request callback in each direction."""

    def phase(self, name: str) -> None: ...  # "latency", "download" or "upload"

    def request(self, current: int, total: int, start: bool = False, end: bool = False) -> None: ...


class NoProgress:
    def phase(self, name: str) -> None:
        pass

    def request(self, current: int, total: int, start: bool = False, end: bool = False) -> None:
        pass


class SpeedtestFailed(Exception):
    """No measurement could be made; the message says why."""


class PublicUnavailable(SpeedtestFailed):
    """speedtest.net or its servers did not answer (offline, blocked, 403/429)."""


class LocalConfigSpeedtest(speedtest.Speedtest):  # type: ignore[misc]
    """speedtest.Speedtest with its configuration built locally instead of downloaded."""

    def __init__(
        self, plan: Plan | None = None, lat_lon: tuple[float, float] = TOKYO, **kwargs: Any
    ) -> None:
        self._plan = plan or Plan()
        self._lat_lon = lat_lon
        super().__init__(**kwargs)

    def get_config(self) -> dict[str, Any]:
        self.config.update(local_config(self._plan, self._lat_lon))
        self.lat_lon = self._lat_lon
        return self.config  # type: ignore[no-any-return]


@dataclass(frozen=True)
class RunSettings:
    server_url: str | None  # this product's server (base URL); None: public network only
    use_public: bool = False
    public_timeout_s: float = 5.0
    timeout_s: float = 10.0
    plan: Plan = field(default_factory=Plan)
    lat_lon: tuple[float, float] = TOKYO
    progress: Progress = field(default_factory=NoProgress, compare=False, repr=False)


@dataclass(frozen=True)
class SpeedResult:
    measured_at: datetime
    server: str
    download_mbps: float
    upload_mbps: float
    latency_ms: float | None
    jitter_ms: float | None
    download_bytes: int
    upload_bytes: int
    duration_s: float  # the download window plus the upload window
    upload_counted_by: str  # "server" (this product's count) or "client" (the library's)
    method: str = METHOD
    tool_version: str = TOOL_VERSION

    @property
    def bytes_moved(self) -> int:
        return self.download_bytes + self.upload_bytes

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {
            "measured_at": self.measured_at.isoformat(),
            "bytes_moved": self.bytes_moved,
        }


def run_speedtest(settings: RunSettings, log: Log = lambda message: None) -> SpeedResult:
    """The public Ookla network when allowed and answering, else this product's server."""
    if settings.use_public:
        try:
            return measure_public(settings, log)
        except PublicUnavailable as exc:
            if not settings.server_url:
                raise
            log(f"Public speedtest.net network unavailable ({exc}); using {settings.server_url}")
    if not settings.server_url:
        raise SpeedtestFailed("no server to measure against (SPEEDTEST_SERVER_URL)")
    return measure_own_server(settings.server_url, settings, log)


def measure_public(settings: RunSettings, log: Log) -> SpeedResult:
    measured_at = utcnow()
    progress = settings.progress
    try:
        progress.phase("latency")
        st = LocalConfigSpeedtest(
            settings.plan, settings.lat_lon, timeout=settings.public_timeout_s, secure=True
        )
        if not st.get_servers():
            raise PublicUnavailable("no server list from speedtest.net")
        best = st.get_best_server(st.get_closest_servers())
        if best["latency"] >= NO_ANSWER_MS:
            raise PublicUnavailable("no public server answered")
        log(f"Server: {best['sponsor']} ({best['name']}), id {best['id']}")
        progress.phase("download")
        st.download(callback=progress.request)
        progress.phase("upload")
        _size_upload(st, settings.plan)
        st.upload(callback=progress.request, pre_allocate=False)
    except (speedtest.SpeedtestException, OSError, http.client.HTTPException) as exc:
        raise PublicUnavailable(str(exc) or type(exc).__name__) from exc
    results = st.results
    if results.bytes_received <= 0 or results.bytes_sent <= 0:
        raise PublicUnavailable("no bytes moved")
    stats = probe_latency(_directory(best["url"]), settings.public_timeout_s)
    return SpeedResult(
        measured_at=measured_at,
        server=f"Ookla {best['id']} {best['sponsor']} ({best['name']})"[:200],
        download_mbps=bits_per_s_to_mbps(results.download),
        upload_mbps=bits_per_s_to_mbps(results.upload),
        latency_ms=stats.latency_ms if stats else round(results.ping, 2),
        jitter_ms=stats.jitter_ms if stats else None,
        download_bytes=results.bytes_received,
        upload_bytes=results.bytes_sent,
        duration_s=_windows(results.bytes_received, results.download)
        + _windows(results.bytes_sent, results.upload),
        upload_counted_by="client",
    )


def measure_own_server(base_url: str, settings: RunSettings, log: Log) -> SpeedResult:
    """speedtest-cli against this product's /speedtest/ endpoints; upload by the server's count."""
    base = base_url.rstrip("/")
    measured_at = utcnow()
    token = new_run_token()
    progress = settings.progress
    try:
        progress.phase("latency")
        st = LocalConfigSpeedtest(settings.plan, settings.lat_lon, timeout=settings.timeout_s)
        servers = st.set_mini_server(base + "/")  # the library adds /speedtest/ itself
        servers[0]["url"] += f"?run={token}"  # every upload of this run names it
        best = st.get_best_server(servers)
        if best["latency"] >= NO_ANSWER_MS:
            raise SpeedtestFailed(f"{base}/speedtest/latency.txt did not answer (down? limited?)")
        log(f"Server: {base}")
        progress.phase("download")
        st.download(callback=progress.request)
        progress.phase("upload")
        _size_upload(st, settings.plan)
        st.upload(callback=progress.request, pre_allocate=False)
        received = fetch_run_total(_directory(best["url"]), token, settings.timeout_s)
    except (speedtest.SpeedtestException, OSError, http.client.HTTPException) as exc:
        raise SpeedtestFailed(f"{base}: {exc or type(exc).__name__}") from exc
    results = st.results
    up_window = window_seconds(results.bytes_sent, results.upload)
    if results.bytes_received <= 0 or up_window is None or received <= 0:
        raise SpeedtestFailed(f"{base}: no bytes moved (rate limited or unreachable?)")
    stats = probe_latency(_directory(best["url"]), settings.timeout_s)
    return SpeedResult(
        measured_at=measured_at,
        server=base[:200],
        download_mbps=bits_per_s_to_mbps(results.download),
        upload_mbps=bytes_to_mbps(received, up_window),
        latency_ms=stats.latency_ms if stats else round(results.ping, 2),
        jitter_ms=stats.jitter_ms if stats else None,
        download_bytes=results.bytes_received,
        upload_bytes=received,
        duration_s=round(_windows(results.bytes_received, results.download) + up_window, 3),
        upload_counted_by="server",
    )


def _size_upload(st: LocalConfigSpeedtest, plan: Plan) -> None:
    """Enough upload data for the whole window at the speed the download just measured (the
    library reads these settings when `upload()` starts; `pre_allocate=False` makes each
    request's data as it starts, so memory stays at the threads' requests, not the total)."""
    rounds = upload_rounds(st.results.download, plan)
    st.config["counts"]["upload"] = rounds
    st.config["upload_max"] = rounds * len(plan.upload_sizes)


def new_run_token() -> str:
    return secrets.token_urlsafe(24)


def fetch_run_total(directory: str, token: str, timeout_s: float) -> int:
    """The bytes the server has received for this run so far (`size=<n>`)."""
    url = f"{directory}/upload.php?run={token}&x={time.time_ns()}"
    if not url.startswith(("http://", "https://")):
        raise SpeedtestFailed(f"not an http(s) URL: {url}")
    request = urllib.request.Request(url, headers={"Cache-Control": "no-cache"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
        text = response.read(64).decode("ascii", "replace")
    match = re.fullmatch(r"size=(\d+)", text.strip())
    if match is None:
        raise SpeedtestFailed(f"unexpected reply from upload.php: {text[:40]!r}")
    return int(match.group(1))


def probe_latency(
    directory: str, timeout_s: float, count: int = LATENCY_SAMPLES
) -> LatencyStats | None:
    """`count` round trips to latency.txt, each on a connection opened before the clock starts."""
    parts = urlsplit(f"{directory}/latency.txt")
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    samples: list[float] = []
    for i in range(count):
        connection = kind(parts.netloc, timeout=timeout_s)
        try:
            connection.connect()
            started = time.perf_counter()
            connection.request("GET", f"{parts.path}?x={time.time_ns()}.{i}", headers=_HEADERS)
            response = connection.getresponse()
            body = response.read(9)
            elapsed = time.perf_counter() - started
            if response.status == 200 and body == b"test=test":
                samples.append(elapsed)
        except (OSError, http.client.HTTPException):
            continue
        finally:
            connection.close()
    return latency_stats(samples) if samples else None


_HEADERS = {"User-Agent": speedtest.build_user_agent(), "Cache-Control": "no-cache"}


def _directory(server_url: str) -> str:
    """The folder of a server's upload URL, as the library derives it (query dropped)."""
    return os.path.dirname(server_url.split("?", 1)[0])


def _windows(n_bytes: int, bits_per_s: float) -> float:
    return window_seconds(n_bytes, bits_per_s) or 0.0
