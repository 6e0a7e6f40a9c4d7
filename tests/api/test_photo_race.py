"""A save and an upload of one of its photos, at the same moment: the site ends complete."""

from __future__ import annotations

import hashlib

import pytest
from flask import Response
from sqlalchemy import select

from app.extensions import db
from app.surveys.models import Site, SiteChange
from app.surveys.photo_checks import PENDING, run_pending_checks
from app.surveys.service import save_survey
from forms.document import validate_site_document
from tests.api.conftest import document
from tests.factories import image_bytes


def test_an_upload_committed_while_the_save_was_open_still_completes_the_site(
    app, client, bearer, make_user
):
    """The save looks for the photo before the upload commits it; the upload looks for sites
    waiting for it before the save commits. Without a second look after each commit the site
    stayed "photos missing" for good, with its photo held."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time: the two cannot overlap")
    png = image_bytes("PNG", (24, 24))
    sha = hashlib.sha256(png).hexdigest()
    surveyor = make_user("surveyor", "304018")
    headers = bearer()  # made (and committed) before the save's transaction opens
    doc = document(photos=[{"sha256": sha, "caption": "入口"}])
    data = validate_site_document(doc).data

    # the save, open: the photo is not there yet
    outcome = save_survey(data, site=None, site_uuid=doc["uuid"], actor=surveyor, submit=False)
    assert outcome.site.photos_complete is False
    # meanwhile the upload arrives and commits (its own request, its own transaction)
    with db.engine.connect() as other:  # the save is not visible to the upload
        assert other.execute(select(Site.id)).all() == []
    put = client.put(f"/api/v1/photos/{sha}", data=png, headers=headers)
    assert put.status_code == 201
    db.session.commit()  # the save commits, still saying "photos missing"
    assert db.session.scalar(select(Site.photos_complete)) is False
    assert db.session.info.get(PENDING) == {outcome.site.id}
    run_pending_checks(Response(status=200))  # what after_request does once the view committed

    db.session.expire_all()
    site = db.session.scalar(select(Site).where(Site.uuid == doc["uuid"]))
    assert site.photos_complete is True
    kinds = db.session.scalars(select(SiteChange.kind).where(SiteChange.site_id == site.id)).all()
    assert kinds.count("photos") == 1


def test_a_site_saved_through_the_api_completes_when_its_photo_is_already_held(client, bearer):
    """The ordinary orders still hold: photo first, or site first."""
    headers = bearer()
    png = image_bytes("PNG", (25, 25))
    sha = hashlib.sha256(png).hexdigest()
    later = document(photos=[{"sha256": sha, "caption": ""}])
    assert (
        client.put(f"/api/v1/sites/{later['uuid']}", json=later, headers=headers).status_code == 201
    )
    got = client.get(f"/api/v1/sites/{later['uuid']}", headers=headers).get_json()
    assert got["photos_complete"] is False
    assert client.put(f"/api/v1/photos/{sha}", data=png, headers=headers).status_code == 201
    got = client.get(f"/api/v1/sites/{later['uuid']}", headers=headers).get_json()
    assert got["photos_complete"] is True
    first = document(photos=[{"sha256": sha, "caption": ""}])
    assert (
        client.put(f"/api/v1/sites/{first['uuid']}", json=first, headers=headers).status_code == 201
    )
    got = client.get(f"/api/v1/sites/{first['uuid']}", headers=headers).get_json()
    assert got["photos_complete"] is True
