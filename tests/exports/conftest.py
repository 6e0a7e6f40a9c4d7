"""Sites for the export tests: the dashboard's five (four in 和歌山県, one in 長野県) and a sixth
in 和歌山県 whose name starts like a formula and holds characters Shift_JIS lacks.

| key | municipality | status | notes |
|---|---|---|---|
| a | 304018 白浜町 | draft | 3 runs, surveyed 2026-10-01 |
| b | 304018 白浜町 | submitted | surveyed 2026-11-15 |
| c | 304212 那智勝浦町 | draft | open Wi-Fi → 要整備 |
| d | 202011 長野市 | draft | other prefecture |
| e | 304018 白浜町 | draft | no coordinates |
| x | 304018 白浜町 | draft | name "=1+2 𠮷田ワークスペース〜"; no 3+ nights answer (G4) |
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.dashboard.conftest import SITES
from tests.factories import scored_survey_post

INJECTION_NAME = "=1+2 𠮷田ワークスペース〜"


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"EXPORT_QUEUE": "inline"}


@pytest.fixture
def sites(client: Any, make_user: Any, login: Any) -> dict[str, str]:
    """key -> uuid of the six sites (created by an admin, then signed out)."""
    login(make_user("admin", None, None))
    made = {}
    extra = {
        "x": {
            "municipality_code": "304018",
            "surveyed_on": "2026-11-23",
            "lodging_accepts_3_nights": "",
        }
    }
    for key, fields in (SITES | extra).items():
        name = INJECTION_NAME if key == "x" else f"拠点{key}"
        post = scored_survey_post(name=name, **fields)
        response = client.post("/surveys/new", data=post)
        assert response.status_code == 302, response.text[:2000]
        made[key] = post["uuid"]
    client.post("/logout")
    return made
