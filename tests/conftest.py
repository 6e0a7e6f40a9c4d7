"""Fixtures: every app test runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
REFERENCE_TABLES = ("prefectures", "municipalities", "alembic_version")
PASSWORD = "correct horse battery"

# Geocoding in tests never leaves the machine: port 9 on loopback refuses connections.
BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "GEOCODER_DOMAIN": "127.0.0.1:9",
    "GEOCODER_SCHEME": "http",
    "GEOCODER_TIMEOUT": 1.0,
    "SPEEDTEST_USE_PUBLIC": 0,  # tests never reach the internet
}


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs() -> None:
    """Compile the .po catalogs so a plain `pytest` run sees the same text as `make test`."""
    from babel.messages.frontend import CommandLineInterface

    root = Path(__file__).resolve().parent.parent
    CommandLineInterface().run(
        ["pybabel", "-q", "compile", "--use-fuzzy", "-d", str(root / "app/translations")]
    )


def _migrate(url: str, instance: Path) -> None:
    app = create_app({**BASE_CONFIG, "DATABASE_URL": url, "INSTANCE_PATH": str(instance)})
    with app.app_context():  # this app's context, whatever else is active
        result = app.test_cli_runner().invoke(args=["init-db"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the reference data, copied for each test."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    _migrate(f"sqlite:///{path}", folder)
    return path


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own on the TEST_DATABASE_URL server, migrated once, dropped at the end."""
    server = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    name = f"wss_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    _migrate(url, tmp_path_factory.mktemp("pg-instance"))
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        target = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("postgres_url")
    _truncate(url)
    return url


def _truncate(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [t for t in db.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
        names = ", ".join(f'"{t.name}"' for t in tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Override in a test module to change the app's configuration."""
    return {}


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (own `g`, own session), as in production.

    Without this, requests would reuse the test's app context and share its `g` and
    database session, hiding bugs such as state leaking from one request to the next.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url: str, tmp_path: Path, config_overrides: dict[str, Any]) -> Iterator[Any]:
    instance = tmp_path / "instance"
    app = create_app(
        {**BASE_CONFIG, "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance)}
        | config_overrides
    )
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Any) -> Callable[..., Any]:
    from app.accounts.models import User

    def make(
        role: str = "surveyor",
        municipality: str | None = "304018",
        prefecture: str | None = None,
        email: str | None = None,
    ) -> User:
        user = User(
            email=email or f"{role}-{uuid.uuid4().hex[:8]}@example.jp",
            role=role,
            municipality_code=municipality,
            prefecture_code=prefecture or (municipality[:2] if municipality else None),
            display_name=f"{role} user",
        )
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client: Any) -> Callable[[Any], Any]:
    def do(user: Any) -> Any:
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.data[:500]
        return response

    return do


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """The test's app on 127.0.0.1:<free port>, one thread per request; its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
