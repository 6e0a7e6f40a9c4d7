"""Tests for app.geo.distance."""

import pytest

from app.geo.distance import distance_km, distance_m, in_japan

TOKYO_STATION = (35.681236, 139.767125)
SHIN_OSAKA = (34.733, 135.500)


def test_tokyo_to_shin_osaka_is_about_403_km() -> None:
    assert distance_km(TOKYO_STATION, SHIN_OSAKA) == pytest.approx(403, abs=1)
    assert distance_m(TOKYO_STATION, SHIN_OSAKA) == pytest.approx(403_000, abs=1_000)


def test_distance_is_symmetric() -> None:
    assert distance_m(TOKYO_STATION, SHIN_OSAKA) == pytest.approx(
        distance_m(SHIN_OSAKA, TOKYO_STATION)
    )


def test_zero_distance() -> None:
    assert distance_m(TOKYO_STATION, TOKYO_STATION) == 0.0
    assert distance_km(SHIN_OSAKA, SHIN_OSAKA) == 0.0


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (35.68, 139.77, True),
        (20.0, 122.0, True),
        (46.0, 154.0, True),
        (20.0, 154.0, True),
        (19.999, 139.0, False),
        (46.001, 139.0, False),
        (35.0, 121.999, False),
        (35.0, 154.001, False),
        (48.8566, 2.3522, False),
    ],
)
def test_in_japan_boundaries(lat: float, lon: float, expected: bool) -> None:
    assert in_japan(lat, lon) is expected
