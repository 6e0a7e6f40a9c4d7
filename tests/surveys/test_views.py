"""Recording, listing and editing a site through the browser's form."""

from __future__ import annotations

import hashlib
import io
import re

from sqlalchemy import func, select

from app.extensions import db
from app.photos.models import Photo
from app.surveys.models import ReviewEvent, Site, SiteRevision
from tests.conftest import PASSWORD
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


def _refused_holding(client, photo: bytes) -> str:
    """Post a survey with a field to fix and one photo; the token the re-shown form holds."""
    refused = client.post(
        "/surveys/new",
        data=survey_post(seats="999", photo_files=(io.BytesIO(photo), "a.jpg")),
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    return _held_token(refused.get_data(as_text=True))


def _held_token(html: str) -> str:
    found = re.search(r'name="held_photos" type="hidden" value="([^"]*)"', html)
    assert found, "the form has no held_photos field"
    return found.group(1)


def test_photos_chosen_with_bad_input_are_kept_until_the_survey_is_saved(client, make_user, login):
    login(make_user())
    jpeg = image_bytes("JPEG", (640, 480))
    digest = hashlib.sha256(jpeg).hexdigest()
    post = survey_post(seats="999", photo_files=(io.BytesIO(jpeg), "desk.jpg"))
    refused = client.post(
        "/surveys/new",
        data=post,
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "The photos you chose are kept" in html and f'data-photo-sha256="{digest}"' in html
    assert _count(Site) == 0 and _count(Photo) == 1  # the photo, and nothing of the site
    token = _held_token(html)
    assert client.get(f"/photos/{digest}/thumb?held={token}").status_code == 200
    assert client.get(f"/photos/{digest}/thumb").status_code == 404  # not on any site yet

    fixed = {k: v for k, v in post.items() if k != "photo_files"}
    saved = client.post(
        "/surveys/new", data=fixed | {"seats": "24", "held_photos": token, "photo_caption": "机"}
    )
    assert saved.status_code == 302
    site = db.session.scalar(select(Site))
    assert [(p.sha256, p.caption) for p in site.photos] == [(digest, "机")]
    assert site.photos_complete is True


def test_held_photos_can_be_removed_and_a_second_attempt_adds_more(client, make_user, login):
    login(make_user())
    one, two = image_bytes("JPEG"), image_bytes("PNG")
    post = survey_post(seats="999")
    first = client.post(
        "/surveys/new",
        data=post | {"photo_files": (io.BytesIO(one), "1.jpg")},
        content_type="multipart/form-data",
    )
    token = _held_token(first.get_data(as_text=True))
    second = client.post(
        "/surveys/new",
        data=post | {"held_photos": token, "photo_files": (io.BytesIO(two), "2.png")},
        content_type="multipart/form-data",
    )
    assert second.status_code == 422
    token = _held_token(second.get_data(as_text=True))
    saved = client.post(
        "/surveys/new",
        data=post
        | {"seats": "24", "held_photos": token, "remove_photos": [hashlib.sha256(one).hexdigest()]},
    )
    assert saved.status_code == 302
    site = db.session.scalar(select(Site))
    assert [p.sha256 for p in site.photos] == [hashlib.sha256(two).hexdigest()]


def test_a_held_photo_token_serves_only_the_user_it_was_made_for(app, make_user):
    def signed_in(user):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
        return client

    alice, bob = signed_in(make_user()), signed_in(make_user())
    jpeg = image_bytes("JPEG")
    digest = hashlib.sha256(jpeg).hexdigest()
    token = _refused_holding(alice, jpeg)
    assert alice.get(f"/photos/{digest}/thumb?held={token}").status_code == 200
    assert bob.get(f"/photos/{digest}/thumb?held={token}").status_code == 404
    forged = token[:-2] + ("BB" if token.endswith("AA") else "AA")
    assert alice.get(f"/photos/{digest}/thumb?held={forged}").status_code == 404
    assert bob.post("/surveys/new", data=survey_post(held_photos=token)).status_code == 302
    site = db.session.scalar(select(Site))
    assert site.photos == []


def test_a_stale_edit_keeps_the_photos_chosen_with_it(client, make_user, login):
    login(make_user())
    post = survey_post()
    client.post("/surveys/new", data=post)
    site = db.session.scalar(select(Site))
    url = f"/surveys/{site.uuid}/edit"
    client.post(url, data=post | {"seats": "30", "base_revision": "1"})  # another tablet saves
    jpeg = image_bytes("JPEG")
    stale = client.post(
        url,
        data=post | {"base_revision": "1", "photo_files": (io.BytesIO(jpeg), "late.jpg")},
        content_type="multipart/form-data",
    )
    assert stale.status_code == 409
    token = _held_token(stale.get_data(as_text=True))
    again = client.post(url, data=post | {"base_revision": "2", "held_photos": token})
    assert again.status_code == 302
    db.session.expire_all()
    assert [p.sha256 for p in site.photos] == [hashlib.sha256(jpeg).hexdigest()]


def _language_next(html: str) -> str:
    form = html[html.index('class="inline lang-switch"') :]
    found = re.search(r'name="next" value="([^"]*)"', form)
    assert found
    return found.group(1)


def test_switching_language_on_a_form_shown_again_returns_to_that_form(client, make_user, login):
    login(make_user())
    refused = client.post("/surveys/new", data=survey_post(seats="999"))
    assert refused.status_code == 422
    assert _language_next(refused.get_data(as_text=True)) == "/surveys/new"
    post = survey_post()
    client.post("/surveys/new", data=post)
    url = f"/surveys/{post['uuid']}/edit"
    refused = client.post(url, data=post | {"seats": "999", "base_revision": "1"})
    assert refused.status_code == 422
    assert _language_next(refused.get_data(as_text=True)) == url
    listing = client.get("/surveys?status=draft")
    assert _language_next(listing.get_data(as_text=True)) == "/surveys?status=draft"


def test_switching_language_keeps_the_held_photos(client, make_user, login):
    login(make_user())
    jpeg = image_bytes("JPEG")
    digest = hashlib.sha256(jpeg).hexdigest()
    refused = client.post(
        "/surveys/new",
        data=survey_post(seats="999", photo_files=(io.BytesIO(jpeg), "a.jpg")),
        content_type="multipart/form-data",
    )
    back = _language_next(refused.get_data(as_text=True))
    assert back.startswith("/surveys/new?held=")
    switched = client.post("/language", data={"lang": "en", "next": back.replace("&amp;", "&")})
    page = client.get(switched.headers["Location"]).get_data(as_text=True)
    assert f'data-photo-sha256="{digest}"' in page and "The photos you chose are kept" in page


def test_a_held_photo_token_expires(client, make_user, login, monkeypatch):
    login(make_user())
    jpeg = image_bytes("JPEG")
    digest = hashlib.sha256(jpeg).hexdigest()
    token = _refused_holding(client, jpeg)
    assert client.get(f"/photos/{digest}/thumb?held={token}").status_code == 200
    monkeypatch.setattr("app.photos.held.MAX_AGE_S", -1)  # every token is now too old
    assert client.get(f"/photos/{digest}/thumb?held={token}").status_code == 404
    saved = client.post("/surveys/new", data=survey_post(held_photos=token))
    assert saved.status_code == 302
    assert db.session.scalar(select(Site)).photos == []


def test_a_number_field_refuses_nan_and_text_in_the_users_language(client, make_user, login):
    login(make_user())
    for typed in ("NaN", "inf", "-Infinity", "速い"):
        post = survey_post(**{"measurements-0-download_mbps": typed})
        response = client.post("/surveys/new", data=post)
        assert response.status_code == 422, typed
        assert "数値を入力してください" in response.get_data(as_text=True), typed
    english = client.post(
        "/surveys/new", data=survey_post(seats="many"), headers={"Accept-Language": "en"}
    )
    assert "Enter a whole number, e.g. 24." in english.get_data(as_text=True)
    assert _count(Site) == 0


def test_a_new_survey_under_a_used_identity_is_kept_as_a_new_one(client, make_user, login):
    login(make_user())
    first = survey_post(name="一つ目の拠点")
    assert client.post("/surveys/new", data=first).status_code == 302
    second = survey_post(uuid=first["uuid"], name="二つ目の拠点", seats="12")
    response = client.post("/surveys/new", data=second, headers={"Accept-Language": "en"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "already saved. Nothing was overwritten" in html and "二つ目の拠点" in html
    fresh = re.search(r'name="uuid" type="hidden" value="([^"]+)"', html).group(1)
    assert fresh != first["uuid"]
    assert db.session.scalar(select(Site.name)) == "一つ目の拠点"  # nothing overwritten
    saved = client.post("/surveys/new", data=second | {"uuid": fresh})
    assert saved.status_code == 302
    assert sorted(db.session.scalars(select(Site.name))) == ["一つ目の拠点", "二つ目の拠点"]
