"""Bytes received per speed test run, kept where the rate limiter keeps its counters.

A runner names its run with a token (`?run=<token>` on every upload); the upload endpoints
add what they read to that run's total as it arrives, and `GET upload.php?run=<token>` reads
the total. The storage is a `limits` storage (memory:// in one process, redis:// shared by
several workers: the same choice as RATELIMIT_STORAGE_URI, which it defaults to).
"""

from __future__ import annotations

import logging
import re

from limits.storage import Storage, storage_from_string

RUN_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
RUN_TTL_S = 600  # a run's total is kept this long after its first byte
log = logging.getLogger(__name__)


def is_run_token(value: str) -> bool:
    return RUN_TOKEN.fullmatch(value) is not None


class RunCounter:
    def __init__(self, storage: Storage, ttl_s: int = RUN_TTL_S) -> None:
        self.storage = storage
        self.ttl_s = ttl_s

    @classmethod
    def from_uri(cls, uri: str) -> RunCounter:
        storage = storage_from_string(uri)
        if not isinstance(storage, Storage):
            raise ValueError(f"{uri}: not a synchronous storage")
        return cls(storage)

    def add(self, token: str, n_bytes: int) -> None:
        try:
            self.storage.incr(self._key(token), self.ttl_s, amount=n_bytes)
        except Exception:  # a storage outage must not fail the upload itself
            log.warning("speed test run counter unavailable", exc_info=True)

    def get(self, token: str) -> int:
        return int(self.storage.get(self._key(token)) or 0)

    @staticmethod
    def _key(token: str) -> str:
        return f"speedtest-run/{token}"
