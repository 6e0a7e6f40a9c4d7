"""Configuration: defaults, then instance/config.py, then environment, then the caller's mapping."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_BACKENDS = ("sqlite", "postgresql")

DEFAULTS: dict[str, Any] = {
    "WSS_ENV": "development",
    "SECRET_KEY": None,
    "DATABASE_URL": None,
    "UPSTREAM_URL": None,
    "UPSTREAM_TOKEN": None,
    "UPSTREAM_TIMEOUT": 30.0,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    "MAX_PHOTO_BYTES": 15 * 1024 * 1024,
    "API_MAX_DOCUMENT_BYTES": 8 * 1024 * 1024,
    "PHOTO_THUMB_PX": 320,
    "PHOTOS_PER_UPLOAD": 12,
    "BABEL_DEFAULT_LOCALE": "ja",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
    "LANGUAGES": ("ja", "en"),
    "RATELIMIT_STORAGE_URI": "memory://",
    "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    "RATELIMIT_HEADERS_ENABLED": True,
    "GEOCODER_PROVIDER": "nominatim",
    "GEOCODER_DOMAIN": "nominatim.openstreetmap.org",
    "GEOCODER_SCHEME": "https",
    "GEOCODER_TIMEOUT": 5.0,
    "GEOCODER_USER_AGENT": "workation-site-survey/0.1",
    "GEOLOCATION_ACCEPT_M": 10,
    "GEOLOCATION_WARN_M": 100,
    "MAP_TILE_URL": "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png",
    "MAP_TILE_ATTRIBUTION": '<a href="https://maps.gsi.go.jp/development/ichiran.html">地理院タイル</a>',
    "DASHBOARD_CACHE_SECONDS": 30.0,
    "OFFLINE_PHOTO_MAX_PX": 1600,  # photos saved on a tablet are shrunk to this longest side
    # exports: where jobs run (thread | rq | inline), their files, and the workbook's contact
    "EXPORT_QUEUE": "thread",
    "EXPORT_REDIS_URL": "redis://127.0.0.1:6379/0",
    "EXPORT_RQ_QUEUE": "exports",
    "EXPORT_RETENTION_HOURS": 24.0,
    "EXPORT_CONTACT": "",  # the metadata sheet's 問合せ先; blank: the e-mail of who exported
    "EXPORT_SITE_URL_BASE": None,  # base of the URL column; None: UPSTREAM_URL, else this server
    # speed tests (issue #5): the server's /speedtest/ endpoints and `flask speedtest`
    "SPEEDTEST_SERVER_URL": None,  # this product's server to measure against; None: UPSTREAM_URL
    "SPEEDTEST_USE_PUBLIC": 1,  # 1: try the public Ookla network first; 0: never
    "SPEEDTEST_PUBLIC_TIMEOUT": 5.0,  # seconds per request to speedtest.net and its servers
    "SPEEDTEST_TIMEOUT": 10.0,  # seconds per request to this product's server
    "SPEEDTEST_SECONDS": 10.0,  # length of each direction of a speedtest-cli run
    "SPEEDTEST_RATE_LIMIT": "300 per minute;3000 per hour",  # requests per client address
    "SPEEDTEST_TRANSFER_LIMIT": "16384 per hour",  # MiB moved (down + up) per client address
    "SPEEDTEST_MAX_DOWNLOAD_BYTES": 64 * 1024 * 1024,  # GET /speedtest/download?bytes=N
    "SPEEDTEST_MAX_UPLOAD_BYTES": 32 * 1024 * 1024,  # one upload body (speedtest-cli: 7 MiB)
    "SPEEDTEST_MAX_SECONDS": 60.0,  # one download or upload request at most
    "SPEEDTEST_COUNTER_STORAGE_URI": None,  # received bytes per run; None: RATELIMIT_STORAGE_URI
    "SPEEDTEST_STATION": None,  # station button: 1 on, 0 off; None: on if UPSTREAM/SERVER_URL
    "RUBRIC_PATH": None,  # a tuned copy of app/scoring/rubrics/*.toml; None: the bundled rubric
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "WTF_CSRF_TIME_LIMIT": None,
}

# Environment variables read at start-up, with the type each is parsed as.
ENVIRONMENT: dict[str, type] = {
    "WSS_ENV": str,
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "UPSTREAM_URL": str,
    "UPSTREAM_TOKEN": str,
    "UPSTREAM_TIMEOUT": float,
    "RATELIMIT_STORAGE_URI": str,
    "GEOCODER_PROVIDER": str,
    "GEOCODER_DOMAIN": str,
    "GEOCODER_SCHEME": str,
    "GEOCODER_TIMEOUT": float,
    "MAX_PHOTO_BYTES": int,
    "GEOLOCATION_ACCEPT_M": int,
    "GEOLOCATION_WARN_M": int,
    "RUBRIC_PATH": str,
    "MAP_TILE_URL": str,
    "MAP_TILE_ATTRIBUTION": str,
    "DASHBOARD_CACHE_SECONDS": float,
    "OFFLINE_PHOTO_MAX_PX": int,
    "EXPORT_QUEUE": str,
    "EXPORT_REDIS_URL": str,
    "EXPORT_RQ_QUEUE": str,
    "EXPORT_DIR": str,
    "EXPORT_RETENTION_HOURS": float,
    "EXPORT_CONTACT": str,
    "EXPORT_SITE_URL_BASE": str,
    "SPEEDTEST_SERVER_URL": str,
    "SPEEDTEST_USE_PUBLIC": int,
    "SPEEDTEST_PUBLIC_TIMEOUT": float,
    "SPEEDTEST_TIMEOUT": float,
    "SPEEDTEST_SECONDS": float,
    "SPEEDTEST_RATE_LIMIT": str,
    "SPEEDTEST_TRANSFER_LIMIT": str,
    "SPEEDTEST_MAX_DOWNLOAD_BYTES": int,
    "SPEEDTEST_MAX_UPLOAD_BYTES": int,
    "SPEEDTEST_MAX_SECONDS": float,
    "SPEEDTEST_COUNTER_STORAGE_URI": str,
    "SPEEDTEST_STATION": int,
}


class ConfigError(Exception):
    """A configuration value that stops start-up; the message names the setting."""


def load_config(instance_path: Path, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Merge the layers and check the result."""
    config = dict(DEFAULTS)
    config.update(_instance_file(instance_path / "config.py"))
    config.update(_environment(os.environ))
    config.update(overrides or {})
    config["DATABASE_URL"] = check_database_url(config["DATABASE_URL"], instance_path)
    config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"]
    config["SECRET_KEY"] = _secret_key(config, instance_path)
    if config["WSS_ENV"] == "production":
        config.setdefault("SESSION_COOKIE_SECURE", True)
        config.setdefault("REMEMBER_COOKIE_SECURE", True)
    return config


