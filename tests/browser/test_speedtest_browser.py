"""The browser speed test on the survey form, in real headless Chromium against the real app:
a run fills the next "Run N" row (method browser, the tool's hidden fields), survives a reload
through the local draft, and is stored with the survey; the upload figure is the server's
received-byte count; with no connection it says so and records nothing."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect
from sqlalchemy import select

from app.extensions import db
from app.speedtest.units import latency_stats
from app.surveys.models import Site, SpeedMeasurement
from tests.browser.conftest import Problems

SITE_NAME = "速度計測テスト 白浜サテライトオフィス"
DETAIL_URL = re.compile(r"/surveys/[0-9a-f-]{36}$")
RUN_TIMEOUT = 40_000  # a short run is ~5 s; a busy machine (PostgreSQL, parallel tests) needs more
SHORT = {"seconds": "2", "grace": "0.5", "streams": "4"}
HIDDEN = ("uuid", "measured_at", "tool_version", "bytes_moved", "duration_s")


def _shorten(page: Page) -> None:
    """A 2-second run per direction instead of 10 (the panel's data attributes)."""
    page.evaluate(
        """(values) => {
            const panel = document.getElementById("browser-speedtest");
            for (const [k, v] of Object.entries(values)) panel.dataset[k] = v;
        }""",
        SHORT,
    )


def _run(page: Page, row: int) -> dict[str, str]:
    """Start a run, see its live progress, wait for it to land in row `row`; the row's values."""
    page.click("#browser-speedtest-start")
    # live progress: the bar moves and the running Mbps shows, during download or upload
    page.wait_for_function(
        """() => {
            const p = document.getElementById("browser-speedtest");
            const bar = document.getElementById("browser-speedtest-progress");
            const mbps = Number(document.getElementById("browser-speedtest-mbps").textContent);
            return p.dataset.state === "running"
                && ["download", "upload"].includes(p.dataset.phase) && bar.value > 0 && mbps > 0;
        }""",
        timeout=RUN_TIMEOUT,
    )
    expect(page.locator("#browser-speedtest-live")).to_be_visible()
    expect(page.locator("#browser-speedtest-progress")).to_have_attribute(
        "aria-valuetext", re.compile(r"Mbps")
    )
    expect(page.locator("#browser-speedtest-start")).to_be_disabled()
    expect(page.locator("#browser-speedtest")).to_have_attribute(
        "data-state", "done", timeout=RUN_TIMEOUT
    )
    expect(page.locator("#browser-speedtest-status .status-note.is-ok")).to_be_visible()
    return _row(page, row)


def _row(page: Page, row: int) -> dict[str, str]:
    names = (
        "method",
        "download_mbps",
        "upload_mbps",
        "latency_ms",
        "jitter_ms",
        "server",
        "where_on_site",
        *HIDDEN,
    )
    return {n: page.locator(f"[name='measurements-{row}-{n}']").input_value() for n in names}


def _check_row(values: dict[str, str], base_url: str, where: str) -> None:
    assert values["method"] == "browser"
    assert float(values["download_mbps"]) > 0
    assert float(values["upload_mbps"]) > 0
    assert float(values["latency_ms"]) >= 0
    assert float(values["jitter_ms"]) >= 0
    assert values["server"] == f"{base_url}/speedtest/"
    assert values["where_on_site"] == where
    assert values["tool_version"].startswith("browser ")
    assert int(values["bytes_moved"]) > 0
    assert float(values["duration_s"]) > 0
    assert re.fullmatch(r"[0-9a-f-]{36}", values["uuid"])
    # the tablet's own time with its offset (the context is in Asia/Tokyo)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00", values["measured_at"])


@pytest.mark.browser
def test_browser_speed_test_fills_runs_survives_reload_and_is_stored(
    page: Page,
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
    live_server: str,
) -> None:
    user = make_user()
    sign_in(page, user)
    page.goto("/surveys/new")
    page.fill("#name", SITE_NAME)
    expect(page.locator("fieldset.run")).to_have_count(1)  # the one spare row of a new survey
    expect(page.locator("#browser-speedtest .hint")).to_contain_text("13:00")  # three runs
    expect(page.locator("#browser-speedtest")).to_have_attribute("data-runs", "0")
    _shorten(page)

    page.fill("#browser-speedtest-where", "2F ブース")
    run1 = _run(page, 0)
    _check_row(run1, live_server, "2F ブース")
    expect(page.locator("#browser-speedtest-result")).to_be_visible()

    # no empty row is left: the second run gets a new "Run 2" row
    page.fill("#browser-speedtest-where", "1F ラウンジ")
    run2 = _run(page, 1)
    _check_row(run2, live_server, "1F ラウンジ")
    expect(page.locator("fieldset.run")).to_have_count(2)
    expect(page.locator("fieldset.run legend").nth(1)).to_contain_text("2")
    assert run1["uuid"] != run2["uuid"]
    # the median of the form's runs is shown live
    median_down = (float(run1["download_mbps"]) + float(run2["download_mbps"])) / 2
    expect(page.locator("#browser-speedtest-runs")).to_contain_text("Mbps")
    shown = re.findall(
        r"(\d+(?:\.\d+)?) Mbps", page.locator("#browser-speedtest-runs").inner_text()
    )
    assert float(shown[0]) == pytest.approx(median_down, abs=0.051)
    expect(page.locator("#browser-speedtest")).to_have_attribute("data-runs", "2")

    # the autosave has both runs, hidden tool fields included: in the local draft ...
    site_uuid = page.locator("input[name=uuid]").input_value()
    page.wait_for_function(
        """(key) => {
            const d = JSON.parse(localStorage.getItem(key) || "null");
            const v = d && d.values;
            return v && v["measurements-1-tool_version"] && v["measurements-1-bytes_moved"];
        }""",
        arg=f"survey-draft:{site_uuid}",
        timeout=5_000,
    )
    # ... and in the IndexedDB outbox
    outbox_runs = page.evaluate(
        """async (uuid) => {
            const outbox = await import("/static/js/outbox.js");
            for (let i = 0; i < 50; i++) {
                const r = await outbox.getRecord(uuid);
                const runs = r && r.draft && r.draft.measurements;
                if (runs && runs.length === 2 && runs.every((m) => m.tool_version)) return runs;
                await new Promise((ok) => setTimeout(ok, 100));
            }
            return null;
        }""",
        site_uuid,
    )
    assert outbox_runs is not None, "the outbox never got both runs"
    assert [m["method"] for m in outbox_runs] == ["browser", "browser"]
    assert outbox_runs[1]["bytes_moved"] == run2["bytes_moved"]

    # a reload restores the draft: the cloned Run 2 row and every hidden field come back
    page.reload()
    expect(page.locator("#autosave-note")).to_be_visible()
    expect(page.locator("fieldset.run")).to_have_count(2)
    assert _row(page, 0) == run1
    assert _row(page, 1) == run2

    page.locator("button[name=intent][value=draft]").click()
    expect(page).to_have_url(DETAIL_URL)

    db.session.rollback()  # see what the server thread committed
    site = db.session.scalar(select(Site).where(Site.uuid == site_uuid))
    assert site is not None and site.name == SITE_NAME
    runs = sorted(site.measurements, key=lambda m: m.where_on_site or "")
    assert len(runs) == 2
    by_uuid = {m.uuid: m for m in runs}
    for values in (run1, run2):
        stored: SpeedMeasurement = by_uuid[values["uuid"]]
        assert stored.method == "browser"
        assert stored.download_mbps == pytest.approx(float(values["download_mbps"]))
        assert stored.upload_mbps == pytest.approx(float(values["upload_mbps"]))
        assert stored.upload_mbps is not None and stored.upload_mbps > 0
        assert stored.bytes_moved == int(values["bytes_moved"]) > 0
        assert stored.duration_s is not None and stored.duration_s > 0
        assert stored.tool_version == values["tool_version"]
        assert stored.server == f"{live_server}/speedtest/"
        assert stored.where_on_site == values["where_on_site"]
        assert stored.measured_at is not None


@pytest.mark.browser
def test_the_upload_figure_is_the_servers_count(page: Page, live_server: str) -> None:
    """The counter reads are answered with half of what the server really received: the
    module's upload bytes and rate must follow them (its own "bytes sent" would be twice that)."""
    reads: list[tuple[float, int]] = []

    def halve(route: Route) -> None:
        response = route.fetch()
        real = int(re.fullmatch(r"size=(\d+)", response.text()).group(1))  # type: ignore[union-attr]
        reads.append((time.monotonic(), real))
        route.fulfill(response=response, body=f"size={real // 2}")

    page.goto("/offline")  # any same-origin page can run the module
    page.route(re.compile(r"/speedtest/upload\.php\?"), halve)
    result = page.evaluate(
        """async () => {
            const { runSpeedTest } = await import("/static/js/speedtest.js");
            const phases = new Set();
            const run = await runSpeedTest({
                seconds: 2, graceSeconds: 0.5, streams: 3,
                onProgress: ({ phase }) => phases.add(phase),
            });
            return { ...run, phases: [...phases] };
        }"""
    )
    page.unroute(re.compile(r"/speedtest/upload\.php\?"))
    assert result["phases"] == ["latency", "download", "upload"]
    assert result["server"] == f"{live_server}/speedtest/"
    assert result["tool_version"].startswith("browser ") and len(result["tool_version"]) <= 40
    assert result["download_mbps"] > 0 and result["download_bytes"] > 0
    assert result["bytes_moved"] == result["download_bytes"] + result["upload_bytes"]
    assert result["duration_s"] > 0

    # the server's own count for the run, read without the halving
    time.sleep(0.5)  # the aborted uploads' last bytes
    received = int(
        page.request.get(f"/speedtest/upload.php?run={result['upload_run']}")
        .text()
        .removeprefix("size=")
    )
    assert received > 0
    assert len(reads) >= 3  # the grace point, the end, and what the run left on the server
    assert 0 < result["upload_bytes"] <= received // 2 + 1
    assert result["upload_bytes"] == max(real for _, real in reads) // 2
    # the rate comes from the (halved) counts between the grace point and the end: it can't
    # exceed the halved total over the measured window
    window = result["samples"]["upload_s"]
    assert window > 0
    assert 0 < result["upload_mbps"] <= (received // 2) * 8 / window / 1e6 * 1.01


@pytest.mark.browser
def test_latency_and_jitter_follow_the_servers_rule(page: Page) -> None:
    samples_s = [0.0123, 0.0101, 0.0150, 0.0099, 0.0200]
    page.goto("/offline")
    got = page.evaluate(
        """async (ms) => (await import("/static/js/speedtest.js")).latencyStats(ms)""",
        [s * 1000 for s in samples_s],
    )
    want = latency_stats(samples_s)
    assert got["latency_ms"] == pytest.approx(want.latency_ms)
    assert got["jitter_ms"] == pytest.approx(want.jitter_ms)
    token = page.evaluate("""async () => (await import("/static/js/speedtest.js")).runToken()""")
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)


@pytest.mark.browser
def test_offline_says_so_and_records_nothing(
    page: Page, make_user: Callable[..., Any], sign_in: Callable[[Page, Any], None]
) -> None:
    user = make_user()
    sign_in(page, user)
    page.goto("/surveys/new")
    page.fill("#name", SITE_NAME)
    _shorten(page)
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if "/speedtest/" in r.url else None)

    page.context.set_offline(True)
    page.click("#browser-speedtest-start")
    expect(page.locator("#browser-speedtest")).to_have_attribute("data-state", "failed")
    status = page.locator("#browser-speedtest-status .status-note.is-error")
    expect(status).to_be_visible()
    expect(status).to_contain_text("接続")  # ja: no connection
    expect(page.locator("#browser-speedtest-live")).to_be_hidden()
    expect(page.locator("#browser-speedtest-start")).to_be_enabled()
    assert seen == []
    for name in ("download_mbps", "upload_mbps", *HIDDEN):
        assert page.locator(f"[name='measurements-0-{name}']").input_value() == "", name
    assert page.locator("[name='measurements-0-method']").input_value() == "manual"

    page.context.set_offline(False)
    page.locator("button[name=intent][value=draft]").click()
    expect(page).to_have_url(DETAIL_URL)
    db.session.rollback()
    assert db.session.scalars(select(SpeedMeasurement)).all() == []


