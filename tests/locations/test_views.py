"""Postal lookup and geocoding endpoints used by the survey form."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.locations.models import GeocodeCacheEntry
from app.surveys.models import Site
from tests.factories import survey_post
from tests.geo.fake_nominatim import FakeNominatim

ADDRESS = "和歌山県 白浜町 白浜町 2998"


@pytest.fixture
def nominatim():
    with FakeNominatim() as server:
        server.places[ADDRESS] = (33.6781, 135.3480)
        yield server


@pytest.fixture
def config_overrides(nominatim):
    return {"GEOCODER_DOMAIN": nominatim.domain, "GEOCODER_SCHEME": nominatim.scheme}


def test_postal_code_gives_prefecture_municipality_and_town(client, make_user, login):
    login(make_user())
    body = client.get("/geo/postal/649-2211").get_json()
    assert body["matches"] == [
        {
            "postal_code": "6492211",
            "prefecture": "和歌山県",
            "municipality_code": "304018",
            "municipality": "和歌山県 白浜町",
            "town": "白浜町",
            "in_scope": True,
        }
    ]


def test_postal_code_says_whether_the_user_may_record_there(client, make_user, login):
    login(make_user("surveyor", "304018"))
    [match] = client.get("/geo/postal/646-0001").get_json()["matches"]
    assert (match["municipality_code"], match["in_scope"]) == ("302066", False)
    client.post("/logout")
    login(make_user("admin", None, None))
    [match] = client.get("/geo/postal/646-0001").get_json()["matches"]
    assert match["in_scope"] is True


def test_postal_code_errors_are_json(client, make_user, login):
    login(make_user())
    bad = client.get("/geo/postal/12")
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_postal_code"
    missing = client.get("/geo/postal/0000000")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"


def test_geocode_goes_through_geopy_to_the_configured_provider_and_is_cached(
    client, make_user, login, nominatim
):
    login(make_user())
    first = client.post("/geo/geocode", json={"address": ADDRESS})
    assert first.status_code == 200
    assert first.get_json()["latitude"] == pytest.approx(33.6781)
    second = client.post("/geo/geocode", json={"address": f"  {ADDRESS} "})
    assert second.status_code == 200
    assert len(nominatim.search_requests) == 1, "the second answer must come from the cache"
    assert db.session.scalar(select(GeocodeCacheEntry)).latitude == pytest.approx(33.6781)


def test_geocode_not_found_and_unavailable(client, make_user, login, nominatim):
    login(make_user())
    assert client.post("/geo/geocode", json={"address": "どこにもない町"}).status_code == 404
    assert client.post("/geo/geocode", json={}).status_code == 400
    nominatim.mode = "error500"
    down = client.post("/geo/geocode", json={"address": "別の住所"})
    assert down.status_code == 503 and down.get_json()["status"] == "unavailable"


def test_saving_without_coordinates_geocodes_the_address(client, make_user, login):
    login(make_user())
    post = survey_post(
        latitude=None,
        longitude=None,
        location_source=None,
        postal_code=None,
        address_town="白浜町",
        address_line="2998",
    )
    assert client.post("/surveys/new", data=post).status_code == 302
    site = db.session.scalar(select(Site))
    assert (site.latitude, site.longitude, site.location_source) == (33.6781, 135.348, "geocoded")
    assert site.derived["latitude"] == "geocoded"
