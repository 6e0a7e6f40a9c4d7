"""Bearer-token helpers for the API tests."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest

from app.accounts.models import ApiToken
from app.extensions import db

DOCUMENT: dict[str, Any] = {
    "name": "API テスト拠点",
    "municipality_code": "304018",
    "latitude": 33.678,
    "longitude": 135.348,
    "location_source": "gps",
    "location_accuracy_m": 6,
    "surveyed_on": "2026-11-20",
    "wifi_security": "wpa3",
    "wifi_client_isolation": True,
    "seats": 20,
    "seats_with_outlet": 20,
    "amenities": ["wifi", "aed"],
    "measurements": [
        {
            "uuid": "5b1f3c52-8a3e-4a53-9d2f-3f1c0a0e9a01",
            "measured_at": "2026-11-20T10:00:00+09:00",
            "method": "browser",
            "download_mbps": 120.5,
            "upload_mbps": 40.1,
            "latency_ms": 18,
            "jitter_ms": 3,
        }
    ],
    "coverage": [{"carrier": "docomo", "technology": "5g", "rsrp_dbm": -85}],
}


def document(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(DOCUMENT) | {"uuid": str(uuid.uuid4())}
    doc["measurements"][0]["uuid"] = str(uuid.uuid4())  # client-made, one per run
    doc.update(changes)
    return doc


@pytest.fixture
def bearer(make_user):
    """bearer(role, municipality, prefecture) -> headers with a fresh token for a new user."""

    def issue(role: str = "surveyor", municipality: str | None = "304018", prefecture=None):
        user = make_user(role, municipality, prefecture)
        row, plain = ApiToken.issue(user, "tablet")
        db.session.add(row)
        db.session.commit()
        return {"Authorization": f"Bearer {plain}"}

    return issue
