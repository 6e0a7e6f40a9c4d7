"""Tests for app.geo.geocoding against a real local fake Nominatim server."""

import socket

import pytest

from app.geo.geocoding import (
    MISS,
    Geocoder,
    GeocodeResult,
    GeocoderSettings,
    MemoryGeocodeCache,
    normalize_address,
)

from .fake_nominatim import FakeNominatim

SHIRAHAMA = "和歌山県西牟婁郡白浜町"
SHIRAHAMA_LATLON = (33.6781, 135.3481)


def make_geocoder(
    fake: FakeNominatim, *, timeout_s: float = 2.0, cache: MemoryGeocodeCache | None = None
) -> Geocoder:
    settings = GeocoderSettings(domain=fake.domain, scheme=fake.scheme, timeout_s=timeout_s)
    return Geocoder(settings, cache=cache)


def test_success_returns_coordinates_via_geopy(fake_nominatim: FakeNominatim) -> None:
    fake_nominatim.places[SHIRAHAMA] = SHIRAHAMA_LATLON
    outcome = make_geocoder(fake_nominatim).geocode(SHIRAHAMA)
    assert outcome.status == "ok" and outcome.ok
    assert outcome.result is not None
    assert (outcome.result.latitude, outcome.result.longitude) == SHIRAHAMA_LATLON
    assert outcome.result.display_name == f"{SHIRAHAMA}, 日本"
    assert outcome.result.provider == "nominatim"
    [req] = fake_nominatim.search_requests
    assert req.params["q"] == SHIRAHAMA
    assert req.params["format"] == "json"
    assert req.params["limit"] == "1"
    assert req.params["countrycodes"] == "jp"
    assert req.params["accept-language"] == "ja"
    assert req.headers["User-Agent"] == "workation-site-survey"


def test_unknown_address_is_not_found(fake_nominatim: FakeNominatim) -> None:
    outcome = make_geocoder(fake_nominatim).geocode("存在しない住所 1-2-3")
    assert outcome.status == "not_found"
    assert outcome.result is None
    assert len(fake_nominatim.search_requests) == 1


def test_result_outside_japan_is_not_found(fake_nominatim: FakeNominatim) -> None:
    fake_nominatim.places["Paris"] = (48.8566, 2.3522)
    outcome = make_geocoder(fake_nominatim).geocode("Paris")
    assert outcome.status == "not_found"
    assert outcome.result is None


def test_cache_hit_makes_no_second_request(fake_nominatim: FakeNominatim) -> None:
    fake_nominatim.places[SHIRAHAMA] = SHIRAHAMA_LATLON
    cache = MemoryGeocodeCache()
    geocoder = make_geocoder(fake_nominatim, cache=cache)
    first = geocoder.geocode(SHIRAHAMA)
    second = geocoder.geocode(f"  {SHIRAHAMA} ")  # same key after normalisation
    assert first.result == second.result and second.status == "ok"
    assert len(fake_nominatim.search_requests) == 1


def test_not_found_is_cached(fake_nominatim: FakeNominatim) -> None:
    geocoder = make_geocoder(fake_nominatim, cache=MemoryGeocodeCache())
    assert geocoder.geocode("どこにもない").status == "not_found"
    assert geocoder.geocode("どこにもない").status == "not_found"
    assert len(fake_nominatim.search_requests) == 1


def test_unavailable_is_not_cached(fake_nominatim: FakeNominatim) -> None:
    fake_nominatim.places[SHIRAHAMA] = SHIRAHAMA_LATLON
    geocoder = make_geocoder(fake_nominatim, cache=MemoryGeocodeCache())
    fake_nominatim.mode = "error500"
    assert geocoder.geocode(SHIRAHAMA).status == "unavailable"
    fake_nominatim.mode = "ok"
    assert geocoder.geocode(SHIRAHAMA).status == "ok"
    assert len(fake_nominatim.search_requests) == 2


@pytest.mark.parametrize("mode", ["error500", "badjson"])
def test_server_failure_is_unavailable(fake_nominatim: FakeNominatim, mode: str) -> None:
    fake_nominatim.places[SHIRAHAMA] = SHIRAHAMA_LATLON
    fake_nominatim.mode = mode  # type: ignore[assignment]
    outcome = make_geocoder(fake_nominatim).geocode(SHIRAHAMA)
    assert outcome.status == "unavailable"
    assert outcome.result is None and outcome.message
    assert fake_nominatim.search_requests


def test_timeout_is_unavailable_and_bounded(fake_nominatim: FakeNominatim) -> None:
    """The server would answer (found!) only after 30 s; a working timeout says unavailable."""
    fake_nominatim.places[SHIRAHAMA] = SHIRAHAMA_LATLON
    fake_nominatim.mode = "slow"
    fake_nominatim.slow_s = 30.0  # teardown releases the sleeping handler at once
    outcome = make_geocoder(fake_nominatim, timeout_s=0.5).geocode(SHIRAHAMA)
    assert outcome.status == "unavailable" and outcome.result is None
    # geopy says "timed out" through urllib and "unavailable" through requests' adapter
    assert outcome.message


def test_connection_refused_is_unavailable() -> None:
    with socket.socket() as s:  # find a port, then close it so nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = GeocoderSettings(domain=f"127.0.0.1:{port}", scheme="http", timeout_s=0.5)
    outcome = Geocoder(settings).geocode(SHIRAHAMA)
    assert outcome.status == "unavailable"


@pytest.mark.parametrize("address", ["", "   ", "\u3000\t\n"])
def test_empty_address_is_invalid(fake_nominatim: FakeNominatim, address: str) -> None:
    outcome = make_geocoder(fake_nominatim).geocode(address)
    assert outcome.status == "invalid"
    assert fake_nominatim.requests == []


def test_unknown_provider_raises_value_error() -> None:
    with pytest.raises(ValueError, match="Unknown geocoding provider"):
        Geocoder(GeocoderSettings(provider="no-such-provider"))


def test_other_provider_gets_no_nominatim_kwargs() -> None:
    geocoder = Geocoder(GeocoderSettings(provider="photon", domain="ignored.example"))
    client = geocoder._client()
    assert type(client).__name__ == "Photon"
    assert client.domain != "ignored.example"


def test_normalize_address() -> None:
    assert normalize_address("  和歌山県　 白浜町\t１２３ ") == "和歌山県 白浜町 123"


def test_memory_cache_distinguishes_miss_from_cached_none_and_is_lru() -> None:
    cache = MemoryGeocodeCache(max_size=2)
    hit = GeocodeResult(33.6, 135.3, "白浜町", "nominatim")
    assert cache.get("a") is MISS
    cache.put("a", None)
    cache.put("b", hit)
    assert cache.get("a") is None  # touch "a" so "b" is least recently used
    cache.put("c", hit)
    assert cache.get("b") is MISS
    assert cache.get("a") is None and cache.get("c") == hit
    assert len(cache) == 2
