"""A real central server in its own process, and a station (the test's app) pointed at it."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, text

from app import create_app
from app.accounts.models import ApiToken, User
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CentralServer:
    """`python -m tests.e2e.central_server` on a port; can be killed and started again."""

    def __init__(self, database_url: str, instance: Path) -> None:
        self.database_url, self.instance = database_url, instance
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def start(self, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.e2e.central_server",
                self.database_url,
                str(self.instance),
                str(self.port),
            ],
            cwd=ROOT,
            env=os.environ | (env or {}),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.strip() == "ready", "central server did not start"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("central server not listening")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> Any:
        """An in-process app on the central database, for setting up and checking."""
        return create_app(
            {
                "DATABASE_URL": self.database_url,
                "INSTANCE_PATH": str(self.instance),
                "SECRET_KEY": "central-test",
                "CHECK_DATABASE": False,
            }
        )


@contextlib.contextmanager
def running_central(database_url: str, instance: Path, sqlite_template: Path):
    """A central server process on a fresh database of the same kind as `database_url`."""
    instance.mkdir()
    name = None
    if database_url.startswith("sqlite"):
        shutil.copy(sqlite_template, instance / "central.sqlite3")
        url = f"sqlite:///{instance / 'central.sqlite3'}"
    else:
        server = make_url(database_url)
        name = f"wss_central_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = server.set(database=name).render_as_string(hide_password=False)
        migrate_app = create_app(
            {"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "x"}
        )
        with migrate_app.app_context():  # not the station's context, which is active here
            result = migrate_app.test_cli_runner().invoke(args=["init-db"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    central = CentralServer(url, instance)
    central.start()
    try:
        yield central
    finally:
        central.kill()
        if name:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture
def central(request, database_url, tmp_path, sqlite_template):
    """A central server on the same kind of database as the station under test."""
    with running_central(database_url, tmp_path / "central", sqlite_template) as server:
        yield server


@pytest.fixture
def prefecture(database_url, tmp_path, sqlite_template):
    """A second server above `central`: for three tiers (station → municipality → prefecture)."""
    with running_central(database_url, tmp_path / "prefecture", sqlite_template) as server:
        yield server


def central_token(central: CentralServer, role: str = "surveyor", municipality: str = "304018"):
    app = central.app()
    with app.app_context():
        user = User(
            email=f"station-{uuid.uuid4().hex[:6]}@example.jp",
            role=role,
            municipality_code=municipality,
            prefecture_code=municipality[:2],
        )
        user.set_password("x" * 12)
        db.session.add(user)
        row, plain = ApiToken.issue(user, "station")
        db.session.add(row)
        db.session.commit()
        db.engine.dispose()
    return plain
