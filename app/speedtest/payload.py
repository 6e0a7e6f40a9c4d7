"""What the speed test endpoints send and how they count what they receive (no Flask here)."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from functools import cache
from typing import IO

# The sizes speedtest.net serves for random{N}x{N}.jpg; speedtest-cli fetches each one
# `counts.download` times (4 by default: 409,373,932 bytes in all).
MINI_SIZES: dict[int, int] = {
    350: 245_388,
    500: 505_544,
    750: 1_118_012,
    1000: 1_986_284,
    1500: 4_468_241,
    2000: 7_907_740,
    2500: 12_407_926,
    3000: 17_816_816,
    3500: 24_262_167,
    4000: 31_625_365,
}
POOL_BYTES = 4 * 1024 * 1024  # random bytes made once per process; every payload is cut from it
SEND_CHUNK = 64 * 1024
RECEIVE_CHUNK = 16 * 1024  # small, so the count follows the arrival of bytes on slow links
REPORT_EVERY_S = 0.05


class TooSlow(Exception):
    """A body that took longer than the allowed time; what arrived so far was counted."""


@cache
def random_pool() -> bytes:
    return os.urandom(POOL_BYTES)


def random_chunks(
    total: int,
    *,
    chunk_size: int = SEND_CHUNK,
    max_seconds: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
) -> Iterator[bytes]:
    """`total` incompressible bytes as chunks cut from the pool at random offsets.

    Memory stays at one chunk whatever `total` is. Deflate (32 KiB window) cannot shorten it;
    a chunk is never a repeat of the chunk before it. With `max_seconds` the stream ends early
    (a client too slow to read it in time gets a short body instead of holding a worker).
    """
    pool = memoryview(random_pool())
    pick = rng or random.Random()  # noqa: S311 (offsets, not secrets)
    deadline = None if max_seconds is None else clock() + max_seconds
    left = total
    while left > 0:
        if deadline is not None and clock() > deadline:
            return
        size = min(chunk_size, left)
        start = pick.randrange(0, len(pool) - size + 1)
        yield bytes(pool[start : start + size])
        left -= size


def drain(
    stream: IO[bytes],
    *,
    max_seconds: float,
    report: Callable[[int], None] | None = None,
    chunk_size: int = RECEIVE_CHUNK,
    report_every_s: float = REPORT_EVERY_S,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Read `stream` to its end, keeping nothing; return the byte count.

    `report(n)` is called with the bytes read since the last call, at most every
    `report_every_s` and once more at the end, also when reading fails (a client that went
    away, a body over the limit), so a running total elsewhere matches what arrived.
    Raises TooSlow after `max_seconds`.
    """
    total = pending = 0
    started = last_report = clock()
    try:
        while True:
            chunk = stream.read(chunk_size)
            if not chunk:
                return total
            total += len(chunk)
            pending += len(chunk)
            now = clock()
            if report is not None and now - last_report >= report_every_s:
                report(pending)
                pending, last_report = 0, now
            if now - started > max_seconds:
                raise TooSlow(total)
    finally:
        if report is not None and pending:
            report(pending)
