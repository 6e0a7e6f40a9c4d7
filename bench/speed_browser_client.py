"""One browser speed test in headless Chromium: the app's static/js/speedtest.js, same origin.

    speed_browser_client.py --url http://ADDR:PORT/offline [--seconds 10] [--streams 6]

Opens a public page of the app (so the module is imported from the page's own origin, under
the app's CSP), imports /static/js/speedtest.js, awaits runSpeedTest({...}) and prints its
result as one JSON object (plus "progress_events", "wall_s"). Uses the system Chromium
(/usr/bin/chromium); never downloads a browser. Every wait is bounded.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from chromium_flags import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import sync_playwright

SCRIPT = """
async ([module, options, limitMs]) => {
  const m = await import(module);
  let events = 0;
  const run = m.runSpeedTest({...options, onProgress: () => { events += 1; }});
  const timer = new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`no result after ${limitMs} ms`)), limitMs));
  const result = await Promise.race([run, timer]);
  return {...result, progress_events: events};
}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="a public page of the app")
    parser.add_argument("--module", default="/static/js/speedtest.js")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--streams", type=int, default=6)
    parser.add_argument("--limit", type=float, default=90.0, help="seconds before giving up")
    args = parser.parse_args()
    options = {"seconds": args.seconds, "streams": args.streams}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000)
        try:
            page = browser.new_page()
            page.set_default_timeout(30_000)
            console: list[str] = []
            page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"[:300]))
            page.goto(args.url, wait_until="load")
            started = time.monotonic()
            result = page.evaluate(SCRIPT, [args.module, options, int(args.limit * 1000)])
            result["wall_s"] = round(time.monotonic() - started, 2)
            result["browser_version"] = browser.version
            errors = [line for line in console if line.startswith("error")]
            if errors:
                result["console_errors"] = errors[:5]
        finally:
            browser.close()
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