def _instance_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    namespace: dict[str, Any] = {"__file__": str(path)}
    try:
        exec(compile(path.read_bytes(), str(path), "exec"), namespace)  # noqa: S102
    except Exception as exc:
        raise ConfigError(f"instance config {path}: {exc}") from exc
    return {key: value for key, value in namespace.items() if key.isupper()}


def _environment(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, kind in ENVIRONMENT.items():
        raw = environ.get(name)
        if raw is None or raw == "":
            continue
        try:
            values[name] = kind(raw)
        except ValueError as exc:
            raise ConfigError(f"{name}: expected a {kind.__name__}, got {raw!r}") from exc
    return values


def check_database_url(url: str | None, instance_path: Path) -> str:
    """Return a usable SQLAlchemy URL, or raise ConfigError naming DATABASE_URL."""
    if not url:
        return f"sqlite:///{instance_path / 'survey.sqlite3'}"
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"DATABASE_URL: not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise ConfigError(
            f"DATABASE_URL: unsupported database {backend!r} (use sqlite or postgresql)"
        )
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _secret_key(config: Mapping[str, Any], instance_path: Path) -> str:
    key = config.get("SECRET_KEY")
    if key:
        return str(key)
    if config["WSS_ENV"] == "production":
        raise ConfigError("SECRET_KEY: must be set in production (WSS_ENV=production)")
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key
