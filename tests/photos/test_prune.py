"""`flask photos prune`: photos no site uses go after the grace period; nothing else does."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.photos.models import Photo
from app.surveys.models import Site
from app.timeutil import utcnow
from tests.factories import image_bytes, survey_post


def _upload(client, data: bytes, name: str, **post) -> str:
    response = client.post(
        "/surveys/new",
        data=survey_post(photo_files=(io.BytesIO(data), name), **post),
        content_type="multipart/form-data",
    )
    assert response.status_code in (302, 422)
    return hashlib.sha256(data).hexdigest()


def _age(*sha256s: str, days: int) -> None:
    when = utcnow() - timedelta(days=days)
    db.session.execute(update(Photo).where(Photo.sha256.in_(sha256s)).values(created_at=when))
    db.session.commit()


def test_prune_removes_only_old_photos_no_site_uses(app, client, runner, make_user, login):
    login(make_user())
    store = app.extensions["photo_store"]
    images = [image_bytes("JPEG", (40 + i, 30)) for i in range(4)]
    on_site = _upload(client, images[0], "a.jpg")
    removed_later = _upload(client, images[1], "b.jpg")
    held_old = _upload(client, images[2], "c.jpg", seats="999")  # a refused form: held only
    held_new = _upload(client, images[3], "d.jpg", seats="999")
    site = db.session.scalars(select(Site).order_by(Site.id)).all()[1]
    edit = survey_post(uuid=site.uuid, base_revision="1", remove_photos=[removed_later])
    assert client.post(f"/surveys/{site.uuid}/edit", data=edit).status_code == 302
    _age(on_site, removed_later, held_old, days=40)

    dry = runner.invoke(args=["photos", "prune", "--dry-run"])
    assert dry.exit_code == 0 and "1 unused photos" in dry.output
    assert db.session.get(Photo, held_old) is not None

    result = runner.invoke(args=["photos", "prune"])
    assert result.exit_code == 0 and "Removed 1 unused photos" in result.output
    db.session.expire_all()
    kept = set(db.session.scalars(select(Photo.sha256)))
    assert kept == {on_site, removed_later, held_new}  # on a site, in a revision, too young
    assert store.path_for(held_old) is None and store.thumb_path_for(held_old) is None
    assert store.path_for(on_site) is not None

    again = runner.invoke(args=["photos", "prune", "--older-than", "1"])
    assert again.exit_code == 0 and "Removed 0 unused photos" in again.output


def test_prune_refuses_a_grace_period_under_a_day(runner):
    result = runner.invoke(args=["photos", "prune", "--older-than", "0"])
    assert result.exit_code != 0 and "--older-than" in result.output
