"""Pure geocoding (address to coordinates) and distance helpers, free of Flask and the database."""

from app.geo.distance import distance_km, distance_m, in_japan
from app.geo.geocoding import (
    MISS,
    GeocodeCache,
    GeocodeOutcome,
    Geocoder,
    GeocodeResult,
    GeocoderSettings,
    GeocodeStatus,
    MemoryGeocodeCache,
    normalize_address,
)

__all__ = [
    "MISS",
    "GeocodeCache",
    "GeocodeOutcome",
    "GeocodeResult",
    "GeocodeStatus",
    "Geocoder",
    "GeocoderSettings",
    "MemoryGeocodeCache",
    "distance_km",
    "distance_m",
    "in_japan",
    "normalize_address",
]
