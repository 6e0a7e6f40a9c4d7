"""Everything create_app attaches: extensions, blueprints, services, error pages, CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.accounts.sessions import NoCookieForTokens
from app.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
from app.templating import template_helpers
from app.timeutil import to_jst

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(self), camera=(self), microphone=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
CSP = (
    "default-src 'self'; img-src 'self' data: blob: https://cyberjapandata.gsi.go.jp; "
    "script-src 'self'; style-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)
# Compressed by the app (zstd/br/gzip as the browser accepts): the shell a tablet downloads on
# its first visit and the service worker precaches — static files, /sw.js, the manifest. Not
# the pages (they carry the CSRF token: compression next to reflected input is BREACH; the TLS
# proxy decides), never the speed test (random bytes whose timing must not change) nor export
# downloads.
COMPRESSED_ENDPOINTS = frozenset({"static", "offline.service_worker", "offline.manifest"})


def init_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (register every table with the metadata)
    from app.i18n import select_locale, select_timezone
    from app.surveys.photo_checks import run_pending_checks

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, directory=str(_migrations_dir()))
    login_manager.init_app(app)
    app.session_interface = NoCookieForTokens()
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    app.config.setdefault("COMPRESS_REGISTER", False)  # compress_shell picks the responses
    # zstd level 9 instead of 3: the shell 7 % smaller (Leaflet 44 → 40 KB) for ~1 ms a file;
    # a tablet fetches each file once per version, the service worker keeps it
    app.config.setdefault("COMPRESS_ZSTD_LEVEL", 9)
    compress.init_app(app)
    app.after_request(compress_shell)
    app.after_request(_security_headers)
    app.after_request(run_pending_checks)  # photos of sites saved incomplete: look once more
    app.register_error_handler(HTTPException, _http_error)
    app.jinja_env.filters["jst"] = _format_jst
    app.context_processor(template_helpers)
    app.jinja_env.add_extension("jinja2.ext.do")


def _migrations_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "migrations"


def register_blueprints(app: Flask) -> None:
    from app.accounts.views import bp as accounts_bp
    from app.api.views import bp as api_bp
    from app.dashboard.views import bp as dashboard_bp
    from app.exports.views import bp as exports_bp
    from app.locations.views import bp as locations_bp
    from app.offline.views import bp as offline_bp
    from app.photos.views import bp as photos_bp
    from app.review.views import bp as review_bp
    from app.speedtest.station import bp as station_speedtest_bp
    from app.speedtest.views import bp as speedtest_bp
    from app.surveys.views import bp as surveys_bp

    for blueprint in (
        accounts_bp,
        surveys_bp,
        review_bp,
        dashboard_bp,
        exports_bp,
        photos_bp,
        locations_bp,
        api_bp,
        offline_bp,
        speedtest_bp,
        station_speedtest_bp,
    ):
        app.register_blueprint(blueprint)
    app.add_url_rule("/healthz", "healthz", lambda: {"status": "ok"})


def register_services(app: Flask) -> None:
    """Configuration picks the implementations; views only look them up."""
    from app.config import ConfigError
    from app.geo.geocoding import Geocoder, GeocoderSettings
    from app.locations.cache import DatabaseGeocodeCache
    from app.photos.storage import PhotoStore
    from app.scoring import RubricError, load_rubric
    from app.surveys.feed_order import feed_numbering_for
    from app.surveys.row_writers import row_writer_for

    app.extensions["photo_store"] = PhotoStore(
        root=Path(app.config["PHOTO_ROOT"]),
        max_bytes=app.config["MAX_PHOTO_BYTES"],
        thumb_px=app.config["PHOTO_THUMB_PX"],
    )
    settings = GeocoderSettings(
        provider=app.config["GEOCODER_PROVIDER"],
        domain=app.config["GEOCODER_DOMAIN"],
        scheme=app.config["GEOCODER_SCHEME"],
        user_agent=app.config["GEOCODER_USER_AGENT"],
        timeout_s=float(app.config["GEOCODER_TIMEOUT"]),
    )
    app.extensions["geocoder"] = Geocoder(settings, DatabaseGeocodeCache())
    app.extensions["row_writer"] = row_writer_for(app.config["SQLALCHEMY_DATABASE_URI"])
    app.extensions["feed_numbering"] = feed_numbering_for(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        app.extensions["rubric"] = load_rubric(app.config.get("RUBRIC_PATH"))
    except RubricError as exc:
        raise ConfigError(f"RUBRIC_PATH: {exc}") from exc
    from app.exports.jobs import runner_for

    app.extensions["export_runner"] = runner_for(app)
    from app.speedtest.station import wire_station_speedtest

    wire_station_speedtest(app)  # app.extensions["speedtest_jobs"] where SPEEDTEST_STATION says
    if app.config.get("UPSTREAM_URL"):  # a station or municipal server with a hub above it
        from app.config import ConfigError
        from app.station.transport import UpstreamHttp

        if not str(app.config["UPSTREAM_URL"]).startswith(("http://", "https://")):
            raise ConfigError(
                "UPSTREAM_URL: must start with http:// or https://, e.g. https://central.example.jp"
            )
        app.extensions["upstream"] = UpstreamHttp(
            app.config["UPSTREAM_URL"],
            app.config.get("UPSTREAM_TOKEN") or "",
            timeout_s=float(app.config.get("UPSTREAM_TIMEOUT", 30)),
        )


def register_cli(app: Flask) -> None:
    from app.cli import register

    register(app)


def compress_shell(response: Any) -> Any:
    if request.endpoint in COMPRESSED_ENDPOINTS:
        return compress.after_request(response)
    return response


def _security_headers(response: Any) -> Any:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Content-Security-Policy", CSP)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/geo/", "/speedtest/")) or (
        request.accept_mimetypes.best == "application/json"
    )


def _http_error(error: HTTPException) -> Any:
    code = error.code or 500
    if wants_json():
        return jsonify(error=error.name, message=error.description), code
    messages = {
        400: _("The request could not be understood. Please reload the page and try again."),
        403: _("You do not have permission to see this page."),
        404: _("This page does not exist, or you do not have access to it."),
        405: _("This address cannot be opened directly. Go back and use the page's buttons."),
        413: _("The upload is too large."),
        429: _("Too many attempts. Please wait a minute and try again."),
    }
    if isinstance(error, CSRFError):
        message = _(
            "This page has expired or you were signed out. Go back, reload the page (sign in"
            " again if asked) and repeat the last step."
        )
    elif code in messages:
        message = messages[code]
    elif error.description != type(error).description:  # written for this case by the view
        message = error.description
    else:  # werkzeug's own text is English only
        message = _(
            "Something went wrong. Please try again; if it keeps happening, tell your"
            " administrator."
        )
    g.error_code = code
    return render_template("error.html", code=code, message=message), code


def _format_jst(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return to_jst(value).strftime(fmt)
