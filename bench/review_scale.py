"""Readiness at scale on PostgreSQL: rescoring every site, and the list, filter and map data
endpoints under concurrent clients.

Usage: .venv/bin/python bench/review_scale.py [--sites 100000] [--clients 20] [--requests 25]
       [--workers 3] [--threads 1] [--rescore-workers 2] [--keep-db NAME]

1. Creates a scratch PostgreSQL database and loads N varied sites (6 municipalities in two
   prefectures, fields varied so that every tier occurs) through `create_sites`, the code a
   sync push uses. `--keep-db NAME` keeps that database and reuses it on the next run.
2. Times `rescore` of all of them (the code behind `flask --app app rescore`) three times:
   with a changed rubric and back (every row rewritten), then the same rubric again (nothing
   to rewrite). `VACUUM ANALYZE sites` runs before each and before the load test: autovacuum
   would do it on a production server (it is off on the development server here).
3. Starts gunicorn on 127.0.0.1, signs in a reviewer of 和歌山県 (about half the sites) and runs
   a bounded load: C client threads, each sending R requests to every endpoint; prints p50 /
   p95 / max latency per endpoint twice: as the client saw it (including the wait for a free
   worker) and as the server measured it (gunicorn's access log, %(D)s), with the machine's
   CPU use. gunicorn runs 3 sync workers by default: on this 2-core machine, which also runs
   PostgreSQL and the client, 3 gave the most requests/s (2026-11-28, one run each: 3 → 120,
   4 → 101, 5 → 76, 2 gthread workers × 4 threads → 104).
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
from typing import Any

from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import machine as bench_machine  # noqa: E402  (bench/machine.py)
from push_ingest import _port, _wait  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.extensions import db  # noqa: E402
from app.review.rescore import rescore  # noqa: E402
from app.scoring import DEFAULT_PATH, Rubric, load_rubric  # noqa: E402
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
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="> 1: gthread workers")
    parser.add_argument(
        "--rescore-workers", type=int, default=2, help="processes for rescore (0: skip it)"
    )
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument(
        "--keep-db",
        metavar="NAME",
        help="use (and keep) this database: loaded on the first run, reused afterwards",
    )
    args = parser.parse_args()
    print(bench_machine.describe())

    folder = Path(tempfile.mkdtemp(prefix="wss-scale-"))
    name = args.keep_db or f"wss_scale_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        make_url(args.server).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.server).set(drivername="postgresql+psycopg", database=name)
    url_text = url.render_as_string(hide_password=False)
    server = None
    try:
        app = create_app(
            {"DATABASE_URL": url_text, "INSTANCE_PATH": str(folder), "SECRET_KEY": "bench"}
        )
        with app.app_context():
            if not exists:
                prepare(app, args.sites)
            else:
                count = db.session.scalar(text("SELECT count(*) FROM sites"))
                print(f"reusing database {name}: {count:,} sites")
            if args.rescore_workers:
                time_rescores(app, folder, args.rescore_workers)
            vacuum()  # what autovacuum would have done by now (it is off on some servers)

        port = _port()
        env = os.environ | {
            "DATABASE_URL": url_text,
            "SECRET_KEY": "bench",
            "WSS_ENV": "production",
        }
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        access_log = folder / "access.log"
        command = [gunicorn, "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}"]
        if args.threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(args.threads)]
        # %(D)s: microseconds from the request read to the response written (server latency;
        # time spent waiting for a free worker is not in it, the client's figure has it)
        command += ["--access-logfile", str(access_log), "--access-logformat", "%(r)s %(D)s"]
        print(f"server: {' '.join(command[1 : 5 + 4 * (args.threads > 1)])}")
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
        time.sleep(1)  # the access log is written after each response
        logged = access_log.stat().st_size
        started, cpu, machine = time.perf_counter(), time.process_time(), _cpu_ticks()
        result = load(port, cookie, paths, args.clients, args.requests)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        busy, idle = (after - before for after, before in zip(_cpu_ticks(), machine, strict=True))
        time.sleep(1)
        server_side = server_timings(access_log, logged, paths)
        total = sum(len(v) for v in result["timings"].values())
        print(f"load: {args.clients} clients × {args.requests} requests × {len(paths)} endpoints")
        print(f"  {total:,} requests in {wall:.1f} s = {total / wall:,.0f} req/s")
        print(
            f"  machine CPU busy {busy / max(busy + idle, 1):.0%} (server, PostgreSQL, client and"
            f" anything else running); the client alone used {cpu:.1f} s CPU of"
            f" {os.cpu_count()} cores × {wall:.1f} s"
        )
        print("  latency in ms: client (waiting for a worker included) | server (gunicorn %(D)s)")
        for path, values in result["timings"].items():
            print(f"  {path}")
            print(f"      client {_percentiles(values)}")
            print(f"      server {_percentiles(server_side[path])}")
        if result["failures"]:
            print(f"  failures: {len(result['failures'])}, e.g. {result['failures'][:3]}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep_db:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def _cpu_ticks() -> tuple[int, int]:
    """(busy, idle) clock ticks of the whole machine so far, from /proc/stat (Linux)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, idle


