"""Recording, listing and editing a site through the browser's form."""

from __future__ import annotations

import hashlib
import io

from sqlalchemy import func, select

from app.extensions import db
from app.photos.models import Photo
from app.surveys.models import ReviewEvent, Site, SiteRevision
from tests.factories import image_bytes, survey_post


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_surveyor_records_a_site_and_finds_it_in_the_list(client, make_user, login):
    login(make_user())
    post = survey_post()
    response = client.post("/surveys/new", data=post)
    assert response.status_code == 302
    site = db.session.scalar(select(Site))
    assert response.headers["Location"].endswith(f"/surveys/{site.uuid}")
    assert site.uuid == post["uuid"]
    assert (site.name, site.municipality_code, site.prefecture_code) == (
        "白浜テスト オフィス",
        "304018",
        "30",
    )
    assert site.latitude == 33.678 and site.location_source == "gps"
    assert site.wifi_client_isolation is True and site.wifi_guest_network is None
    assert sorted(site.amenities) == ["aed", "seat_outlet", "wifi"]
    assert sorted(site.transport_options) == ["rental_car", "taxi"]
    assert [(m.download_mbps, m.upload_mbps, m.method) for m in site.measurements] == [
        (120.5, 45.2, "manual")
    ]
    assert [(c.carrier, c.technology, c.rsrp_dbm) for c in site.coverage] == [("docomo", "5g", -85)]
    assert site.revision == 1 and site.status == "draft"
    listing = client.get("/surveys").get_data(as_text=True)
    assert "白浜テスト オフィス" in listing and "1件" in listing
    english = client.get("/surveys", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "1 site<" in english
    detail = client.get(f"/surveys/{site.uuid}").get_data(as_text=True)
    assert "120.5" in detail and "2F booth" in detail


def test_server_derives_town_and_station_distance(client, make_user, login):
    login(make_user())
    client.post("/surveys/new", data=survey_post())
    site = db.session.scalar(select(Site))
    assert site.address_town == "白浜町"
    # geodesic distance between the two points given, in metres
    assert 4150 < site.station_distance_m < 4300  # hand estimate: 1.81 km N-S, 3.83 km E-W
    assert site.derived["station_distance_m"] == "geodesic"


def test_submit_moves_the_site_to_review_with_an_event(client, make_user, login):
    login(make_user())
    client.post("/surveys/new", data=survey_post(intent="submit"))
    site = db.session.scalar(select(Site))
    assert site.status == "submitted"
    event = db.session.scalar(select(ReviewEvent))
    assert (event.from_status, event.to_status) == ("draft", "submitted")


def test_edit_bumps_revision_only_when_content_changes(client, make_user, login):
    login(make_user())
    post = survey_post()
    client.post("/surveys/new", data=post)
    site = db.session.scalar(select(Site))
    run_uuid = site.measurements[0].uuid
    edit = post | {"measurements-0-uuid": run_uuid, "base_revision": "1"}
    assert client.post(f"/surveys/{site.uuid}/edit", data=edit).status_code == 302
    db.session.expire_all()
    assert site.revision == 1, "an unchanged save must not create a revision"
    client.post(f"/surveys/{site.uuid}/edit", data=edit | {"seats": "30"})
    db.session.expire_all()
    assert site.revision == 2 and site.seats == 30
    revisions = db.session.scalars(select(SiteRevision).order_by(SiteRevision.revision)).all()
    assert [r.revision for r in revisions] == [1, 2]
    assert revisions[1].changed_fields == ["seats"]
    assert len(site.measurements) == 1 and site.measurements[0].uuid == run_uuid


def test_invalid_fields_get_messages_and_nothing_is_stored(client, make_user, login):
    login(make_user())
    response = client.post(
        "/surveys/new",
        data=survey_post(
            municipality_code="304019",  # wrong check digit
            latitude="51.5",
            longitude="-0.12",
            **{"measurements-0-download_mbps": "20000"},
            weekday_close="08:00",
            postal_code="12345",
        ),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Not a valid municipality code" in html
    assert "outside Japan" in html
    assert "Enter a value from 0 to 10000 Mbps." in html
    assert "closing time must be after the opening time" in html
    assert "7-digit postal code" in html
    assert _count(Site) == 0 and _count(SiteRevision) == 0


def test_messages_are_japanese_by_default(client, make_user, login):
    login(make_user())
    response = client.post("/surveys/new", data=survey_post(seats="999"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<html lang="ja">' in html
    assert "0から500" in html or "0〜500" in html or "0～500" in html, html[html.find("seats") :][
        :400
    ]


def test_full_width_digits_from_a_japanese_keyboard_are_accepted(client, make_user, login):
    login(make_user())
    response = client.post(
        "/surveys/new", data=survey_post(seats="２４", postal_code="６４９－２２１１")
    )
    assert response.status_code == 302
    site = db.session.scalar(select(Site))
    assert site.seats == 24 and site.postal_code == "649-2211"


def test_photo_upload_is_stored_by_hash_with_a_thumbnail(app, client, make_user, login):
    login(make_user())
    jpeg = image_bytes("JPEG", (800, 600))
    digest = hashlib.sha256(jpeg).hexdigest()
    post = survey_post(photo_files=(io.BytesIO(jpeg), "entrance.jpg"), photo_caption="入口")
    response = client.post("/surveys/new", data=post, content_type="multipart/form-data")
    assert response.status_code == 302
    site = db.session.scalar(select(Site))
    assert [(p.sha256, p.caption) for p in site.photos] == [(digest, "入口")]
    photo = db.session.get(Photo, digest)
    assert (photo.content_type, photo.width, photo.height) == ("image/jpeg", 800, 600)
    original = client.get(f"/photos/{digest}")
    assert original.status_code == 200 and original.data == jpeg
    thumb = client.get(f"/photos/{digest}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"


def test_a_non_image_upload_is_refused_and_nothing_is_stored(client, make_user, login):
    login(make_user())
    post = survey_post(photo_files=(io.BytesIO(b"%PDF-1.7 not a photo"), "scan.jpg"))
    response = client.post(
        "/surveys/new",
        data=post,
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "scan.jpg is not a JPEG, PNG or WebP image." in response.get_data(as_text=True)
    assert _count(Site) == 0 and _count(Photo) == 0


def test_an_oversized_photo_is_refused(app, client, make_user, login):
    app.config["MAX_PHOTO_BYTES"] = 2000
    app.extensions["photo_store"].max_bytes = 2000
    login(make_user())
    big = image_bytes("PNG", (100, 100), noise=True)
    assert len(big) > 2000
    post = survey_post(photo_files=(io.BytesIO(big), "big.png"))
    response = client.post(
        "/surveys/new",
        data=post,
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "big.png is larger than" in response.get_data(as_text=True)
    assert _count(Site) == 0


def test_a_request_over_the_upload_limit_gets_a_clear_413(app, client, make_user, login):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    login(make_user())
    post = survey_post(photo_files=(io.BytesIO(b"\xff" * 20_000), "huge.jpg"))
    response = client.post("/surveys/new", data=post, content_type="multipart/form-data")
    assert response.status_code == 413
    assert _count(Site) == 0


def test_geocoder_failure_never_blocks_saving(client, make_user, login):
    login(make_user())
    post = survey_post(latitude=None, longitude=None, location_source=None)
    response = client.post("/surveys/new", data=post, headers={"Accept-Language": "en"})
    assert response.status_code == 302
    site = db.session.scalar(select(Site))
    assert site.latitude is None
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"})
    assert "could not be looked up now" in page.get_data(as_text=True)


def test_a_double_submitted_form_stores_one_site(client, make_user, login):
    login(make_user())
    post = survey_post()
    assert client.post("/surveys/new", data=post).status_code == 302
    again = client.post("/surveys/new", data=post)
    assert again.status_code == 302
    assert _count(Site) == 1


def test_removing_a_photo_keeps_the_others(client, make_user, login):
    login(make_user())
    one, two = image_bytes("JPEG"), image_bytes("PNG")
    post = survey_post(photo_files=[(io.BytesIO(one), "1.jpg"), (io.BytesIO(two), "2.png")])
    client.post("/surveys/new", data=post, content_type="multipart/form-data")
    site = db.session.scalar(select(Site))
    assert len(site.photos) == 2
    first = site.photos[0].sha256
    edit = survey_post(uuid=site.uuid, remove_photos=[first], base_revision="1")
    client.post(f"/surveys/{site.uuid}/edit", data=edit)
    db.session.expire_all()
    assert [p.sha256 for p in site.photos] == [hashlib.sha256(two).hexdigest()]


def test_a_stale_edit_overwrites_nothing_and_keeps_the_input(client, make_user, login):
    login(make_user())
    post = survey_post()
    client.post("/surveys/new", data=post)
    site = db.session.scalar(select(Site))
    url = f"/surveys/{site.uuid}/edit"
    assert 'name="base_revision" type="hidden" value="1"' in client.get(url).get_data(as_text=True)
    client.post(url, data=post | {"seats": "30", "base_revision": "1"})  # another tablet saves
    mine = client.post(
        url,
        data=post | {"name": "私の変更", "base_revision": "1"},
        headers={"Accept-Language": "en"},
    )
    assert mine.status_code == 409
    html = mine.get_data(as_text=True)
    assert "Someone else saved this survey (revision 2)" in html
    assert 'value="私の変更"' in html and 'name="base_revision" type="hidden" value="2"' in html
    db.session.expire_all()
    assert (site.name, site.seats, site.revision) == ("白浜テスト オフィス", 30, 2)
    again = client.post(url, data=post | {"name": "私の変更", "base_revision": "2"})
    assert again.status_code == 302
    db.session.expire_all()
    assert site.name == "私の変更" and site.revision == 3
