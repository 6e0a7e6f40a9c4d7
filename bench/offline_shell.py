"""The offline tablet app's benchmarks (issue #4): first-load transfer of the app shell,
Lighthouse's performance score on the survey page with mobile emulation, and the time to open
the survey page offline.

Usage: .venv/bin/python bench/offline_shell.py [--offline-runs 5] [--lighthouse-runs 3]
Starts the app under gunicorn (2 workers) on 127.0.0.1 with a temporary instance (SQLite) and
a surveyor, then drives Debian's Chromium (/usr/bin/chromium; never a downloaded browser):

1. Transfer: a fresh context (no HTTP cache, no service worker) with a signed-in session
   cookie loads /surveys/new. Every response from the app's origin is counted (map tiles, on
   another origin, are not), by body size: plain (uncompressed), served (as gunicorn sends it
   to Chromium: the app compresses its static files, /sw.js and the manifest with
   Flask-Compress, never its pages) and compressed (served, or gzip -6 of a text body the app
   leaves uncompressed, i.e. the pages, as the TLS proxy's gzip sends them; images as they
   are). Bodies are fetched again with the same cookie and Accept-Encoding (Playwright gives
   none for some of the worker's requests; a page differs only in its tokens). The page's own
   load is "first load"; the service worker's install (the shell, revalidated: a file the page
   has just loaded comes back as a 304 without a body, and the pages) is counted separately,
   and both together are "first load incl. precache". Header bytes are reported apart.
2. Lighthouse (node_modules/.bin/lighthouse, an npm devDependency; CHROME_PATH=/usr/bin/chromium)
   on /surveys/new with its default mobile emulation and simulated throttling, the session
   cookie sent with --extra-headers; performance category only; the median run by score.
3. Offline open: after the first visit (worker ready, page cached), offline, a new tab opens
   /surveys/new until the form is visible; wall time and the Navigation Timing API's
   DOMContentLoaded/load; median of --offline-runs.

Prints the figures with the machine and date, and writes them to /tmp/offline_bench.txt.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Response, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chromium_flags import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.extensions import db  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
# An iPad Air in portrait, as in the browser tests.
CONTEXT = {
    "locale": "ja-JP",
    "timezone_id": "Asia/Tokyo",
    "viewport": {"width": 820, "height": 1180},
    "has_touch": True,
}
EMAIL, PASSWORD = "bench-surveyor@example.jp", "bench-pass-2026"
SURVEY = "/surveys/new"
GOAL_KB, GOAL_SCORE = 150, 0.95
ACCEPT_ENCODING = "gzip, deflate, br, zstd"  # what Chromium sends
TEXT_TYPES = ("text/", "javascript", "json", "svg", "manifest", "xml")
OUT = Path("/tmp/offline_bench.txt")
WORKER_READY = """async () => {
  if (!navigator.serviceWorker.controller) return false;
  for (const name of await caches.keys()) {
    if (name.startsWith("wss-pages-") && (await (await caches.open(name)).match("/surveys/new")))
      return true;
  }
  return false;
}"""
NAVIGATION = """() => {
  const n = performance.getEntriesByType("navigation")[0];
  return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd};
}"""


@dataclass
class Fetched:
    url: str
    kind: str  # content type, short
    plain: int  # body bytes uncompressed
    served: int  # body bytes as the server sends them to Chromium
    compressed: int  # as served, or gzip -6 of a text body the server left uncompressed
    encoding: str


@dataclass
class Transfer:
    page: list[Fetched] = field(default_factory=list)
    precache: list[Fetched] = field(default_factory=list)
    tiles: int = 0
    from_worker: int = 0  # page requests answered from the worker's cache (no transfer)
    headers: int = 0  # response header bytes, all responses


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int) -> None:
    for _ in range(400):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("gunicorn did not start")


def _prepare(folder: Path) -> dict[str, Any]:
    """A migrated SQLite database in `folder` with one surveyor; the app's config."""
    config = {
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "INSTANCE_PATH": str(folder),
        "SECRET_KEY": "bench",
        "RATELIMIT_ENABLED": False,
    }
    app = create_app(config)
    with app.app_context():
        app.test_cli_runner().invoke(args=["init-db"], catch_exceptions=False)
        user = User(
            email=EMAIL,
            role="surveyor",
            municipality_code="304018",
            prefecture_code="30",
            password_hash="-",
        )
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    return config