@pytest.mark.browser
def test_a_refused_run_says_why_and_records_nothing(
    page: Page,
    make_user: Callable[..., Any],
    sign_in: Callable[[Page, Any], None],
    console_problems: Problems,
) -> None:
    """The server's rate limit (429) is named as such."""
    user = make_user()
    sign_in(page, user)
    page.goto("/surveys/new")
    _shorten(page)
    body = json.dumps({"error": "rate_limited", "message": "Too many requests"})
    page.route(
        re.compile(r"/speedtest/"),
        lambda route: route.fulfill(status=429, body=body, content_type="application/json"),
    )
    page.click("#browser-speedtest-start")
    expect(page.locator("#browser-speedtest")).to_have_attribute("data-state", "failed")
    expect(page.locator("#browser-speedtest-status .status-note.is-error")).to_contain_text(
        re.compile(r"\S")
    )
    text = page.locator("#browser-speedtest-status").inner_text()
    offline_text = page.locator("#browser-speedtest").get_attribute("data-msg-offline")
    assert text == page.locator("#browser-speedtest").get_attribute("data-msg-rate-limited")
    assert text != offline_text
    assert page.locator("[name='measurements-0-download_mbps']").input_value() == ""
    # Chromium logs the refused request itself; that one line is what this test asked for
    console_problems.messages[:] = [
        m for m in console_problems.messages if "status of 429" not in m or "/speedtest/" not in m
    ]
