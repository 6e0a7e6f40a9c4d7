"""Security headers and CSRF."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.factories import survey_post


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "geolocation=(self)" in response.headers["Permissions-Policy"]


def test_session_cookie_is_http_only_and_same_site(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.fixture
def config_overrides():
    return {"WTF_CSRF_ENABLED": True}


def test_forms_without_a_csrf_token_are_refused(client, make_user):
    user = make_user()
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "This page has expired or you were signed out." in response.get_data(as_text=True)
    assert client.get("/surveys").status_code == 302
    japanese = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert "ページの有効期限が切れたか" in japanese.get_data(as_text=True)


def test_error_pages_speak_the_users_language(client):
    """werkzeug's own texts are English: every error page says something in Japanese."""
    wrong_method = client.get("/logout", headers={"Accept-Language": "ja"})
    assert wrong_method.status_code == 405
    assert "このアドレスは直接開けません" in wrong_method.get_data(as_text=True)


def test_forms_with_the_csrf_token_work(client, make_user):
    import re

    user = make_user()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    blocked = client.post("/surveys/new", data=survey_post())
    assert blocked.status_code == 400
    assert client.post("/logout").status_code == 400
