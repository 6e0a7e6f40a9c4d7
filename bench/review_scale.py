"""Readiness at scale on PostgreSQL: rescoring every site, and the list, filter and map data
endpoints under concurrent clients.

Usage: .venv/bin/python bench/review_scale.py [--sites 100000] [--clients 20] [--requests 25]

1. Creates a scratch PostgreSQL database and loads N varied sites (6 municipalities in two
   prefectures, fields varied so that every tier occurs) through `create_sites`, the code a
   sync push uses.
2. Times `rescore` of all of them, the code behind `flask --app app rescore`.
3. Starts gunicorn on 127.0.0.1, signs in a reviewer of 和歌山県 (about half the sites) and runs
   a bounded load: C client threads, each sending R requests to every endpoint over keep-alive
   connections; prints p50 / p95 / max latency per endpoint as the client saw it.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from push_ingest import _port, _wait  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.extensions import db  # noqa: E402
from app.review.rescore import rescore  # noqa: E402
from app.surveys.bulk import create_sites  # noqa: E402
from forms.catalog import AMENITY_CODES  # noqa: E402
from forms.compiled import fast_validate  # noqa: E402

PLACES = {  # municipality: (latitude, longitude)
    "304018": (33.68, 135.35),
    "302066": (33.73, 135.38),
    "304212": (33.64, 135.93),
    "204854": (36.70, 137.86),
    "203211": (36.35, 138.60),
    "202142": (35.99, 138.14),
}
PASSWORD = "bench-pass-2026"


def document(i: int, rng: random.Random) -> dict:
    code = list(PLACES)[i % len(PLACES)]
    lat, lon = PLACES[code]
    amenities = rng.sample(sorted(AMENITY_CODES), rng.randint(3, 30))
    seats = rng.randint(1, 60)
    return {
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "name": f"候補地 {i}",
        "municipality_code": code,
        "latitude": round(lat + rng.uniform(-0.08, 0.08), 5),
        "longitude": round(lon + rng.uniform(-0.08, 0.08), 5),
        "location_source": "gps",
        "surveyed_on": f"2026-{rng.randint(4, 11):02d}-{rng.randint(1, 28):02d}",
        "wifi_security": rng.choice(["wpa3", "wpa2", "wpa2", "open"]),
        "seats": seats,
        "seats_with_outlet": rng.randint(0, seats),
        "meeting_booths": rng.randint(0, 6),
        "chair_height_adjustable": rng.random() < 0.7,
        "chair_back_adjustable": rng.random() < 0.6,
        "chair_armrests": rng.random() < 0.5,
        "desk_lux": rng.choice([200, 350, 500]),
        "temperature_c": 22,
        "humidity_pct": 50,
        "weekday_open": "09:00",
        "weekday_close": rng.choice(["17:00", "18:00", "21:00"]),
        "days_per_week": rng.choice([5, 6, 7]),
        "certification": rng.choice(["none", "business", "premium"]),
        "lodging_minutes": rng.randint(1, 60),
        "lodging_accepts_3_nights": rng.random() < 0.8,
        "room_wifi_meets_g1": rng.random() < 0.6,
        "room_desk_chair": rng.random() < 0.5,
        "long_stay_plan": rng.random() < 0.5,
        "rooms_within_30min": rng.randint(0, 200),
        "metro_origin": "osaka",
        "metro_minutes": rng.randint(90, 300),
        "station_distance_m": rng.randint(100, 9000),
        "bus_stop_distance_m": rng.randint(50, 3000),
        "transit_round_trips": rng.randint(0, 30),
        "clinic_distance_km": round(rng.uniform(0.3, 9), 1),
        "hospital_minutes": rng.randint(5, 80),
        "store_distance_m": rng.randint(100, 4000),
        "services_within_2km": rng.random() < 0.7,
        "experience_programmes": rng.randint(0, 6),
        "community_events_monthly": rng.random() < 0.5,
        "alliance_member": rng.random() < 0.6,
        "info_in_english": rng.random() < 0.3,
        "hazard_zone": rng.choice(["outside", "outside", "inside_with_plan", "inside"]),
        "evacuation_site_m": rng.randint(100, 3000),
        "amenities": sorted(amenities),
        "measurements": [
            {
                "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "method": "browser",
                "measured_at": f"2026-11-20T{10 + 3 * k}:00:00+09:00",
                "download_mbps": round(rng.lognormvariate(3.5, 1.0), 1),
                "upload_mbps": round(rng.lognormvariate(2.8, 1.0), 1),
                "latency_ms": round(rng.uniform(5, 140), 1),
                "jitter_ms": round(rng.uniform(1, 40), 1),
            }
            for k in range(3)
        ],
        "coverage": [
            {"carrier": c, "technology": "4g", "rsrp_dbm": rng.randint(-120, -70)}
            for c in ("docomo", "au", "softbank", "rakuten")
        ],
    }


def load_sites(count: int, actor_id: int) -> float:
    rng = random.Random(2026)
    started = time.perf_counter()
    for start in range(0, count, 500):
        docs = [document(i, rng) for i in range(start, min(start + 500, count))]
        items = [(d["uuid"], fast_validate(d)) for d in docs]
        assert all(data is not None for _, data in items)
        assert create_sites(items, actor_id)
        db.session.commit()
    return time.perf_counter() - started


def _session_cookie(port: int, email: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/login")
    reply = conn.getresponse()
    page = reply.read().decode()
    cookie = reply.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    conn.request("POST", "/login", body, headers)
    reply = conn.getresponse()
    reply.read()
    assert reply.status == 302, reply.status
    return reply.getheader("Set-Cookie", "").split(";")[0]


def load(port: int, cookie: str, paths: list[str], clients: int, requests: int) -> dict:
    timings: dict[str, list[float]] = {p: [] for p in paths}
    failures: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(requests):  # bounded: R requests per endpoint per client
            for path in paths:
                started = time.perf_counter()
                conn.request("GET", path, headers={"Cookie": cookie})
                reply = conn.getresponse()
                reply.read()
                elapsed = time.perf_counter() - started
                with lock:
                    timings[path].append(elapsed)
                    if reply.status != 200:
                        failures.append(f"{path}: {reply.status}")
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"timings": timings, "failures": failures}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(time.strftime("%Y-%m-%d"), f"{os.cpu_count()} cores, python {sys.version.split()[0]}")

    folder = Path(tempfile.mkdtemp(prefix="wss-scale-"))
    name = f"wss_scale_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        make_url(args.server).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.server).set(drivername="postgresql+psycopg", database=name)
    url_text = url.render_as_string(hide_password=False)
    server = None
    try:
        app = create_app(
            {"DATABASE_URL": url_text, "INSTANCE_PATH": str(folder), "SECRET_KEY": "bench"}
        )
        with app.app_context():
            app.test_cli_runner().invoke(args=["init-db"], catch_exceptions=False)
            reviewer = User(email="reviewer@bench.example", role="reviewer", prefecture_code="30")
            reviewer.set_password(PASSWORD)
            db.session.add(reviewer)
            db.session.commit()
            seconds = load_sites(args.sites, reviewer.id)
            print(f"loaded {args.sites:,} sites in {seconds:.1f} s (bulk create path)")
            db.session.execute(text("ANALYZE"))
            started = time.perf_counter()
            report = rescore(app.extensions["rubric"])
            seconds = time.perf_counter() - started
            print(f"rescore: {report.scored:,} sites in {seconds:.1f} s (goal < 10 s)")

        port = _port()
        env = os.environ | {
            "DATABASE_URL": url_text,
            "SECRET_KEY": "bench",
            "WSS_ENV": "production",
        }
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        command = [gunicorn, "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}"]
        server = subprocess.Popen(
            [*command, "--log-level", "warning", "app.wsgi:app"],
            cwd=ROOT,
            env=env,
        )
        _wait(port)
        cookie = _session_cookie(port, "reviewer@bench.example")
        paths = [
            "/surveys",
            "/surveys?tier=ready&municipality=304018&sort=score",
            "/surveys?from=2026-06-01&to=2026-08-31&status=draft&page=3",
            "/dashboard/map.json",
            "/dashboard/map.json?tier=ready",
        ]
        load(port, cookie, paths, 2, 2)  # warm every worker
        started = time.perf_counter()
        result = load(port, cookie, paths, args.clients, args.requests)
        wall = time.perf_counter() - started
        total = sum(len(v) for v in result["timings"].values())
        print(f"load: {args.clients} clients × {args.requests} requests × {len(paths)} endpoints")
        print(f"  {total:,} requests in {wall:.1f} s = {total / wall:,.0f} req/s")
        for path, values in result["timings"].items():
            values.sort()
            p95 = values[int(len(values) * 0.95) - 1]
            print(
                f"  {path:58s} p50 {statistics.median(values) * 1000:6.0f} ms"
                f"  p95 {p95 * 1000:6.0f} ms  max {values[-1] * 1000:6.0f} ms"
            )
        if result["failures"]:
            print(f"  failures: {len(result['failures'])}, e.g. {result['failures'][:3]}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
