"""speedtest-cli's configuration, built locally instead of fetched from speedtest.net (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from app.speedtest.payload import MINI_SIZES

# Where distances to public servers are measured from when the site's position is unknown.
TOKYO = (35.6812, 139.7671)


@dataclass(frozen=True)
class Plan:
    """The values speedtest.net's configuration normally supplies (its usual ones by default)."""

    seconds: float = 10.0  # per direction (`testlength`)
    download_sizes: tuple[int, ...] = tuple(MINI_SIZES)
    download_per_size: int = 8  # `threadsperurl` is 4: 409 MB, under 7 s at 500 Mbit/s
    download_threads: int = 8  # `threadcount` x 2
    upload_sizes: tuple[int, ...] = (524_288, 1_048_576, 7_340_032)  # `ratio` 5
    upload_max: int = 50  # `maxchunkcount`
    upload_threads: int = 2  # the library raises it to 8 once download passed 100 kbit/s


UPLOAD_HEADROOM = 1.5  # upload data for 1.5 times the window at the measured download rate
MAX_UPLOAD_ROUNDS = 120  # about 1.07 GB with the usual sizes


def upload_rounds(download_bits_per_s: float, plan: Plan) -> int:
    """How many rounds of the upload sizes keep the link busy for the whole upload window.

    The library sends a fixed amount (`counts.upload` rounds) and stops at the time limit or
    when it runs out: the usual 151 MB last 2.5 s at 500 Mbit/s, where a short stall then costs
    a lot. Sized from the download just measured; never fewer than the plan's own rounds."""
    per_round = sum(plan.upload_sizes)
    wanted = math.ceil(
        max(download_bits_per_s, 0.0) / 8 * plan.seconds * UPLOAD_HEADROOM / per_round
    )
    return max(_plan_rounds(plan), min(wanted, MAX_UPLOAD_ROUNDS))


def _plan_rounds(plan: Plan) -> int:
    return math.ceil(plan.upload_max / len(plan.upload_sizes))


def local_config(plan: Plan, lat_lon: tuple[float, float] = TOKYO) -> dict[str, Any]:
    """The same structure `speedtest.Speedtest.get_config()` makes from speedtest-config.php."""
    upload_count = _plan_rounds(plan)
    return {
        "client": {
            "ip": "",
            "lat": str(lat_lon[0]),
            "lon": str(lat_lon[1]),
            "isp": "",
            "isprating": "",
            "rating": "",
            "ispdlavg": "",
            "ispulavg": "",
            "loggedin": "",
            "country": "JP",
        },
        "ignore_servers": [],
        "sizes": {"upload": list(plan.upload_sizes), "download": list(plan.download_sizes)},
        "counts": {"upload": upload_count, "download": plan.download_per_size},
        "threads": {"upload": plan.upload_threads, "download": plan.download_threads},
        "length": {"upload": plan.seconds, "download": plan.seconds},
        "upload_max": upload_count * len(plan.upload_sizes),
    }
