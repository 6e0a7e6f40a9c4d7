"""New sites in a push are created in bulk, and end up as the one-by-one path stores them."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest
from sqlalchemy import func, select

import app.api.push as push_module
from app.extensions import db
from app.surveys.bulk import create_sites
from app.surveys.models import MobileCoverage, Site, SiteChange, SiteRevision, SpeedMeasurement
from forms.compiled import fast_validate
from tests.api.conftest import document
from tests.factories import image_bytes

SERVER_OWNED = {"uuid", "updated_at"}


@pytest.fixture
def bulk_calls(monkeypatch):
    """How many sites each push handed to the bulk path (so a test knows it was taken)."""
    calls: list[int] = []
    real = push_module.create_sites

    def spy(items, actor_id):
        calls.append(len(items))
        return real(items, actor_id)

    monkeypatch.setattr(push_module, "create_sites", spy)
    return calls


def _rich(**changes):
    return document(
        postal_code="649-2211",
        weekday_open="09:00",
        weekday_close="18:00",
        days_per_week=5,
        transport_options=["taxi", "rental_car"],
        lodging_accepts_3_nights=False,
        coverage=[
            {"carrier": "au", "technology": "4g", "signal_bars": 0},
            {"carrier": "docomo", "technology": "5g", "rsrp_dbm": -85, "placement": "indoor"},
        ],
        **changes,
    )


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _without(doc: dict, keys: set[str]) -> dict:
    return {k: v for k, v in doc.items() if k not in keys}


def test_a_bulk_created_site_equals_one_stored_through_put(client, bearer, bulk_calls):
    headers = bearer()
    pushed, put = _rich(), _rich()
    put["measurements"][0]["uuid"] = pushed["measurements"][0]["uuid"]
    assert client.put(f"/api/v1/sites/{put['uuid']}", json=put, headers=headers).status_code == 201
    result = client.post("/api/v1/sync/push", json={"sites": [pushed]}, headers=headers)
    assert result.get_json()["results"][0]["status"] == "created"
    assert bulk_calls == [1]

    a = client.get(f"/api/v1/sites/{pushed['uuid']}", headers=headers).get_json()
    b = client.get(f"/api/v1/sites/{put['uuid']}", headers=headers).get_json()
    assert _without(a, SERVER_OWNED) == _without(b, SERVER_OWNED)
    assert a["address_town"]  # derived from the postal code on both paths
    rows = db.session.execute(select(Site.uuid, SiteRevision).join(Site)).all()
    revisions = {site_uuid: revision for site_uuid, revision in rows}
    ra, rb = revisions[pushed["uuid"]], revisions[put["uuid"]]
    assert _without(ra.document, {"uuid"}) == _without(rb.document, {"uuid"})
    assert ra.changed_fields == rb.changed_fields and ra.revision == rb.revision == 1
    sa = db.session.scalar(select(Site).where(Site.uuid == pushed["uuid"]))
    sb = db.session.scalar(select(Site).where(Site.uuid == put["uuid"]))
    assert sa.content_hash != "" and sa.prefecture_code == sb.prefecture_code == "30"
    assert sa.derived == sb.derived and sa.status == sb.status and sa.surveyor_id == sb.surveyor_id
    changes = db.session.scalars(select(SiteChange).where(SiteChange.site_id == sa.id)).all()
    assert [(c.kind, c.revision, c.status) for c in changes] == [("revision", 1, "draft")]


def test_every_stored_revision_hashes_to_its_content_hash(client, bearer, bulk_calls):
    """Both paths store the canonical content: a revision can be checked against its hash."""
    headers = bearer()
    pushed, put = _rich(notes="改行\nと\tタブ"), _rich(seats=12)
    assert client.put(f"/api/v1/sites/{put['uuid']}", json=put, headers=headers).status_code == 201
    client.post("/api/v1/sync/push", json={"sites": [pushed]}, headers=headers)
    assert bulk_calls == [1]
    put["name"] = "改名"
    update = headers | {"If-Match": '"1"'}
    assert client.put(f"/api/v1/sites/{put['uuid']}", json=put, headers=update).status_code == 200
    db.session.expire_all()
    revisions = db.session.scalars(select(SiteRevision).order_by(SiteRevision.id)).all()
    assert [r.revision for r in revisions] == [1, 1, 2]
    for revision in revisions:
        text = json.dumps(
            revision.document, ensure_ascii=False, separators=(",", ":"), sort_keys=True
        )
        assert hashlib.sha256(text.encode()).hexdigest() == revision.content_hash
        assert None not in revision.document.values()  # nulls are left out, as the hash does
    assert revisions[1].document["notes"] == "改行\nと\tタブ"  # COPY's escapes round-trip
    assert revisions[2].changed_fields == ["name"]


def test_a_bulk_created_batch_replays_as_unchanged(client, bearer, bulk_calls):
    """The stored content hash is the one the one-by-one path recomputes on a replay."""
    headers = bearer()
    batch = {"sites": [_rich(name=f"拠点 {i}", seats=i) for i in range(30)]}
    first = client.post("/api/v1/sync/push", json=batch, headers=headers).get_json()
    assert {r["status"] for r in first["results"]} == {"created"}
    second = client.post("/api/v1/sync/push", json=batch, headers=headers).get_json()
    assert {r["status"] for r in second["results"]} == {"unchanged"}
    assert bulk_calls == [30]  # the replay found them all existing
    assert _count(Site) == 30 and _count(SiteRevision) == 30
    assert _count(SpeedMeasurement) == 30 and _count(MobileCoverage) == 60


def test_a_mixed_batch_keeps_its_order_and_each_outcome(client, bearer, bulk_calls):
    headers = bearer()
    existing = document(name="既存")
    client.put(f"/api/v1/sites/{existing['uuid']}", json=existing, headers=headers)
    new = document(name="新規")
    again = copy.deepcopy(new) | {"seats": 3}  # same uuid later in the batch: a blind write
    fallback = document(seats="12")  # valid, but a string: the WTForms path takes it
    batch = [new, document(seats=-1), existing | {"seats": 7, "revision": 1}, again, fallback]
    results = client.post("/api/v1/sync/push", json={"sites": batch}, headers=headers).get_json()
    assert [r["status"] for r in results["results"]] == [
        "created",
        "invalid",
        "updated",
        "conflict",
        "created",
    ]
    assert bulk_calls == [1]
    assert _count(Site) == 3


def test_a_site_created_concurrently_sends_the_batch_down_the_careful_path(
    app, client, bearer, monkeypatch
):
    headers = bearer()
    taken = document(name="先に届いた")
    client.put(f"/api/v1/sites/{taken['uuid']}", json=taken, headers=headers)
    others = [document(name=f"後 {i}") for i in range(3)]

    def stale_candidates(docs):  # as if the other request committed after our existence check
        return [(i, d["uuid"], fast_validate(copy.deepcopy(d))) for i, d in enumerate(docs)]

    monkeypatch.setattr(push_module, "_new_site_candidates", stale_candidates)
    batch = {"sites": [*others, taken]}
    results = client.post("/api/v1/sync/push", json=batch, headers=headers).get_json()
    assert [r["status"] for r in results["results"]] == ["created"] * 3 + ["unchanged"]
    assert _count(Site) == 4 and _count(SiteRevision) == 4


def test_create_sites_stores_nothing_when_one_exists(app, client, bearer, make_user):
    headers = bearer()
    taken = document()
    client.put(f"/api/v1/sites/{taken['uuid']}", json=taken, headers=headers)
    fresh = document()
    items = [(d["uuid"], fast_validate(copy.deepcopy(d))) for d in (fresh, taken)]
    user = make_user("surveyor", "304018")
    assert create_sites(items, user.id) is False
    db.session.commit()
    assert _count(Site) == 1 and _count(SiteRevision) == 1 and _count(SiteChange) == 1


def test_photos_complete_is_decided_for_bulk_sites_too(client, bearer):
    headers = bearer()
    png = image_bytes("PNG", (20, 20))
    held = hashlib.sha256(png).hexdigest()
    client.put(f"/api/v1/photos/{held}", data=png, headers=headers)
    with_held = document(photos=[{"sha256": held, "caption": "外観"}])
    with_missing = document(photos=[{"sha256": "b" * 64}])
    batch = {"sites": [with_held, with_missing]}
    client.post("/api/v1/sync/push", json=batch, headers=headers)
    got = [
        client.get(f"/api/v1/sites/{d['uuid']}", headers=headers).get_json()
        for d in (with_held, with_missing)
    ]
    assert [g["photos_complete"] for g in got] == [True, False]
    assert got[0]["photos"] == [{"sha256": held, "caption": "外観"}]


def test_another_municipality_is_refused_on_the_bulk_path(client, bearer, bulk_calls):
    headers = bearer(municipality="304018")
    outside = document(municipality_code="302015")
    results = client.post("/api/v1/sync/push", json={"sites": [outside]}, headers=headers)
    assert results.get_json()["results"][0]["status"] == "invalid"
    assert bulk_calls == [] and _count(Site) == 0
