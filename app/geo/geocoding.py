"""Address → coordinates through geopy, with a configurable provider, a cache and no raising."""

from __future__ import annotations

import enum
import inspect
import logging
import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol

from geopy import exc as geopy_exc  # type: ignore[import-untyped, unused-ignore]
from geopy.geocoders import get_geocoder_for_service  # type: ignore[import-untyped, unused-ignore]

from app.geo.distance import in_japan

log = logging.getLogger(__name__)

GeocodeStatus = Literal["ok", "not_found", "unavailable", "invalid"]


class _Miss(enum.Enum):
    """Sentinel type for "this key is not in the cache"."""

    MISS = "MISS"


MISS: Final = _Miss.MISS


@dataclass(frozen=True)
class GeocoderSettings:
    """Which geocoding provider to use and how to reach it."""

    provider: str = "nominatim"
    domain: str = "nominatim.openstreetmap.org"
    scheme: str = "https"
    user_agent: str = "workation-site-survey"
    timeout_s: float = 5.0
    country_codes: str = "jp"
    api_key: str | None = None


@dataclass(frozen=True)
class GeocodeResult:
    """One geocoded place."""

    latitude: float
    longitude: float
    display_name: str
    provider: str


@dataclass(frozen=True)
class GeocodeOutcome:
    """What a geocode attempt produced; `result` is set only when status is "ok"."""

    result: GeocodeResult | None
    status: GeocodeStatus
    message: str

    @property
    def ok(self) -> bool:
        """Return True if a result was found."""
        return self.status == "ok"


class GeocodeCache(Protocol):
    """Cache of geocode answers; `None` is a cached "no result", `MISS` means not cached."""

    def get(self, key: str) -> GeocodeResult | Literal[_Miss.MISS] | None:
        """Return the cached answer for `key`, or `MISS`."""
        ...

    def put(self, key: str, result: GeocodeResult | None) -> None:
        """Store an answer (`None` = known not found)."""
        ...


class MemoryGeocodeCache:
    """Thread-safe, size-bounded, in-process LRU cache."""

    def __init__(self, max_size: int = 1024) -> None:
        """Create an empty cache holding at most `max_size` keys."""
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self.max_size = max_size
        self._data: OrderedDict[str, GeocodeResult | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> GeocodeResult | Literal[_Miss.MISS] | None:
        """Return the cached answer for `key`, or `MISS`."""
        with self._lock:
            if key not in self._data:
                return MISS
            self._data.move_to_end(key)
            return self._data[key]

    def put(self, key: str, result: GeocodeResult | None) -> None:
        """Store an answer, evicting the least recently used key when full."""
        with self._lock:
            self._data[key] = result
            self._data.move_to_end(key)
            while len(self._data) > self.max_size:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        """Return the number of cached keys."""
        return len(self._data)


_WS = re.compile(r"\s+")


def normalize_address(address: str) -> str:
    """Return `address` NFKC-normalised, stripped, with whitespace runs collapsed to one space."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", address)).strip()


def _accepts(func: Any, name: str) -> bool:
    """Return True if callable `func` takes a keyword argument called `name`."""
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


class Geocoder:
    """Geocode addresses in Japan; never raises from `geocode`."""

    def __init__(self, settings: GeocoderSettings, cache: GeocodeCache | None = None) -> None:
        """Resolve the geopy provider class; raise ValueError if the provider name is unknown."""
        self.settings = settings
        self.cache = cache
        self._is_nominatim = settings.provider.lower() == "nominatim"
        try:
            self._cls = get_geocoder_for_service(settings.provider)
        except geopy_exc.GeocoderNotFound as e:
            raise ValueError(f"Unknown geocoding provider: {settings.provider!r}") from e
        self._backend: Any = None
        self._lock = threading.Lock()

    def _client(self) -> Any:
        """Build the geopy geocoder on first use (construction may need network-free config)."""
        with self._lock:
            if self._backend is None:
                s = self.settings
                candidates: dict[str, Any] = {
                    "user_agent": s.user_agent,
                    "timeout": s.timeout_s,
                    "scheme": s.scheme,
                    "api_key": s.api_key,
                }
                kwargs = {
                    k: v for k, v in candidates.items() if v is not None and _accepts(self._cls, k)
                }
                if self._is_nominatim:
                    kwargs["domain"] = s.domain
                self._backend = self._cls(**kwargs)
            return self._backend

    def cache_key(self, address: str) -> str:
        """Return the cache key for `address` (provider-qualified, normalised)."""
        return f"{self.settings.provider.lower()}:{normalize_address(address)}"

    def _query(self, address: str) -> GeocodeResult | None:
        """Ask the provider; may raise anything geopy or the network raises."""
        client = self._client()
        kwargs: dict[str, Any] = {"exactly_one": True}
        if _accepts(client.geocode, "language"):
            kwargs["language"] = "ja"
        if self._is_nominatim and self.settings.country_codes:
            kwargs["country_codes"] = self.settings.country_codes
        location = client.geocode(address, **kwargs)
        if isinstance(location, list):
            location = location[0] if location else None
        if location is None:
            return None
        lat, lon = float(location.latitude), float(location.longitude)
        if not in_japan(lat, lon):
            return None
        return GeocodeResult(lat, lon, str(location.address or ""), self.settings.provider)

    def geocode(self, address: str) -> GeocodeOutcome:
        """Return the coordinates of `address`, or a not_found / unavailable / invalid outcome."""
        query = normalize_address(address) if isinstance(address, str) else ""
        if not query:
            return GeocodeOutcome(None, "invalid", "Address is empty.")
        key = self.cache_key(query)
        cached = self.cache.get(key) if self.cache is not None else MISS
        if cached is not MISS:
            return self._outcome(cached, cached=True)
        try:
            result = self._query(query)
        except geopy_exc.GeocoderTimedOut:
            return GeocodeOutcome(None, "unavailable", "Geocoding service timed out.")
        except geopy_exc.GeocoderRateLimited:
            return GeocodeOutcome(None, "unavailable", "Geocoding service rate limit reached.")
        except Exception as e:  # any failure must not block saving a survey
            log.warning("geocoding %r failed: %s: %s", query, type(e).__name__, e)
            return GeocodeOutcome(None, "unavailable", "Geocoding service is unavailable.")
        if self.cache is not None:
            self.cache.put(key, result)
        return self._outcome(result, cached=False)

    @staticmethod
    def _outcome(result: GeocodeResult | None, *, cached: bool) -> GeocodeOutcome:
        """Wrap a provider answer (or a cached one) in an outcome."""
        suffix = " (cached)" if cached else ""
        if result is None:
            return GeocodeOutcome(None, "not_found", f"No location in Japan found.{suffix}")
        return GeocodeOutcome(result, "ok", f"Location found.{suffix}")
