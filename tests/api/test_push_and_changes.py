"""POST /api/v1/sync/push, GET /api/v1/sync/changes, PUT/HEAD /api/v1/photos/{sha256}."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.photos.models import Photo
from app.surveys.models import ReviewStatus, Site
from app.surveys.service import record_change
from tests.api.conftest import document
from tests.factories import image_bytes


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_push_applies_each_item_on_its_own_in_request_order(client, bearer):
    headers = bearer()
    a, b = document(name="A"), document(name="B")
    client.put(f"/api/v1/sites/{b['uuid']}", json=b, headers=headers)
    stale = b | {"seats": 99, "revision": 1}
    client.put(
        f"/api/v1/sites/{b['uuid']}", json=b | {"seats": 5}, headers=headers | {"If-Match": '"1"'}
    )
    bad = document(seats=-5)
    batch = {"sites": [a, b | {"seats": 5, "revision": 2}, stale, bad, "nope"]}
    response = client.post("/api/v1/sync/push", json=batch, headers=headers)
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == [
        "created",
        "unchanged",
        "conflict",
        "invalid",
        "invalid",
    ]
    assert [r["uuid"] for r in results[:4]] == [a["uuid"], b["uuid"], b["uuid"], bad["uuid"]]
    assert results[0]["revision"] == 1 and results[1]["revision"] == 2
    assert "seats" in results[3]["errors"]
    assert _count(Site) == 2


def test_a_replayed_batch_changes_nothing(client, bearer):
    headers = bearer()
    batch = {"sites": [document(name=f"site {i}") for i in range(5)]}
    first = client.post("/api/v1/sync/push", json=batch, headers=headers).get_json()
    assert {r["status"] for r in first["results"]} == {"created"}
    second = client.post("/api/v1/sync/push", json=batch, headers=headers).get_json()
    assert {r["status"] for r in second["results"]} == {"unchanged"}
    assert [r["revision"] for r in second["results"]] == [1] * 5
    assert _count(Site) == 5


def test_push_limits(client, bearer):
    headers = bearer()
    too_many = {"sites": [document() for _ in range(101)]}
    response = client.post("/api/v1/sync/push", json=too_many, headers=headers)
    assert response.status_code == 413 and response.get_json()["error"] == "batch_too_large"
    assert client.post("/api/v1/sync/push", json={"site": []}, headers=headers).status_code == 422
    assert client.post("/api/v1/sync/push", json=[1], headers=headers).status_code == 422
    assert _count(Site) == 0


def test_push_bad_bodies_get_json_errors_and_store_nothing(app, client, bearer):
    """Malformed JSON, a body over the limit, wrong types inside a batch, unknown fields and
    out-of-range values: a JSON error (or an `invalid` item) each, nothing stored half-way."""
    headers = bearer()
    url = "/api/v1/sync/push"
    for raw in (b'{"sites": [', b"\xff\xfe", b"", b"null"):
        bad = client.post(url, data=raw, headers=headers, content_type="application/json")
        assert bad.status_code in (400, 422), raw
        assert bad.is_json and bad.get_json()["error"] in ("malformed_json", "invalid")
    app.config["API_MAX_DOCUMENT_BYTES"] = 2000
    big = client.post(url, json={"sites": [document(notes="x" * 3000)]}, headers=headers)
    assert big.status_code == 413 and big.get_json()["error"] == "too_large"
    app.config["API_MAX_DOCUMENT_BYTES"] = 8 * 1024 * 1024
    good = document()
    batch = {
        "sites": [
            good,
            "not an object",
            document(seats="many"),  # wrong type
            document(seats=10_000),  # out of range
            document(colour="blue"),  # unknown field
            document(measurements=[{"download_mbps": -5, "upload_mbps": 1}]),
        ]
    }
    results = client.post(url, json=batch, headers=headers).get_json()["results"]
    assert [r["status"] for r in results] == ["created"] + ["invalid"] * 5
    assert all(r["errors"] for r in results[1:])
    assert _count(Site) == 1  # only the good one, whole


def test_changes_feed_shows_what_the_caller_may_see_oldest_first(client, bearer):
    shirahama, hakuba = bearer("surveyor", "304018"), bearer("surveyor", "204854")
    mine = document()
    theirs = document(municipality_code="204854", latitude=36.69, longitude=137.86)
    client.put(f"/api/v1/sites/{mine['uuid']}", json=mine, headers=shirahama)
    client.put(f"/api/v1/sites/{theirs['uuid']}", json=theirs, headers=hakuba)
    site = db.session.scalar(select(Site).where(Site.uuid == mine["uuid"]))
    site.status = ReviewStatus.NEEDS_REVISION
    record_change(site, "status", "座席数を確認してください")
    db.session.commit()
    feed = client.get("/api/v1/sync/changes", headers=shirahama).get_json()
    assert [c["uuid"] for c in feed["changes"]] == [mine["uuid"], mine["uuid"]]
    assert feed["changes"][-1] | {"changed_at": None} == {
        "cursor": feed["next"],
        "uuid": mine["uuid"],
        "kind": "status",
        "revision": 1,
        "status": "needs_revision",
        "comment": "座席数を確認してください",
        "changed_at": None,
        "score": site.score,
        "tier": site.tier,
    }
    assert site.tier is not None and site.score is not None
    for moment in (
        feed["changes"][-1]["changed_at"],
        client.get(f"/api/v1/sites/{mine['uuid']}", headers=shirahama).get_json()["updated_at"],
    ):
        assert datetime.fromisoformat(moment).utcoffset() == timedelta(0), moment
    later = client.get(f"/api/v1/sync/changes?since={feed['next']}", headers=shirahama).get_json()
    assert later["changes"] == [] and later["next"] == feed["next"]
    admin = client.get("/api/v1/sync/changes", headers=bearer("admin", None)).get_json()
    assert len(admin["changes"]) == 3
    for bad in ("x", "-1", str(2**63)):  # the last one once overflowed SQLite: found by fuzzing
        assert client.get(f"/api/v1/sync/changes?since={bad}", headers=shirahama).status_code == 400


def test_photo_upload_is_content_addressed(client, bearer):
    headers = bearer()
    jpeg = image_bytes("JPEG", (120, 90))
    sha = hashlib.sha256(jpeg).hexdigest()
    url = f"/api/v1/photos/{sha}"
    assert client.head(url, headers=headers).status_code == 404
    created = client.put(url, data=jpeg, headers=headers, content_type="image/jpeg")
    assert created.status_code == 201
    assert client.head(url, headers=headers).status_code == 200
    again = client.put(url, data=jpeg, headers=headers, content_type="image/jpeg")
    assert again.status_code == 200 and again.get_json()["created"] is False
    assert _count(Photo) == 1


def test_photo_refusals(app, client, bearer):
    headers = bearer()
    jpeg = image_bytes("JPEG")
    wrong = client.put(f"/api/v1/photos/{'0' * 64}", data=jpeg, headers=headers)
    assert wrong.status_code == 400 and wrong.get_json()["error"] == "hash_mismatch"
    text = b"just some text, not an image"
    not_image = client.put(
        f"/api/v1/photos/{hashlib.sha256(text).hexdigest()}", data=text, headers=headers
    )
    assert not_image.status_code == 415
    assert client.put("/api/v1/photos/XYZ", data=jpeg, headers=headers).status_code == 400
    app.extensions["photo_store"].max_bytes = 100
    big = client.put(
        f"/api/v1/photos/{hashlib.sha256(jpeg).hexdigest()}", data=jpeg, headers=headers
    )
    assert big.status_code == 413
    viewer = bearer("viewer", None, "30")
    forbidden = client.put(
        f"/api/v1/photos/{hashlib.sha256(jpeg).hexdigest()}", data=jpeg, headers=viewer
    )
    assert forbidden.status_code == 403
    assert _count(Photo) == 0


def test_a_site_is_incomplete_until_its_photos_arrive(client, bearer):
    headers = bearer()
    jpeg = image_bytes("PNG", (30, 30))
    sha = hashlib.sha256(jpeg).hexdigest()
    doc = document(photos=[{"sha256": sha, "caption": "入口"}])
    client.put(f"/api/v1/sites/{doc['uuid']}", json=doc, headers=headers)
    got = client.get(f"/api/v1/sites/{doc['uuid']}", headers=headers).get_json()
    assert got["photos_complete"] is False and got["photos"] == [{"sha256": sha, "caption": "入口"}]
    client.put(f"/api/v1/photos/{sha}", data=jpeg, headers=headers)
    got = client.get(f"/api/v1/sites/{doc['uuid']}", headers=headers).get_json()
    assert got["photos_complete"] is True
    kinds = [
        c["kind"] for c in client.get("/api/v1/sync/changes", headers=headers).get_json()["changes"]
    ]
    assert kinds == ["revision", "photos"]


def test_a_document_sent_as_submitted_asks_for_review_once(client, bearer):
    from app.surveys.models import ReviewEvent

    headers = bearer()
    new, old, draft = document(status="submitted"), document(), document()
    client.put(f"/api/v1/sites/{old['uuid']}", json=old, headers=headers)
    batch = {"sites": [new, old | {"status": "submitted", "revision": 1}, draft]}
    for _ in range(2):  # the replay asks nothing more
        results = client.post("/api/v1/sync/push", json=batch, headers=headers).get_json()
        assert {r["status"] for r in results["results"]} <= {"created", "unchanged"}
    statuses = dict(db.session.execute(select(Site.uuid, Site.status)).all())
    assert statuses[new["uuid"]] == ReviewStatus.SUBMITTED
    assert statuses[old["uuid"]] == ReviewStatus.SUBMITTED
    assert statuses[draft["uuid"]] == ReviewStatus.DRAFT
    assert _count(ReviewEvent) == 2
    put = document(status="submitted")
    response = client.put(f"/api/v1/sites/{put['uuid']}", json=put, headers=headers)
    assert response.status_code == 201
    assert client.get(f"/api/v1/sites/{put['uuid']}", headers=headers).json["status"] == "submitted"
