"""Insert rate: amenities in the site's row (our schema) vs. one row per amenity (reference).

Usage: .venv/bin/python bench/site_insert.py [--sites 5000] [--url postgresql://postgres@127.0.0.1/test]
Creates a scratch database on the server, migrates it with the project's migrations, inserts
the same sites both ways inside one run, prints sites/s and the ratio, and drops the database.
"""

from __future__ import annotations

import argparse
import platform
import random
import time
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    make_url,
    text,
)

from app import create_app
from forms.catalog import AMENITY_CODES


def _sites(n: int) -> list[dict]:
    rng = random.Random(7)
    now = datetime.now(UTC)
    codes = sorted(AMENITY_CODES)
    return [
        {
            "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
            "name": f"候補地 {i}",
            "municipality_code": "304018",
            "prefecture_code": "30",
            "revision": 1,
            "content_hash": f"{i:064x}",
            "status": "submitted",
            "is_demo": False,
            "photos_complete": True,
            "latitude": 33.6 + rng.random() / 10,
            "longitude": 135.3 + rng.random() / 10,
            "surveyed_on": date(2026, 11, 1),
            "seats": rng.randint(0, 80),
            "amenities": codes,  # every amenity: the worst case for the row-per-amenity design
            "transport_options": [],
            "derived": {},
            "created_at": now,
            "updated_at": now,
        }
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=5000)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    server = make_url(args.url).set(drivername="postgresql+psycopg")
    scratch = f"wss_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    url = server.set(database=scratch)
    try:
        app = create_app(
            {"DATABASE_URL": url.render_as_string(hide_password=False), "SECRET_KEY": "b"}
        )
        app.test_cli_runner().invoke(args=["init-db"], catch_exceptions=False)
        engine = create_engine(url)
        meta = MetaData()
        meta.reflect(engine, only=["sites"])
        sites_table = meta.tables["sites"]
        reference = MetaData()
        ref_sites = Table(
            "ref_sites",
            reference,
            *(
                Column(c.name, c.type, primary_key=c.primary_key)
                for c in sites_table.columns
                if c.name != "amenities"
            ),
        )
        ref_amenities = Table(
            "ref_site_amenities",
            reference,
            Column("id", Integer, primary_key=True),
            Column("site_id", ForeignKey("ref_sites.id"), index=True),
            Column("code", String(24)),
        )
        reference.create_all(engine)
        rows = _sites(args.sites)
        ours = _timed(engine, lambda conn: _insert_ours(conn, sites_table, rows))
        theirs = _timed(
            engine, lambda conn: _insert_reference(conn, ref_sites, ref_amenities, rows)
        )
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
    n = args.sites
    print(f"machine: {platform.machine()}, python {platform.python_version()}")
    print(f"sites: {n}, amenities per site: {len(AMENITY_CODES)}")
    print(f"amenities in the site row (ours):     {n / ours:8.0f} sites/s  ({ours:.2f} s)")
    print(f"one row per amenity (reference):      {n / theirs:8.0f} sites/s  ({theirs:.2f} s)")
    print(f"ratio ours / reference:               {theirs / ours:8.2f}x")


def _timed(engine, work) -> float:
    with engine.begin() as conn:
        start = time.perf_counter()
        work(conn)
        return time.perf_counter() - start


def _insert_ours(conn, table, rows) -> None:
    for start in range(0, len(rows), 500):
        conn.execute(table.insert(), rows[start : start + 500])


def _insert_reference(conn, sites, amenities, rows) -> None:
    for start in range(0, len(rows), 500):
        batch = rows[start : start + 500]
        plain = [{k: v for k, v in r.items() if k != "amenities"} for r in batch]
        ids = conn.execute(sites.insert().returning(sites.c.id), plain).scalars().all()
        conn.execute(
            amenities.insert(),
            [
                {"site_id": i, "code": code}
                for i, r in zip(ids, batch, strict=True)
                for code in r["amenities"]
            ],
        )


if __name__ == "__main__":
    main()