def _percentiles(seconds: list[float]) -> str:
    if not seconds:
        return "no requests"
    values = sorted(seconds)
    p95 = values[max(int(len(values) * 0.95) - 1, 0)]
    return (
        f"p50 {statistics.median(values) * 1000:6.0f}  p95 {p95 * 1000:6.0f}"
        f"  max {values[-1] * 1000:6.0f}  (n={len(values)})"
    )


def server_timings(log: Path, offset: int, paths: list[str]) -> dict[str, list[float]]:
    """Per path, the server's own latencies from the access log lines after `offset`."""
    found: dict[str, list[float]] = {p: [] for p in paths}
    with log.open("rb") as handle:
        handle.seek(offset)
        for line in handle.read().decode().splitlines():
            parts = line.split()  # GET /path?query HTTP/1.1 microseconds
            if len(parts) == 4 and parts[1] in found:
                found[parts[1]].append(int(parts[3]) / 1e6)
    return found


def tuned_rubric(folder: Path) -> Rubric:
    """The configured rubric under a new version with other category weights: a rubric change
    after which every site's stored score must be rewritten."""
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    for old, new in (
        ('version = "jp-workation-2026.1"', 'version = "bench-2026.2"'),
        ("[categories.connectivity]\nweight = 25", "[categories.connectivity]\nweight = 35"),
        ("[categories.workspace]\nweight = 20", "[categories.workspace]\nweight = 10"),
    ):
        assert old in text, old
        text = text.replace(old, new, 1)
    path = folder / "tuned.toml"
    path.write_text(text, encoding="utf-8")
    return load_rubric(path)


def time_rescores(app: Any, folder: Path, workers: int) -> None:
    """Rescore every site three times: with a changed rubric, back to the configured one (each
    rewrites every row), and with the same one again (nothing to rewrite). The table is
    vacuumed before each, as autovacuum would between rescores."""
    for label, rubric in (
        ("a changed rubric, every row rewritten", tuned_rubric(folder)),
        ("back to the configured rubric, every row rewritten", app.extensions["rubric"]),
        ("the same rubric again, nothing to rewrite", app.extensions["rubric"]),
    ):
        vacuum()
        started = time.perf_counter()
        report = rescore(rubric, workers=workers)
        seconds = time.perf_counter() - started
        print(
            f"rescore ({label}): {report.scored:,} sites in {seconds:.1f} s"
            f" with {workers} process(es), {report.unchanged:,} unchanged (goal < 10 s)"
        )


def vacuum() -> None:
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE sites"))


def prepare(app: Any, sites: int) -> None:
    """Schema, the reviewer, N sites through the bulk create path, ANALYZE."""
    app.test_cli_runner().invoke(args=["init-db"], catch_exceptions=False)
    reviewer = User(email="reviewer@bench.example", role="reviewer", prefecture_code="30")
    reviewer.set_password(PASSWORD)
    db.session.add(reviewer)
    db.session.commit()
    seconds = load_sites(sites, reviewer.id)
    print(f"loaded {sites:,} sites in {seconds:.1f} s (bulk create path)")
    vacuum()


if __name__ == "__main__":
    main()
