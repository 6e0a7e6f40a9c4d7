"""What the service worker precaches, and the version that names its caches.

The version is a hash of every precached file, the service worker template and the
translation catalogs, so any change to the shell changes the bytes of /sw.js: the browser
then installs the new worker, which fills a new cache and deletes the old ones.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
STATIC = ROOT / "static"
TEMPLATE = Path(__file__).resolve().parent / "templates" / "offline" / "sw.js"
CATALOGS = ROOT / "app" / "translations"

# Static files of the app shell, as globs under static/ (vendor files only when installed):
# what the survey pages and the offline page use. Not the manifest's icons (they
# and Safari's apple-touch-icon are fetched when the app is installed, online anyway), nor the
# scripts of pages that are online-only (dashboard map and summary, export jobs, the station
# button), nor Leaflet's layer-control images (the map pick has no layer control).
SHELL_GLOBS = (
    "css/app.css",
    "js/*.js",
    "img/*.svg",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/images/marker-*.png",
)
NOT_IN_SHELL = frozenset(
    {
        "js/map.js",
        "js/summary.js",
        "js/export_job.js",
        "js/station_speedtest.js",
        "img/icon-maskable.svg",  # the manifest's, like its PNG icons
    }
)
# Pages cached when the worker installs (best effort: a page that needs a sign-in is skipped
# until the surveyor has signed in and opened it).
SHELL_PAGES = ("/offline", "/surveys/new", "/surveys")


@cache
def shell_files() -> tuple[str, ...]:
    """Paths below static/ of the files to precache, sorted."""
    found: set[str] = set()
    for pattern in SHELL_GLOBS:
        found.update(p.relative_to(STATIC).as_posix() for p in STATIC.glob(pattern) if p.is_file())
    return tuple(sorted(found - NOT_IN_SHELL))


@cache
def shell_version() -> str:
    """A short hash of everything the shell is made of."""
    digest = hashlib.sha256()
    sources = [STATIC / name for name in shell_files()] + [TEMPLATE]
    sources += sorted(CATALOGS.glob("*/LC_MESSAGES/*.po"))
    for path in sources:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
