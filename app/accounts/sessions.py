"""Token-authenticated requests never get a session cookie (Flask-Login's documented recipe)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.sessions import SecureCookieSessionInterface


class NoCookieForTokens(SecureCookieSessionInterface):
    def save_session(self, app: Any, session: Any, response: Any) -> None:
        if g.get("authenticated_by_token"):
            return None
        return super().save_session(app, session, response)
