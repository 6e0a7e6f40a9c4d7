"""Memory of a whole export from PostgreSQL: `flask --app app export` at N and 10·N sites.

Usage: .venv/bin/python bench/export_db.py [--sites 10000] [--format xlsx]

Loads 10·N realistic sites (3 speed runs, 4 carriers, the whole amenity checklist, stored
scores) into a scratch PostgreSQL database through `create_sites` (the sync push's bulk path),
then runs the export command in a fresh process for the first N sites (one municipality) and for
all of them, and prints each run's wall time and peak RSS (VmHWM of the process). The writer
alone is measured against XlsxWriter in bench/export_xlsx.py; this adds the query side (keyset
pages of 500 sites with their runs and coverage) to show the whole path stays flat.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from push_ingest import _database, document  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.extensions import db  # noqa: E402
from app.surveys.bulk import create_sites  # noqa: E402
from forms.compiled import fast_validate  # noqa: E402

SMALL_TOWN, BIG_TOWN = "304212", "304018"  # 那智勝浦町 (N sites), 白浜町 (the other 9·N)
CHILD = """
import resource, sys, time
from app import create_app
app = create_app()
start = time.perf_counter()
result = app.test_cli_runner().invoke(args=["export", *sys.argv[1:]], catch_exceptions=False)
elapsed = time.perf_counter() - start
peak = next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]
print(result.output.strip(), f"| {elapsed:.1f} s | peak {int(peak) / 1024:.1f} MB")
"""


def load(app, total: int, small: int) -> None:
    with app.app_context():
        user = User(email="bench@example.jp", role="admin", password_hash="-")
        db.session.add(user)
        db.session.commit()
        for start in range(0, total, 500):
            items = []
            for i in range(start, min(start + 500, total)):
                doc = document(i)
                doc["municipality_code"] = SMALL_TOWN if i < small else BIG_TOWN
                data = fast_validate(doc)
                assert data is not None, doc
                items.append((doc["uuid"], data))
            assert create_sites(items, user.id)
            db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=10_000)
    parser.add_argument("--format", default="xlsx", choices=["xlsx", "csv", "geojson"])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="wss-export-bench-"))
    url, scratch = _database("postgresql", folder, args.server)
    try:
        run(args, folder, url)
    finally:
        _drop(args.server, scratch)


def _drop(server: str, name: str | None) -> None:
    from sqlalchemy import create_engine, make_url, text

    engine = create_engine(
        make_url(server).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def run(args: argparse.Namespace, folder: Path, url: str) -> None:
    config = {"DATABASE_URL": url, "INSTANCE_PATH": str(folder), "SECRET_KEY": "bench"}
    app = create_app(config)
    with app.app_context():
        app.test_cli_runner().invoke(args=["init-db"], catch_exceptions=False)
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.processor() or platform.machine()}"
          f" · {os.cpu_count()} cores · format {args.format}")  # fmt: skip
    started = time.perf_counter()
    load(app, args.sites * 10, args.sites)
    print(f"loaded {args.sites * 10} sites in {time.perf_counter() - started:.1f} s")
    env = os.environ | {"DATABASE_URL": url, "SECRET_KEY": "bench", "PYTHONPATH": str(ROOT)}
    for label, extra in (
        (f"{args.sites} sites", ["--municipality", SMALL_TOWN]),
        (f"{args.sites * 10} sites", []),
    ):
        out = folder / f"export-{uuid.uuid4().hex[:6]}.{args.format}"
        cmd = [sys.executable, "-c", CHILD, args.format, "-o", str(out), *extra]
        line = subprocess.run(cmd, env=env, cwd=folder, capture_output=True, text=True, check=True)
        print(f"{label}: {line.stdout.strip()} | file {out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
