"""Five sites for the dashboard tests: four in 和歌山県 (30), one in 長野県 (20).

| key | municipality | coordinates | surveyed | status | speed runs (download/upload/latency) |
|---|---|---|---|---|---|
| a | 304018 白浜町 | yes | 2026-10-01 | draft | 100/20/10, 50/10/30, 10/30/20 -> 50/20/20 |
| b | 304018 白浜町 | yes | 2026-11-15 | submitted | 120.5/45.2/18 |
| c | 304212 那智勝浦町 | yes | 2026-11-20 | draft, open Wi-Fi (needs investment) | 120.5/45.2/18 |
| d | 202011 長野市 | yes | 2026-11-21 | draft | none |
| e | 304018 白浜町 | none | 2026-11-22 | draft | 30/5/40, 40/7/60 -> 35/6/50 |
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import scored_survey_post


def _runs(*runs: tuple[float, float, float]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for i in range(3):
        for name in ("method", "download_mbps", "upload_mbps", "latency_ms", "jitter_ms"):
            fields[f"measurements-{i}-{name}"] = None
        fields[f"measurements-{i}-where_on_site"] = None
    for i, (down, up, latency) in enumerate(runs):
        fields |= {
            f"measurements-{i}-method": "manual",
            f"measurements-{i}-download_mbps": str(down),
            f"measurements-{i}-upload_mbps": str(up),
            f"measurements-{i}-latency_ms": str(latency),
            f"measurements-{i}-jitter_ms": "3",
        }
    return fields


SITES: dict[str, dict[str, Any]] = {
    "a": {
        "municipality_code": "304018",
        "surveyed_on": "2026-10-01",
        **_runs((100, 20, 10), (50, 10, 30), (10, 30, 20)),
    },
    "b": {
        "municipality_code": "304018",
        "surveyed_on": "2026-11-15",
        "intent": "submit",
        **_runs((120.5, 45.2, 18)),
    },
    "c": {
        "municipality_code": "304212",
        "surveyed_on": "2026-11-20",
        "wifi_security": "open",
        "latitude": "33.64",
        "longitude": "135.93",
        **_runs((120.5, 45.2, 18)),
    },
    "d": {
        "municipality_code": "202011",
        "surveyed_on": "2026-11-21",
        "latitude": "36.65",
        "longitude": "138.18",
        "station_latitude": None,
        "station_longitude": None,
        **_runs(),
    },
    "e": {
        "municipality_code": "304018",
        "surveyed_on": "2026-11-22",
        "latitude": None,
        "longitude": None,
        "location_source": None,
        "location_accuracy_m": None,
        "location_fix_count": None,
        **_runs((30, 5, 40), (40, 7, 60)),
    },
}


@pytest.fixture
def sites(client: Any, make_user: Any, login: Any) -> dict[str, str]:
    """key -> uuid of the five sites above (created by an admin, then signed out)."""
    login(make_user("admin", None, None))
    made = {}
    for key, fields in SITES.items():
        post = scored_survey_post(name=f"拠点{key}", **fields)
        response = client.post("/surveys/new", data=post)
        assert response.status_code == 302, response.text[:2000]
        made[key] = post["uuid"]
    client.post("/logout")
    return made
