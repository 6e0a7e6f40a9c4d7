"""Geodesic distances and a coarse "is this in Japan" bounding-box check."""

from geopy.distance import geodesic  # type: ignore[import-untyped, unused-ignore]

LAT_MIN, LAT_MAX = 20.0, 46.0
LON_MIN, LON_MAX = 122.0, 154.0


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the WGS-84 geodesic distance in metres between two (lat, lon) points."""
    return float(geodesic(a, b).meters)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the WGS-84 geodesic distance in kilometres between two (lat, lon) points."""
    return distance_m(a, b) / 1000.0


def in_japan(lat: float, lon: float) -> bool:
    """Return True if (lat, lon) is in Japan's box (lat 20–46, lon 122–154, inclusive)."""
    return LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX
