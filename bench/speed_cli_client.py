"""One speedtest-cli run against the product's server, as `flask speedtest --server` makes it.

    speed_cli_client.py --server http://ADDR:PORT [--seconds 10]

Calls app.speedtest.runner.measure_own_server (what the CLI calls) with the CLI's settings,
and also keeps the library's own figures: its download, and its upload as it counts it (bytes
handed to sockets / its window), which the runner replaces with the server's count. A second
read of the server's run total one second later shows the bytes still in flight when the
library's upload window closed. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.speedtest import runner
from app.speedtest.plan import Plan
from app.speedtest.units import window_seconds

instances: list[runner.LocalConfigSpeedtest] = []
tokens: list[str] = []


class KeptSpeedtest(runner.LocalConfigSpeedtest):
    """The runner's class, remembered so the library's own results can be read afterwards."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        instances.append(self)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server", required=True)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--upload-max", type=int, help="Plan.upload_max (default: the Plan's)")
    parser.add_argument("--download-per-size", type=int, help="Plan.download_per_size")
    args = parser.parse_args()

    runner.LocalConfigSpeedtest = KeptSpeedtest  # type: ignore[misc]
    new_token = runner.new_run_token
    runner.new_run_token = lambda: tokens.append(new_token()) or tokens[-1]  # type: ignore[func-returns-value]

    plan = Plan(seconds=args.seconds)
    if args.upload_max:
        plan = replace(plan, upload_max=args.upload_max)
    if args.download_per_size:
        plan = replace(plan, download_per_size=args.download_per_size)
    settings = runner.RunSettings(server_url=args.server, timeout_s=args.timeout, plan=plan)
    started = time.monotonic()
    result = runner.measure_own_server(args.server, settings, log=lambda m: None)
    elapsed = time.monotonic() - started
    results = instances[-1].results
    time.sleep(1.0)
    directory = f"{args.server.rstrip('/')}/speedtest"
    later = runner.fetch_run_total(directory, tokens[-1], args.timeout)
    up_window = window_seconds(results.bytes_sent, results.upload) or 0.0
    down_window = window_seconds(results.bytes_received, results.download) or 0.0
    out = result.as_dict() | {
        "library_download_mbps": results.download / 1e6,
        "library_upload_mbps": results.upload / 1e6,
        "library_bytes_sent": results.bytes_sent,
        "library_bytes_received": results.bytes_received,
        "download_window_s": round(down_window, 3),
        "upload_window_s": round(up_window, 3),
        "server_bytes_1s_later": later,
        "server_upload_mbps_1s_later": later * 8 / up_window / 1e6 if up_window else None,
        "wall_s": round(elapsed, 2),
        "plan": asdict(plan),
    }
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
