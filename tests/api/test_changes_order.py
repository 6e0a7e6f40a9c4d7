"""The changes feed never steps over an entry: its cursor follows commit order, not insert order."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import db
from app.surveys.feed_order import feed_entries_added
from app.surveys.models import Site, SiteChange
from tests.api.conftest import document


def _change(site: Site, comment: str) -> SiteChange:
    return SiteChange(
        site_id=site.id,
        municipality_code=site.municipality_code,
        kind="status",
        revision=site.revision,
        status="in_review",
        comment=comment,
    )


def test_an_entry_committed_after_a_later_one_is_still_read(app, client, bearer):
    """Two transactions: the first inserts its entry, the second inserts and commits; a device
    reads the feed; then the first commits. The device's next read has the first entry, though
    its row id is lower than the cursor the device already holds."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time: none commits out of order")
    headers = bearer()
    docs = [document(), document()]
    for doc in docs:
        assert (
            client.put(f"/api/v1/sites/{doc['uuid']}", json=doc, headers=headers).status_code == 201
        )
    start = client.get("/api/v1/sync/changes?since=0", headers=headers).get_json()["next"]
    slow_site, quick_site = (
        db.session.scalar(select(Site).where(Site.uuid == doc["uuid"])) for doc in docs
    )
    db.session.commit()

    slow, quick = Session(db.engine), Session(db.engine)
    try:
        slow.add(_change(slow_site, "slow"))
        feed_entries_added(slow)
        slow.flush()  # its row (and id) exists, uncommitted
        quick.add(_change(quick_site, "quick"))
        feed_entries_added(quick)
        quick.commit()

        first = client.get(f"/api/v1/sync/changes?since={start}", headers=headers).get_json()
        assert [c["comment"] for c in first["changes"]] == ["quick"]
        slow.commit()
        second = client.get(f"/api/v1/sync/changes?since={first['next']}", headers=headers)
        assert [c["comment"] for c in second.get_json()["changes"]] == ["slow"]
    finally:
        slow.close()
        quick.close()
    ids = dict(db.session.execute(select(SiteChange.comment, SiteChange.id)).all())
    assert ids["slow"] < ids["quick"]  # the case itself: inserted first, committed last


def test_every_entry_gets_its_number_when_it_commits(app, client, bearer):
    headers = bearer()
    for _ in range(3):
        doc = document()
        assert (
            client.put(f"/api/v1/sites/{doc['uuid']}", json=doc, headers=headers).status_code == 201
        )
    push = {"sites": [document() for _ in range(4)]}  # the bulk path writes its entries by COPY
    assert client.post("/api/v1/sync/push", json=push, headers=headers).status_code == 200
    rows = db.session.execute(select(SiteChange.id, SiteChange.seq).order_by(SiteChange.id)).all()
    assert len(rows) == 7 and all(seq is not None for _, seq in rows)
    seqs = [seq for _, seq in rows]
    assert seqs == sorted(seqs) and len(set(seqs)) == 7
    feed = client.get("/api/v1/sync/changes?since=0", headers=headers).get_json()
    assert [c["cursor"] for c in feed["changes"]] == seqs and feed["next"] == seqs[-1]
