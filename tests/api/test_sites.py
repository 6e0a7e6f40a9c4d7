"""PUT/GET /api/v1/sites/{uuid}: the contract's statuses, ETags and guarantees."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.surveys.models import Site, SiteRevision, SpeedMeasurement
from tests.api.conftest import document


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_new_site_is_201_with_revision_and_etag(client, bearer):
    doc = document()
    response = client.put(f"/api/v1/sites/{doc['uuid']}", json=doc, headers=bearer())
    assert response.status_code == 201
    assert response.get_json() == {"uuid": doc["uuid"], "revision": 1}
    assert response.headers["ETag"] == '"1"'
    site = db.session.scalar(select(Site))
    assert site.measurements[0].uuid == doc["measurements"][0]["uuid"]
    assert site.measurements[0].measured_at.hour in (1, 10)  # 10:00 JST is 01:00 UTC


def test_same_document_again_is_200_same_revision_nothing_new(client, bearer):
    headers, doc = bearer(), document()
    url = f"/api/v1/sites/{doc['uuid']}"
    client.put(url, json=doc, headers=headers)
    again = client.put(url, json=doc, headers=headers)  # e.g. the reply was lost
    assert again.status_code == 200 and again.get_json()["revision"] == 1
    stale_base = client.put(url, json=doc, headers=headers | {"If-Match": '"1"'})
    assert stale_base.status_code == 200
    assert _count(Site) == 1 and _count(SiteRevision) == 1 and _count(SpeedMeasurement) == 1


def test_update_names_its_base_and_a_stale_base_gets_409_with_the_current_document(client, bearer):
    headers, doc = bearer(), document()
    url = f"/api/v1/sites/{doc['uuid']}"
    client.put(url, json=doc, headers=headers)
    updated = client.put(url, json=doc | {"seats": 30}, headers=headers | {"If-Match": '"1"'})
    assert updated.status_code == 200 and updated.get_json()["revision"] == 2
    assert updated.headers["ETag"] == '"2"'
    stale = client.put(url, json=doc | {"seats": 40}, headers=headers | {"If-Match": '"1"'})
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["error"] == "conflict" and body["current"]["seats"] == 30
    assert body["current"]["revision"] == 2
    blind = client.put(url, json=doc | {"seats": 50}, headers=headers)  # no If-Match
    assert blind.status_code == 409
    assert db.session.scalar(select(Site.seats)) == 30


def test_get_returns_the_document_with_revision_status_score_and_tier(client, bearer):
    headers, doc = bearer(), document()
    client.put(f"/api/v1/sites/{doc['uuid']}", json=doc, headers=headers)
    response = client.get(f"/api/v1/sites/{doc['uuid']}", headers=headers)
    assert response.status_code == 200 and response.headers["ETag"] == '"1"'
    body = response.get_json()
    assert body["revision"] == 1 and body["status"] == "draft"
    assert {"score", "tier", "photos_complete"} <= set(body)
    assert body["seats"] == 20 and body["amenities"] == ["aed", "wifi"]
    # what GET returns can be sent back unchanged
    again = client.put(
        f"/api/v1/sites/{doc['uuid']}", json=body, headers=headers | {"If-Match": '"1"'}
    )
    assert again.status_code == 200 and again.get_json()["revision"] == 1


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"seats": 501}, "seats"),
        ({"seats": "lots"}, "seats"),
        ({"municipality_code": "304019"}, "municipality_code"),
        ({"latitude": 51.5, "longitude": -0.1}, "latitude"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        (
            {"measurements": [{"uuid": "x", "download_mbps": 1, "upload_mbps": 1}]},
            "measurements[0].uuid",
        ),
        (
            {"measurements": [{"download_mbps": 1, "upload_mbps": 1, "speed": 3}]},
            "measurements[0].speed",
        ),
        ({"amenities": "wifi"}, "amenities"),
        (
            {"measurements": [{"download_mbps": 1, "upload_mbps": 1, "bytes_moved": -5}]},
            "measurements[0].bytes_moved",
        ),
        (
            {"measurements": [{"download_mbps": 1, "upload_mbps": 1, "duration_s": 7200}]},
            "measurements[0].duration_s",
        ),
    ],
)
def test_invalid_is_422_with_field_paths_and_nothing_stored(client, bearer, change, path):
    doc = document(**change)
    response = client.put(f"/api/v1/sites/{doc['uuid']}", json=doc, headers=bearer())
    assert response.status_code == 422
    assert path in response.get_json()["errors"]
    assert _count(Site) == 0


def test_malformed_json_and_bad_headers(client, bearer):
    headers, site_uuid = bearer(), str(uuid.uuid4())
    url = f"/api/v1/sites/{site_uuid}"
    bad = client.put(url, data=b"{not json", headers=headers, content_type="application/json")
    assert bad.status_code == 400 and bad.get_json()["error"] == "malformed_json"
    etag = client.put(url, json=document(uuid=site_uuid), headers=headers | {"If-Match": "3"})
    assert etag.status_code == 400 and etag.get_json()["error"] == "bad_if_match"
    other = client.put(url, json=document(), headers=headers)
    assert other.status_code == 422 and "uuid" in other.get_json()["errors"]
    assert _count(Site) == 0


def test_oversized_body_is_413(app, client, bearer):
    app.config["API_MAX_DOCUMENT_BYTES"] = 2000
    doc = document(notes="x" * 3000)
    response = client.put(f"/api/v1/sites/{doc['uuid']}", json=doc, headers=bearer())
    assert response.status_code == 413 and response.get_json()["error"] == "too_large"


def test_no_token_or_a_bad_token_is_401(client):
    doc = document()
    assert client.put(f"/api/v1/sites/{doc['uuid']}", json=doc).status_code == 401
    bad = client.get(f"/api/v1/sites/{doc['uuid']}", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.get_json()["error"] == "unauthorized"


def test_wrong_municipality_or_role_is_refused(client, bearer):
    doc = document()
    mine = bearer("surveyor", "304018")
    client.put(f"/api/v1/sites/{doc['uuid']}", json=doc, headers=mine)
    other_town = bearer("surveyor", "302066")
    assert client.get(f"/api/v1/sites/{doc['uuid']}", headers=other_town).status_code == 403
    write = client.put(
        f"/api/v1/sites/{doc['uuid']}",
        json=doc | {"seats": 1},
        headers=other_town | {"If-Match": '"1"'},
    )
    assert write.status_code == 403  # the contract: wrong municipality
    assert write.get_json()["error"] == "forbidden"
    other_pref = bearer("viewer", None, "20")
    assert client.get(f"/api/v1/sites/{doc['uuid']}", headers=other_pref).status_code == 403
    same_pref = bearer("reviewer", None, "30")
    assert client.get(f"/api/v1/sites/{doc['uuid']}", headers=same_pref).status_code == 200
    new_elsewhere = document(municipality_code="302066")
    refused = client.put(f"/api/v1/sites/{new_elsewhere['uuid']}", json=new_elsewhere, headers=mine)
    assert refused.status_code == 403 and "own municipality" in refused.get_json()["message"]
    reviewer = client.put(f"/api/v1/sites/{new_elsewhere['uuid']}", json=doc, headers=same_pref)
    assert reviewer.status_code == 403 and "role" in reviewer.get_json()["message"]
    as_number = document(municipality_code=302066)  # a JSON number names it as well
    number = client.put(f"/api/v1/sites/{as_number['uuid']}", json=as_number, headers=mine)
    assert number.status_code == 403
    no_such_town = document(municipality_code="304019")  # bad check digit: invalid, not forbidden
    invalid = client.put(f"/api/v1/sites/{no_such_town['uuid']}", json=no_such_town, headers=mine)
    assert invalid.status_code == 422 and "municipality_code" in invalid.get_json()["errors"]
    pushed = client.post("/api/v1/sync/push", json={"sites": [new_elsewhere]}, headers=mine)
    [item] = pushed.get_json()["results"]
    assert item["status"] == "invalid" and "municipality_code" in item["errors"]
    assert db.session.scalar(select(Site.seats)) == 20
    assert db.session.scalar(select(func.count()).select_from(Site)) == 1


def test_browser_session_writes_need_the_csrf_token(app, client, make_user, login):
    login(make_user())
    app.config["WTF_CSRF_ENABLED"] = True
    doc = document()
    response = client.put(f"/api/v1/sites/{doc['uuid']}", json=doc)
    assert response.status_code == 400
    assert client.get(f"/api/v1/sites/{doc['uuid']}").status_code == 404


def test_a_measured_run_keeps_its_tool_data_and_duration(client, bearer):
    run = {
        "uuid": str(uuid.uuid4()),
        "measured_at": "2026-10-14T13:00:00+09:00",
        "method": "browser",
        "server": "https://survey.example.jp/speedtest/",
        "tool_version": "browser 1",
        "bytes_moved": 123_456_789,
        "duration_s": 21.5,
        "download_mbps": 95.5,
        "upload_mbps": 40.25,
    }
    doc = document(measurements=[run])
    url = f"/api/v1/sites/{doc['uuid']}"
    assert client.put(url, json=doc, headers=bearer()).status_code == 201
    stored = db.session.scalar(select(SpeedMeasurement))
    assert (stored.tool_version, stored.bytes_moved, stored.duration_s) == (
        "browser 1",
        123_456_789,
        21.5,
    )
    back = client.get(url, headers=bearer()).get_json()["measurements"][0]
    assert {k: back[k] for k in ("tool_version", "bytes_moved", "duration_s")} == {
        "tool_version": "browser 1",
        "bytes_moved": 123_456_789,
        "duration_s": 21.5,
    }


def test_a_role_that_records_nothing_is_refused_on_every_write(client, bearer):
    """Viewers and reviewers read through the API; PUT, push and photo uploads are 403 for them
    (the contract: wrong role), and nothing is stored."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.surveys.models import Site

    for role in ("viewer", "reviewer"):
        headers = bearer(role, None, "30")
        doc = document()
        put = client.put(f"/api/v1/sites/{doc['uuid']}", json=doc, headers=headers)
        assert put.status_code == 403 and "role" in put.get_json()["message"]
        pushed = client.post("/api/v1/sync/push", json={"sites": [doc]}, headers=headers)
        assert pushed.status_code == 403 and pushed.get_json()["error"] == "forbidden"
        assert "role" in pushed.get_json()["message"]
        photo = client.put(f"/api/v1/photos/{'a' * 64}", data=b"x", headers=headers)
        assert photo.status_code == 403
        assert client.get("/api/v1/sync/changes?since=0", headers=headers).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Site)) == 0
