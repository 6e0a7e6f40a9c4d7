"""Dashboard results (the encoded map.json body, the summary) and the survey list's counts,
reused while the sites have not changed.

Why: a prefecture can hold tens of thousands of sites; reading and encoding them takes
hundreds of milliseconds (about 0.4 s for 50,000 markers on PostgreSQL), far more than the
150 ms the map data must answer in under load, while the data rarely changes.
A result is reused only while both hold:

- the data version is the same (`service.data_version()`: three index look-ups that change
  when a site is added, saved or reviewed, so a decision shows on the map at once), and
- it is younger than `max_age` seconds (config `DASHBOARD_CACHE_SECONDS`, default 30; 0
  turns the cache off), which bounds what the version cannot see, such as `flask rescore`.

The key is the compiled SQL of the query with its parameters, so two users whose scope and
filter give the same query share one entry, and no scope can read another's entry. Each
process keeps its own entries (least recently used out first, `max_bytes` in all).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import current_app
from sqlalchemy import Select

T = TypeVar("T")


@dataclass(frozen=True)
class Entry(Generic[T]):
    version: Hashable
    value: T
    size: int
    etag: str  # a hash of the body, for bytes; "" otherwise
    made: float


def statement_key(kind: str, stmt: Select[Any]) -> str:
    compiled = stmt.compile()
    params = sorted((k, repr(v)) for k, v in compiled.params.items())
    return f"{kind}\n{compiled}\n{params}"


class VersionedCache:
    def __init__(self, max_age: float, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_age = max_age
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, Entry[Any]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._building = threading.Lock()

    def get(
        self,
        key: str,
        version: Hashable,
        build: Callable[[], T],
        size: Callable[[Any], int] = len,
    ) -> Entry[T]:
        entry = self._fresh(key, version)
        if entry is not None:
            return entry
        with self._building:  # threads missing together: one builds, the others reuse it
            entry = self._fresh(key, version)
            if entry is not None:
                return entry
            value = build()
            etag = ""
            if isinstance(value, bytes):
                etag = hashlib.blake2b(value, digest_size=16).hexdigest()
            entry = Entry(version, value, size(value), etag, time.monotonic())
            if self.max_age > 0 and entry.size <= self.max_bytes:
                self._store(key, entry)
            return entry

    def _fresh(self, key: str, version: Hashable) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.version != version:
                return None
            if time.monotonic() - entry.made >= self.max_age:
                return None
            self._entries.move_to_end(key)
            return entry

    def _store(self, key: str, entry: Entry[Any]) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= old.size
            self._entries[key] = entry
            self._size += entry.size
            while self._size > self.max_bytes and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self._size -= dropped.size


def dashboard_cache() -> VersionedCache:
    """The application's cache (one per app, so each test app starts empty)."""
    extensions = current_app.extensions
    if "dashboard_cache" not in extensions:
        seconds = float(current_app.config.get("DASHBOARD_CACHE_SECONDS", 30))
        extensions["dashboard_cache"] = VersionedCache(max_age=seconds)
    cache: VersionedCache = extensions["dashboard_cache"]
    return cache
