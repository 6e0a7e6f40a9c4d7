"""Sign in, sign out, choose the language."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from app.accounts.models import ApiToken, User
from app.extensions import db, limiter, login_manager
from app.i18n import LANG_COOKIE
from app.timeutil import utcnow
from forms.auth import LoginForm

bp = Blueprint("auth", __name__, template_folder="templates")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@login_manager.request_loader
def load_user_from_token(req: Any) -> User | None:
    """`Authorization: Bearer <token>` for devices; only the token's hash is looked up."""
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    token_hash = ApiToken.hash_token(header.removeprefix("Bearer ").strip())
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.user.active:
        return None
    token.last_used_at = utcnow()
    g.authenticated_by_token = True
    return token.user


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("surveys.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Email or password is wrong."))
    return render_template("accounts/login.html", form=form)


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect a signed-in user to another site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("surveys.index")


@bp.post("/logout")
@login_required
def logout() -> Any:
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def set_language() -> Any:
    lang = request.form.get("lang", "")
    response = redirect(_safe_next(request.form.get("next")))
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response
