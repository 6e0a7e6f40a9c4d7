"""Signing in and out, rate limiting, safe redirects, language choice."""

from __future__ import annotations

import pytest

from app.accounts.models import User
from app.extensions import db
from tests.conftest import PASSWORD


def test_password_is_stored_hashed(make_user):
    user = make_user()
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert user.check_password(PASSWORD) and not user.check_password("wrong")


def test_sign_in_and_out(client, make_user):
    user = make_user()
    assert client.get("/surveys").status_code == 302  # to the sign-in page
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/surveys").status_code == 200
    client.post("/logout")
    assert client.get("/surveys").status_code == 302


def test_wrong_password_gets_a_message_in_the_users_language(client, make_user):
    user = make_user()
    response = client.post(
        "/login", data={"email": user.email, "password": "nope"}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 200
    assert "Email or password is wrong." in response.get_data(as_text=True)


def test_inactive_user_cannot_sign_in(client, make_user):
    user = make_user()
    user.active = False
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_next_never_leaves_the_site(client, make_user, target):
    user = make_user()
    response = client.post(
        f"/login?next={target}", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_next_to_a_local_page_is_followed(client, make_user):
    user = make_user()
    response = client.post(
        "/login?next=/surveys/new", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/surveys/new"


@pytest.fixture
def config_overrides():
    return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}


def test_login_is_rate_limited(client, make_user):
    user = make_user()
    codes = [
        client.post("/login", data={"email": user.email, "password": "guess"}).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    page = client.get("/login")
    assert page.status_code == 200  # looking at the form is not limited


def test_language_switch_sets_a_cookie(client):
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page
    client.post("/language", data={"lang": "ja"})
    assert '<html lang="ja">' in client.get("/login").get_data(as_text=True)


def test_user_table_has_no_plain_password(make_user):
    make_user()
    assert all(PASSWORD not in u.password_hash for u in db.session.query(User))
