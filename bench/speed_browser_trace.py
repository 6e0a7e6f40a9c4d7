"""Diagnostic: when the browser test's download bytes are counted vs when they arrived.

    ip netns exec CLI_NS speed_browser_trace.py --url http://ADDR:PORT/offline

Runs static/js/speedtest.js like speed_browser_client.py, and also records
(a) every chunk the page's stream readers hand to JavaScript (Date.now(), bytes) and the time
    of each fetch of /speedtest/download;
(b) every 50 ms, the kernel's in-order payload count (tcpi_bytes_received, from `ss -tin`) of
    every TCP connection from this namespace to the server, summed per connection (this
    process runs in the client namespace): the bytes that really arrived, whenever JavaScript
    got to read them. (The veth's rx_bytes are no use here: a GSO/GRO packet crossing the
    veth counts its headers once.)
Prints JSON with the module's result, the JS-counted and the kernel-counted bytes over the
module's own rate window (reconstructed: first download fetch + the first 200 ms sample at or
after graceSeconds, for the reported number of seconds), and a 100 ms timeline
[s, JS bytes, kernel bytes].
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

from chromium_flags import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import sync_playwright

INIT = """
(() => {
  window.__trace = { reads: [], fetches: [] };
  const read = ReadableStreamDefaultReader.prototype.read;
  ReadableStreamDefaultReader.prototype.read = function (...args) {
    return read.apply(this, args).then((r) => {
      if (r && !r.done && r.value) window.__trace.reads.push([Date.now(), r.value.byteLength]);
      return r;
    });
  };
  const fetch0 = window.fetch;
  window.fetch = function (url, ...rest) {
    window.__trace.fetches.push([Date.now(), String(url).slice(0, 120)]);
    return fetch0.call(this, url, ...rest);
  };
})();
"""

SCRIPT = """
async ([module, options]) => {
  const m = await import(module);
  const started = Date.now();
  const result = await m.runSpeedTest(options);
  return { result, started, trace: window.__trace };
}
"""


SOCKET = re.compile(r"^\S+\s+\d+\s+\d+\s+(\S+)\s+(\S+)")
RECEIVED = re.compile(r"bytes_received:(\d+)")


def sample_kernel(server: str, stop: threading.Event, out: list[tuple[float, int]]) -> None:
    """Sum over connections to `server` (host:port) of tcpi_bytes_received, every 50 ms."""
    seen: dict[str, int] = {}
    while not stop.is_set():
        t = time.time() * 1000
        done = subprocess.run(
            ["ss", "-tinH", "dst", server.split(":")[0]],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        local = None
        for line in done.stdout.splitlines():
            match = SOCKET.match(line)
            if match:
                local = match.group(1) if match.group(2) == server else None
                continue
            got = RECEIVED.search(line)
            if local and got:
                seen[local] = max(seen.get(local, 0), int(got.group(1)))
        out.append((t, sum(seen.values())))
        time.sleep(0.05)


def at(series: list[tuple[float, int]], t: float) -> float:
    """Linear interpolation of a cumulative (time, value) series at t."""
    for (t0, v0), (t1, v1) in itertools.pairwise(series):
        if t0 <= t <= t1:
            return v0 + (v1 - v0) * ((t - t0) / (t1 - t0) if t1 > t0 else 0)
    return series[-1][1] if t > series[-1][0] else series[0][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--module", default="/static/js/speedtest.js")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--grace", type=float, default=1.5)
    args = parser.parse_args()
    kernel: list[tuple[float, int]] = []
    stop = threading.Event()
    server = urlsplit(args.url).netloc
    sampler = threading.Thread(target=sample_kernel, args=(server, stop, kernel), daemon=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000)
        try:
            page = browser.new_page()
            page.add_init_script(INIT)
            page.goto(args.url, wait_until="load", timeout=30_000)
            sampler.start()
            got = page.evaluate(
                SCRIPT, [args.module, {"seconds": args.seconds, "graceSeconds": args.grace}]
            )
        finally:
            stop.set()
            browser.close()
    result, trace = got["result"], got["trace"]
    downloads = [t for t, url in trace["fetches"] if "/download?" in url]
    t0 = downloads[0]
    # The module samples every 200 ms; its grace point is the first sample at or after grace.
    grace_t = t0 + (int(args.grace / 0.2 + 0.999) * 200) + 5
    end_t = grace_t + result["samples"]["download_s"] * 1000
    js = []
    total = 0
    for t, n in trace["reads"]:
        total += n
        js.append((t, total))
    js_bytes = at(js, end_t) - at(js, grace_t)
    kernel_bytes = at(kernel, end_t) - at(kernel, grace_t)
    seconds = (end_t - grace_t) / 1000
    timeline = []
    for k in range(int((end_t - t0) / 100) + 5):
        t = t0 + k * 100
        timeline.append([k / 10, round(at(js, t)), round(at(kernel, t) - at(kernel, t0))])
    out = {
        "result": result,
        "window_s": round(seconds, 3),
        "js_bytes": round(js_bytes),
        "kernel_bytes": round(kernel_bytes),
        "js_mbps": js_bytes * 8 / seconds / 1e6,
        "kernel_mbps": kernel_bytes * 8 / seconds / 1e6,
        "js_over_kernel": js_bytes / kernel_bytes if kernel_bytes else None,
        "timeline_t_js_wire": timeline,
    }
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