def _start(config: dict[str, Any], port: int, access_log: str | None) -> subprocess.Popen[bytes]:
    # gunicorn calls the factory with this literal mapping: the instance stays in the temp folder
    target = f"app:create_app({config!r})"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "WSS_ENV")}
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            *(["--access-logfile", access_log] if access_log else []),
            target,
        ],
        cwd=ROOT,
        env=env,
    )


def _sign_in(browser: Browser, base: str) -> list[Any]:
    """The cookies of a signed-in surveyor (from its own context, discarded afterwards)."""
    context = browser.new_context(base_url=base, **CONTEXT)
    page = context.new_page()
    page.goto("/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.locator("form:has(#password) button[type=submit]").click()
    page.wait_for_url("**/surveys*")
    cookies = context.cookies()
    context.close()
    return cookies


def _get(port: int, path: str, cookie: str, accept_encoding: str) -> tuple[int, str, str, bytes]:
    """One GET without following redirects: status, content type, encoding, raw body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Cookie": cookie, "Accept-Encoding": accept_encoding}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        kind = (response.getheader("Content-Type") or "?").split(";")[0].strip()
        return response.status, kind, response.getheader("Content-Encoding") or "", response.read()
    finally:
        conn.close()


def _size(port: int, path: str, cookie: str) -> Fetched:
    """A response's sizes, fetched again the way Chromium fetched it and uncompressed.

    Playwright gives no body for some of the worker's requests, so every recorded URL is
    fetched again here with the same cookie; a page differs only in its tokens.
    """
    _, kind, _, plain = _get(port, path, cookie, "identity")
    _, _, encoding, served = _get(port, path, cookie, ACCEPT_ENCODING)
    if encoding and encoding != "identity":
        compressed = len(served)
    elif plain and any(t in kind for t in TEXT_TYPES):
        compressed = len(gzip.compress(plain, compresslevel=6))
    else:
        compressed = len(served)
    return Fetched(path, kind, len(plain), len(served), compressed, encoding)


def measure_transfer(
    browser: Browser, base: str, cookies: list[Any]
) -> tuple[Transfer, BrowserContext]:
    """Load the survey page on a fresh context; wait until the worker has precached the shell."""
    context = browser.new_context(base_url=base, **CONTEXT)
    context.add_cookies(cookies)
    transfer = Transfer()
    seen: list[tuple[str, bool, int, int]] = []  # path, by the worker, body and header bytes
    recording = True

    def record(response: Response) -> None:
        if not recording:
            return
        if not response.url.startswith(base):
            transfer.tiles += 1  # map tiles and anything else off the app's origin
        elif response.from_service_worker:
            transfer.from_worker += 1
        else:
            by_worker = response.request.service_worker is not None
            try:
                sizes = response.request.sizes()
                wire = (sizes["responseBodySize"], sizes["responseHeadersSize"])
            except Exception:  # no sizes for this one: measured again below
                wire = (-1, 0)
            seen.append((response.url[len(base) :], by_worker, *wire))

    context.on("response", record)
    page = context.new_page()
    page.goto(SURVEY, wait_until="load")
    page.locator("#survey-form").wait_for(state="visible")
    for _ in range(240):
        if page.evaluate(WORKER_READY):
            break
        page.wait_for_timeout(250)
    else:
        raise RuntimeError("the service worker never became ready")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)  # the install's last responses
    recording = False
    port = int(base.rsplit(":", 1)[1])
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
    loaded: set[str] = set()
    for path, by_worker, body, headers in seen:
        transfer.headers += headers
        if by_worker and body == 0 and path in loaded:
            # the install revalidated what the page had just loaded: a 304, no body
            size = Fetched(path, "304", 0, 0, 0, "")
        else:
            size = _size(port, path, cookie)
        loaded.add(path)
        (transfer.precache if by_worker else transfer.page).append(size)
    return transfer, context


def measure_offline(context: BrowserContext, runs: int) -> list[dict[str, float]]:
    """Open the survey page in a new tab with no signal, `runs` times."""
    context.set_offline(True)
    timings = []
    for _ in range(runs):
        page = context.new_page()
        start = time.perf_counter()
        response = page.goto(SURVEY, wait_until="commit")
        page.locator("#survey-form").wait_for(state="visible")
        visible = (time.perf_counter() - start) * 1000
        page.wait_for_load_state("load")
        assert response is not None and response.from_service_worker, "not from the worker"
        timings.append({"visible": visible, **page.evaluate(NAVIGATION)})
        page.close()
    context.set_offline(False)
    return timings


def run_lighthouse(base: str, cookies: list[Any], runs: int, folder: Path) -> list[dict[str, Any]]:
    session = next(c["value"] for c in cookies if c["name"] == "session")
    results = []
    for i in range(runs):
        out = folder / f"lighthouse-{i}.json"
        command = [
            str(LIGHTHOUSE),
            f"{base}{SURVEY}",
            "--only-categories=performance",
            "--output=json",
            f"--output-path={out}",
            "--quiet",
            f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
            "--extra-headers",
            json.dumps({"Cookie": f"session={session}"}),
        ]
        env = os.environ | {"CHROME_PATH": CHROMIUM}
        for attempt in range(3):  # Lighthouse now and then fails to trace (NO_NAVSTART)
            done = subprocess.run(command, env=env, timeout=300, cwd=folder)
            if done.returncode == 0:
                break
            print(f"lighthouse run {i + 1} failed (attempt {attempt + 1}); trying again")
        else:
            raise RuntimeError("lighthouse failed three times")
        report = json.loads(out.read_text())
        audits = report["audits"]
        final = report.get("finalDisplayedUrl") or report.get("finalUrl", "")
        results.append(
            {
                "score": report["categories"]["performance"]["score"],
                "final_url": final,
                "fcp": audits["first-contentful-paint"]["numericValue"],
                "lcp": audits["largest-contentful-paint"]["numericValue"],
                "tbt": audits["total-blocking-time"]["numericValue"],
                "cls": audits["cumulative-layout-shift"]["numericValue"],
                "si": audits["speed-index"]["numericValue"],
                "tti": audits.get("interactive", {}).get("numericValue"),
                "blocking": [
                    (item["url"].replace(base, ""), round(item.get("wastedMs", 0)))
                    for item in audits.get("render-blocking-resources", {})
                    .get("details", {})
                    .get("items", [])
                ],
                "version": report.get("lighthouseVersion"),
            }
        )
    return results


def _kb(n: float) -> str:
    return f"{n / 1024:,.1f} KB"


def _machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout
    return (
        f"{platform.node()} · {cpu} · {os.cpu_count()} CPUs · Python {platform.python_version()}"
        f" · {chromium.strip()}"
    )


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def report(
    transfer: Transfer, lighthouse: list[dict[str, Any]], offline: list[dict[str, float]], load: str
) -> str:
    lines = [
        f"Offline tablet app benchmarks (bench/offline_shell.py), "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"machine: {_machine()}",
        f"load average at start / end: {load} / {_load()}",
        "server: gunicorn, 2 sync workers, SQLite, 127.0.0.1 (no proxy)",
        "",
    ]

    def total(items: list[Fetched], what: str) -> str:
        return _kb(sum(getattr(f, what) for f in items))

    both = transfer.page + transfer.precache
    page_compressed = sum(f.compressed for f in transfer.page)
    encodings = sorted({f.encoding for f in both if f.encoding})
    lines += [
        f"1. Transfer of {SURVEY}, fresh context, signed in; map tiles excluded "
        f"({transfer.tiles} off-origin responses); response bodies (headers not counted)",
        f"   plain = uncompressed; served = as gunicorn sends it to Chromium (Content-Encoding "
        f"seen: {', '.join(encodings) or 'none'});",
        "   compressed = served, with gzip -6 of the text bodies the app leaves uncompressed "
        "(the pages: the TLS proxy's gzip, on for text/html by default in nginx)",
    ]
    for label, items in (
        ("first load", transfer.page),
        ("worker precache (install)", transfer.precache),
        ("first load incl. precache", both),
    ):
        lines.append(
            f"   {label + ':':<27}{len(items):3d} responses, plain {total(items, 'plain'):>9}, "
            f"served {total(items, 'served'):>9}, compressed {total(items, 'compressed'):>9}"
        )
    lines.append(
        f"   goal: first load compressed <= {GOAL_KB} KB: "
        f"{'met' if page_compressed <= GOAL_KB * 1024 else 'MISSED'}"
    )
    if transfer.from_worker:
        lines.append(
            f"   (+ {transfer.from_worker} page requests answered from the worker's cache)"
        )
    revalidated = sum(f.kind == "304" for f in both)
    lines.append(
        f"   ({revalidated} of the install's requests revalidated what the page had loaded: 304, "
        f"no body; response headers, not in the figures: {_kb(transfer.headers)} in all)"
    )
    for label, items in (("first load", transfer.page), ("precache", transfer.precache)):
        lines.append(f"   biggest in the {label} (plain / served / compressed):")
        for f in sorted(items, key=lambda f: -f.compressed)[:8]:
            lines.append(
                f"     {f.url:<36} {_kb(f.plain):>9} {_kb(f.served):>9} {_kb(f.compressed):>9}"
                f"  {f.kind} {f.encoding}"
            )

    lines.append("")
    if lighthouse:
        runs = sorted(lighthouse, key=lambda r: r["score"])
        mid = runs[len(runs) // 2]
        lines += [
            f"2. Lighthouse {mid['version']} on {SURVEY}, mobile emulation (default: Moto G "
            f"Power, simulated slow 4G, 4x CPU slowdown), performance only; "
            f"{len(runs)} runs, median by score",
            f"   scores: {[r['score'] for r in lighthouse]}  -> {mid['score']:.2f} "
            f"(goal >= {GOAL_SCORE}: {'met' if mid['score'] >= GOAL_SCORE else 'MISSED'})",
            f"   final URL: {mid['final_url']}",
            f"   FCP {mid['fcp']:.0f} ms · LCP {mid['lcp']:.0f} ms · TBT {mid['tbt']:.0f} ms · "
            f"CLS {mid['cls']:.3f} · Speed Index {mid['si']:.0f} ms"
            + (f" · TTI {mid['tti']:.0f} ms" if mid["tti"] else ""),
            f"   render-blocking (ms wasted): {mid['blocking'] or 'none'}",
        ]
    else:
        lines.append("2. Lighthouse: skipped")
    lines.append("")
    if offline:
        visible = statistics.median(t["visible"] for t in offline)
        dcl = statistics.median(t["dcl"] for t in offline)
        load_end = statistics.median(t["load"] for t in offline)
        lines += [
            f"3. Opening {SURVEY} offline in a new tab after the first visit, served by the "
            f"worker; median of {len(offline)}",
            f"   form visible {visible:.0f} ms (wall, from page.goto) · DOMContentLoaded "
            f"{dcl:.0f} ms · load {load_end:.0f} ms (Navigation Timing)",
            f"   runs (visible ms): {[round(t['visible']) for t in offline]}",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offline-runs", type=int, default=5)
    parser.add_argument("--lighthouse-runs", type=int, default=3)
    parser.add_argument("--access-log", help="gunicorn's access log to this file")
    args = parser.parse_args()
    load = _load()
    folder = Path(tempfile.mkdtemp(prefix="wss-bench-shell-"))
    config = _prepare(folder)
    port = _port()
    base = f"http://127.0.0.1:{port}"
    server = _start(config, port, args.access_log)
    try:
        _wait(port)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            cookies = _sign_in(browser, base)
            transfer, context = measure_transfer(browser, base, cookies)
            offline = measure_offline(context, args.offline_runs)
            context.close()
            browser.close()
        lighthouse = (
            run_lighthouse(base, cookies, args.lighthouse_runs, folder)
            if args.lighthouse_runs
            else []
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = report(transfer, lighthouse, offline, load)
    print(text)
    OUT.write_text(text + "\n")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
