"""Roles and municipality scoping on every route."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.accounts.scope import Scope
from app.extensions import db
from app.surveys.models import Site
from tests.factories import image_bytes, survey_post

SHIRAHAMA, TANABE, HAKUBA = "304018", "302066", "204854"


def test_scope_rules():
    surveyor = Scope("surveyor", SHIRAHAMA, "30")
    assert surveyor.can_view(SHIRAHAMA) and not surveyor.can_view(TANABE)
    assert surveyor.can_edit(SHIRAHAMA) and surveyor.can_create
    reviewer = Scope("reviewer", None, "30")
    assert reviewer.can_view(TANABE) and not reviewer.can_view(HAKUBA)
    assert not reviewer.can_edit(TANABE) and not reviewer.can_create
    viewer = Scope("viewer", None, "20")
    assert viewer.can_view(HAKUBA) and not viewer.can_edit(HAKUBA)
    admin = Scope("admin", None, None)
    assert admin.can_view(HAKUBA) and admin.can_edit(TANABE) and admin.can_create
    unscoped = Scope("reviewer", None, None)
    assert not unscoped.can_view(TANABE)


@pytest.fixture
def sites(client, make_user, login):
    """One site in 白浜町 (with a photo) and one in 白馬村, made by their own surveyors."""
    made = {}
    for code in (SHIRAHAMA, HAKUBA):
        login(make_user("surveyor", code))
        post = survey_post(
            municipality_code=code,
            name=f"site {code}",
            latitude=None,
            longitude=None,
            postal_code=None,
            station_latitude=None,
            station_longitude=None,
            photo_files=(io.BytesIO(image_bytes(noise=True)), "p.jpg"),  # distinct bytes
        )
        response = client.post("/surveys/new", data=post, content_type="multipart/form-data")
        assert response.status_code == 302
        client.post("/logout")
        made[code] = db.session.scalar(select(Site).where(Site.municipality_code == code))
    return made


def _routes(site):
    sha = site.photos[0].sha256
    return [
        f"/surveys/{site.uuid}",
        f"/surveys/{site.uuid}/edit",
        f"/photos/{sha}",
        f"/photos/{sha}/thumb",
    ]


@pytest.mark.parametrize(
    ("role", "municipality", "prefecture", "view", "edit"),
    [
        ("surveyor", SHIRAHAMA, None, {SHIRAHAMA}, {SHIRAHAMA}),
        ("surveyor", TANABE, None, set(), set()),
        ("reviewer", None, "30", {SHIRAHAMA}, set()),
        ("viewer", None, "20", {HAKUBA}, set()),
        ("admin", None, None, {SHIRAHAMA, HAKUBA}, {SHIRAHAMA, HAKUBA}),
    ],
)
def test_every_site_route_is_scoped(
    client, make_user, login, sites, role, municipality, prefecture, view, edit
):
    login(make_user(role, municipality, prefecture))
    listing = client.get("/surveys").get_data(as_text=True)
    for code, site in sites.items():
        detail, edit_page, photo, thumb = (client.get(url).status_code for url in _routes(site))
        assert (f"site {code}" in listing) == (code in view)
        assert detail == (200 if code in view else 404)
        assert photo == thumb == (200 if code in view else 404)
        expected_edit = 200 if code in edit else (403 if code in view else 404)
        assert edit_page == expected_edit
        hijack = survey_post(name="hijack", base_revision=str(site.revision))
        post = client.post(f"/surveys/{site.uuid}/edit", data=hijack)
        assert post.status_code in ((302, 422) if code in edit else (403, 404))
    db.session.expire_all()
    for code, site in sites.items():
        if code not in edit:
            assert site.name == f"site {code}", "a refused edit must change nothing"


def test_surveyor_cannot_record_a_site_in_another_municipality(client, make_user, login):
    login(make_user("surveyor", SHIRAHAMA))
    response = client.post(
        "/surveys/new",
        data=survey_post(municipality_code=TANABE),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "only record sites in your own municipality" in response.get_data(as_text=True)
    assert db.session.scalar(select(Site)) is None


@pytest.mark.parametrize("role", ["reviewer", "viewer"])
def test_reviewers_and_viewers_cannot_create(client, make_user, login, role):
    login(make_user(role, None, "30"))
    assert client.get("/surveys/new").status_code == 403
    assert client.post("/surveys/new", data=survey_post()).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, sites):
    for url in [*_routes(sites[SHIRAHAMA]), "/surveys", "/surveys/new", "/geo/postal/6492211"]:
        response = client.get(url)
        assert response.status_code in (302, 401), url


def test_unknown_site_is_404_not_500(client, make_user, login):
    login(make_user())
    assert client.get("/surveys/not-a-uuid").status_code == 404
    assert client.get("/photos/../../etc/passwd").status_code == 404
    assert client.get("/photos/" + "A" * 64).status_code == 404


@pytest.mark.parametrize(
    "scope",
    [
        Scope("surveyor", SHIRAHAMA, "30"),
        Scope("surveyor", TANABE, "30"),
        Scope("reviewer", None, "30"),
        Scope("viewer", None, "20"),
        Scope("reviewer", None, "47"),
        Scope("reviewer", None, None),
        Scope("admin", None, None),
    ],
)
def test_scoping_by_the_prefecture_column_selects_the_same_sites(sites, scope):
    """The list and the dashboard scope reviewers and viewers by `sites.prefecture_code` (an
    index) instead of the municipality code's prefix: always the same sites."""
    by_prefix = scope.filter(select(Site.uuid), Site.municipality_code)
    by_column = scope.filter(select(Site.uuid), Site.municipality_code, Site.prefecture_code)
    expected = {s.uuid for s in sites.values() if scope.can_view(s.municipality_code)}
    assert set(db.session.scalars(by_prefix)) == set(db.session.scalars(by_column)) == expected
    assert all(s.prefecture_code == s.municipality_code[:2] for s in sites.values())
