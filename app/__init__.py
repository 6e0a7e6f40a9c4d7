"""Workation Site Survey: the application factory."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from app.config import ConfigError, load_config

__all__ = ["ConfigError", "create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, instance/config.py, environment, then `config`.

    Called without arguments (flask CLI, gunicorn), a configuration error ends the process
    with one line naming the setting; called with a mapping (tests), it raises ConfigError.
    """
    try:
        return _build(config)
    except ConfigError as exc:
        if config is not None:
            raise
        print(f"Configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _build(overrides: Mapping[str, Any] | None) -> Flask:
    root = Path(__file__).resolve().parent.parent
    chosen = (overrides or {}).get("INSTANCE_PATH") or os.environ.get("WSS_INSTANCE_PATH")
    instance_path = Path(chosen or (root / "instance")).resolve()
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        instance_relative_config=True,
        static_folder=str(root / "static"),
        static_url_path="/static",
    )
    instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(instance_path, overrides))
    app.config.setdefault("PHOTO_ROOT", str(instance_path / "photos"))
    app.config.setdefault("EXPORT_DIR", str(instance_path / "exports"))
    _check_database(app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("CHECK_DATABASE", True))

    from app import wiring

    wiring.init_extensions(app)
    wiring.register_blueprints(app)
    wiring.register_services(app)
    wiring.register_cli(app)
    return app


def _check_database(url: str, enabled: bool) -> None:
    """Connect once so a wrong DATABASE_URL stops start-up instead of failing the first request."""
    if not enabled:
        return
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise ConfigError(f"DATABASE_URL: cannot connect ({reason})") from exc
    except ModuleNotFoundError as exc:
        raise ConfigError(f"DATABASE_URL: database driver missing ({exc.name})") from exc
    finally:
        engine.dispose()
