"""One line on the machine a benchmark ran on: CPU model, cores, and a pure-Python reference.

The benches run on whatever VM the session gets; the same code measured 4x apart on two days.
The reference (best of three timings of a fixed pure-Python loop) lets figures from different
days be compared: divide by it, or at least read it next to them.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def python_reference() -> float:
    """Seconds for 5 million additions in a Python loop (best of three)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(5_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return best


def describe() -> str:
    return (
        f"{datetime.now(UTC):%Y-%m-%d}, {cpu_model()}, {os.cpu_count()} cores,"
        f" python {sys.version.split()[0]}, CPU reference {python_reference():.2f} s"
        " (5M-addition loop; lower is faster)"
    )


if __name__ == "__main__":
    print(describe())
