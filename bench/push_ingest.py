"""Ingest throughput of POST /api/v1/sync/push against a raw SQLAlchemy Core insert, one run.

Usage: .venv/bin/python bench/push_ingest.py [--sites 10000] [--backend sqlite|postgresql|both]
Starts the app under gunicorn (2 workers) on 127.0.0.1, pushes realistic documents (3 speed
runs, 4 carriers, every amenity) in batches of 100 from one client, and prints sites/s, the
server's memory along the way, and the ratio to a raw Core executemany of the same rows.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import machine as bench_machine  # noqa: E402  (bench/machine.py)

from app import create_app  # noqa: E402
from app.accounts.models import ApiToken, User  # noqa: E402
from app.extensions import db  # noqa: E402
from forms.catalog import AMENITY_CODES  # noqa: E402

CARRIERS = ("docomo", "au", "softbank", "rakuten")


def document(i: int) -> dict:
    site_uuid = str(uuid.UUID(int=i + 1))
    return {
        "uuid": site_uuid,
        "name": f"候補地 {i}",
        "municipality_code": "304018",
        "latitude": 33.6 + (i % 1000) / 10000,
        "longitude": 135.3 + (i % 777) / 10000,
        "location_source": "gps",
        "location_accuracy_m": 6.0,
        "surveyed_on": "2026-11-20",
        "line_type": "fiber",
        "wifi_security": "wpa3",
        "seats": 20 + i % 30,
        "seats_with_outlet": 20,
        "meeting_booths": 2,
        "weekday_open": "09:00",
        "weekday_close": "18:00",
        "days_per_week": 5,
        "amenities": sorted(AMENITY_CODES),
        "measurements": [
            {
                "uuid": str(uuid.UUID(int=10**9 + i * 3 + k)),
                "method": "browser",
                "measured_at": f"2026-11-20T{10 + 3 * k}:00:00+09:00",
                "download_mbps": 100.0 + k,
                "upload_mbps": 40.0,
                "latency_ms": 15.0,
                "jitter_ms": 2.0,
            }
            for k in range(3)
        ],
        "coverage": [{"carrier": c, "technology": "4g", "rsrp_dbm": -85} for c in CARRIERS],
    }


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database(backend: str, folder: Path, server_url: str) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'bench.sqlite3'}", None
    name = f"wss_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        make_url(server_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(server_url).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False), name


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def run(backend: str, count: int, server_url: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="wss-bench-"))
    url, scratch = _database(backend, folder, server_url)
    config = {
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(folder),
        "SECRET_KEY": "bench",
        "RATELIMIT_ENABLED": False,
    }
    app = create_app(config)
    with app.app_context():
        app.test_cli_runner().invoke(args=["init-db"], catch_exceptions=False)
        user = User(
            email="bench@example.jp",
            role="surveyor",
            municipality_code="304018",
            prefecture_code="30",
            password_hash="-",
        )
        row, token = ApiToken.issue(user, "bench")
        db.session.add_all([user, row])
        db.session.commit()
    port = _port()
    env = os.environ | {"DATABASE_URL": url, "SECRET_KEY": "bench"}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "app.wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait(port)
        docs = [document(i) for i in range(count)]
        bodies = [  # encoded up front: the figure is the server's, not the client's JSON encoder
            json.dumps({"sites": docs[b : b + 100]}, ensure_ascii=False).encode()
            for b in range(0, count, 100)
        ]
        # pushes and raw inserts alternate in rounds, so that both see the same machine: the
        # VM's speed drifts within minutes (the CPU reference above varies up to 1.7x)
        memory, pushed, raw, last_id = [], 0.0, 0.0, 0
        per_round = max(1, len(bodies) // ROUNDS)
        for first in range(0, len(bodies), per_round):
            start = time.perf_counter()
            for b, body in enumerate(bodies[first : first + per_round], start=first):
                req = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/v1/sync/push",
                    body,
                    {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                )
                with urllib.request.urlopen(req, timeout=120) as response:
                    results = json.loads(response.read())["results"]
                assert all(r["status"] == "created" for r in results), results[:2]
                if b % 20 == 0:
                    children = _children(server.pid)
                    memory.append(round(_rss_mb(children), 1))
            pushed += time.perf_counter() - start
            seconds, last_id = _raw_insert(url, last_id)
            raw += seconds
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"[{backend}] push: {count} sites in {pushed:.1f} s = {count / pushed:,.0f} sites/s")
    print(
        f"[{backend}] raw Core executemany of the same rows (5 tables): {count / raw:,.0f} sites/s"
    )
    print(f"[{backend}] ratio push / raw: {raw / pushed:.2f}")
    print(f"[{backend}] server RSS (MB) every 20 batches: {memory}")
    if scratch:
        admin = create_engine(
            make_url(server_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()
    shutil.rmtree(folder, ignore_errors=True)


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [pid, *[int(p) for p in out.stdout.split()]]


def _wait(port: int) -> None:
    for _ in range(200):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("gunicorn did not start")


ROUNDS = 10  # push / raw alternations
TABLES = ("sites", "speed_measurements", "mobile_coverage", "site_revisions", "site_changes")


def _raw_insert(url: str, after_id: int) -> tuple[float, int]:
    """The ceiling: the very rows the last round of pushes stored (sites with id > after_id), in
    all five tables, deleted and inserted again with SQLAlchemy Core executemany, a hundred
    sites at a time, in one transaction. Returns the seconds and the highest site id."""
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine, only=TABLES)
    tables = meta.tables

    def new(name: str) -> Any:
        return tables[name].c.id if name == "sites" else tables[name].c.site_id

    with engine.connect() as conn:
        stored = {
            name: [
                dict(r._mapping)
                for r in conn.execute(tables[name].select().where(new(name) > after_id))
            ]
            for name in TABLES
        }
    with engine.begin() as conn:
        for name in reversed(TABLES):
            conn.execute(tables[name].delete().where(new(name) > after_id))
    site_ids = sorted(row["id"] for row in stored["sites"])
    by_site = {
        name: _group(rows, "id" if name == "sites" else "site_id") for name, rows in stored.items()
    }
    start = time.perf_counter()
    with engine.begin() as conn:
        for b in range(0, len(site_ids), 100):
            chunk = site_ids[b : b + 100]
            for name in TABLES:
                rows = [row for i in chunk for row in by_site[name].get(i, [])]
                if rows:
                    conn.execute(tables[name].insert(), rows)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed, site_ids[-1]


def _group(rows: list[dict], key: str) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return grouped


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=10000)
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(bench_machine.describe())
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run(backend, args.sites, args.url)


if __name__ == "__main__":
    main()
