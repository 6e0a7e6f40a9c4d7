"""Configuration layers and start-up errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import ConfigError, create_app
from app.config import check_database_url, load_config

ROOT = Path(__file__).resolve().parent.parent


def test_layers_defaults_instance_file_environment_then_overrides(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text('GEOCODER_DOMAIN = "geo.internal"\nPHOTO_THUMB_PX = 200\n')
    monkeypatch.setenv("GEOCODER_DOMAIN", "geo.from-env")
    monkeypatch.setenv("MAX_PHOTO_BYTES", "12345")
    config = load_config(tmp_path, {"PHOTO_THUMB_PX": 100})
    assert config["BABEL_DEFAULT_LOCALE"] == "ja"  # default
    assert config["GEOCODER_DOMAIN"] == "geo.from-env"  # environment beats instance file
    assert config["MAX_PHOTO_BYTES"] == 12345  # parsed as int
    assert config["PHOTO_THUMB_PX"] == 100  # caller beats everything
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'survey.sqlite3'}"


def test_development_secret_key_is_made_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(tmp_path, {})["SECRET_KEY"]
    assert len(first) > 40 and load_config(tmp_path, {})["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_needs_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match=r"^SECRET_KEY: must be set in production"):
        load_config(tmp_path, {"WSS_ENV": "production"})


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "DATABASE_URL: not a database URL"),
        ("mysql://u@h/db", "DATABASE_URL: unsupported database 'mysql'"),
    ],
)
def test_bad_database_urls(tmp_path, url, message):
    with pytest.raises(ConfigError, match=message):
        check_database_url(url, tmp_path)


def test_postgresql_url_gets_the_psycopg_driver(tmp_path):
    assert check_database_url("postgresql://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"


def test_unreachable_database_stops_create_app(tmp_path):
    with pytest.raises(ConfigError, match="DATABASE_URL: cannot connect"):
        create_app(
            {
                "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
                "INSTANCE_PATH": str(tmp_path),
                "SECRET_KEY": "x",
            }
        )


def test_bad_environment_number(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOCODER_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="GEOCODER_TIMEOUT"):
        load_config(tmp_path, {})


def _flask(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    environment |= env
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": "oracle://x@y/z"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}, "DATABASE_URL"),
        ({"WSS_ENV": "production", "DATABASE_URL": "sqlite://"}, "SECRET_KEY"),
        ({"UPSTREAM_URL": "127.0.0.1:5091", "DATABASE_URL": "sqlite://"}, "UPSTREAM_URL"),
    ],
)
def test_start_up_error_is_one_line_naming_the_setting(tmp_path, env, named):
    result = _flask(["routes"], env, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Configuration error: {named}")


def test_upstream_is_wired_from_configuration(tmp_path):
    from app.station.transport import UpstreamHttp

    common = {"DATABASE_URL": "sqlite://", "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"}
    central = create_app(common)
    assert "upstream" not in central.extensions
    station = create_app(
        common | {"UPSTREAM_URL": "http://central.example/", "UPSTREAM_TOKEN": "t"}
    )
    upstream = station.extensions["upstream"]
    assert isinstance(upstream, UpstreamHttp) and upstream.base_url == "http://central.example"
    with pytest.raises(ConfigError, match="UPSTREAM_URL"):
        create_app(common | {"UPSTREAM_URL": "ftp://x"})
