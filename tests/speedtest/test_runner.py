"""The real speedtest library, through LocalConfigSpeedtest, against the app on 127.0.0.1."""

from __future__ import annotations

import math
from typing import Any

import pytest
import speedtest

from app.speedtest import runner
from app.speedtest.runner import (
    LocalConfigSpeedtest,
    RunSettings,
    SpeedtestFailed,
    fetch_run_total,
    probe_latency,
    run_speedtest,
)
from tests.speedtest.conftest import TEST_PLAN


def test_the_unmodified_library_works_with_the_mini_server_protocol(live_server: str) -> None:
    st = LocalConfigSpeedtest(TEST_PLAN, timeout=10)
    servers = st.set_mini_server(f"{live_server}/")
    assert servers[0]["url"] == f"{live_server}/speedtest/upload.php"
    best = st.get_best_server(servers)
    assert 0 < best["latency"] < 1000
    download = st.download()
    upload = st.upload()
    assert download > 0 and upload > 0
    assert st.results.bytes_received > 0 and st.results.bytes_sent > 0


def test_a_run_gives_plausible_figures_with_upload_from_the_server_count(
    live_server: str, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "runner-test-token-0123456789"
    monkeypatch.setattr(runner, "new_run_token", lambda: token)
    seen: dict[str, int] = {}
    real_fetch = runner.fetch_run_total

    def fetch(directory: str, run: str, timeout_s: float) -> int:
        seen["total"] = real_fetch(directory, run, timeout_s)
        seen["library_sent"] = library["st"].results.bytes_sent
        return seen["total"]

    library: dict[str, Any] = {}
    real_init = LocalConfigSpeedtest.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        library["st"] = self

    monkeypatch.setattr(runner, "fetch_run_total", fetch)
    monkeypatch.setattr(LocalConfigSpeedtest, "__init__", init)

    result = run_speedtest(RunSettings(server_url=live_server, plan=TEST_PLAN))

    for value in (result.download_mbps, result.upload_mbps, result.latency_ms, result.duration_s):
        assert value is not None and math.isfinite(value) and value > 0
    assert 0 < result.latency_ms < 1000
    assert result.jitter_ms is not None and result.jitter_ms >= 0
    assert result.method == "speedtest-cli"
    assert result.tool_version == f"speedtest-cli {speedtest.__version__}"
    assert result.server == live_server
    assert result.upload_counted_by == "server"
    # the upload figure is the server's count over the library's own upload window
    st = library["st"]
    assert result.upload_bytes == seen["total"] > 0
    assert result.upload_bytes <= seen["library_sent"]
    window = st.results.bytes_sent * 8 / st.results.upload
    assert result.upload_mbps == pytest.approx(result.upload_bytes * 8 / window / 1e6, abs=0.01)
    assert result.download_bytes == st.results.bytes_received
    assert result.bytes_moved == result.download_bytes + result.upload_bytes
    counter = app.extensions["speedtest_counter"]
    assert counter.get(token) >= result.upload_bytes


def test_the_public_network_is_tried_only_when_allowed_and_falls_back(
    live_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tried: list[bool] = []
    real = runner.measure_public

    def public(settings: RunSettings, log: Any) -> Any:
        tried.append(True)
        return real(settings, log)  # offline here: every lookup beyond loopback fails

    monkeypatch.setattr(runner, "measure_public", public)
    messages: list[str] = []
    settings = RunSettings(live_server, use_public=False, plan=TEST_PLAN)
    run_speedtest(settings, messages.append)
    assert tried == []
    settings = RunSettings(live_server, use_public=True, public_timeout_s=1, plan=TEST_PLAN)
    result = run_speedtest(settings, messages.append)
    assert tried == [True]
    assert result.server == live_server
    assert any("Public speedtest.net network unavailable" in m for m in messages)


def test_an_unreachable_server_is_a_clear_failure() -> None:
    with pytest.raises(SpeedtestFailed, match=r"127\.0\.0\.1:9"):
        run_speedtest(RunSettings("http://127.0.0.1:9", timeout_s=2, plan=TEST_PLAN))


def test_without_any_server_it_fails() -> None:
    with pytest.raises(SpeedtestFailed):
        run_speedtest(RunSettings(None, plan=TEST_PLAN))


def test_latency_probe_and_run_total(live_server: str) -> None:
    stats = probe_latency(f"{live_server}/speedtest", timeout_s=5, count=5)
    assert stats is not None and stats.samples == 5 and stats.latency_ms > 0
    assert stats.latency_ms <= stats.median_ms
    assert fetch_run_total(f"{live_server}/speedtest", "nobody-ran-this-0000000", 5) == 0
    assert probe_latency("http://127.0.0.1:9/speedtest", timeout_s=1, count=2) is None


def test_refused_uploads_are_a_failure_not_a_zero(live_server: str, app: Any) -> None:
    app.config["SPEEDTEST_MAX_UPLOAD_BYTES"] = 1000  # every upload of the plan gets 413
    with pytest.raises(SpeedtestFailed, match="no bytes moved"):
        run_speedtest(RunSettings(live_server, plan=TEST_PLAN))


class TestRateLimited:
    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {
            "SPEEDTEST_USE_PUBLIC": 0,
            "RATELIMIT_ENABLED": True,
            "SPEEDTEST_RATE_LIMIT": "2/minute",
        }

    def test_a_rate_limited_client_gets_a_clear_failure(self, live_server: str) -> None:
        with pytest.raises(SpeedtestFailed, match="did not answer"):
            run_speedtest(RunSettings(live_server, plan=TEST_PLAN))
