"""The map's background tiles: URL and attribution from the configuration, and the CSP for them.

`MAP_TILE_URL` defaults to 地理院タイル (the GSI standard map); an empty value draws no tile layer
(offline stations, tests), and the markers show on a plain background. The app's CSP allows
images from cyberjapandata.gsi.go.jp only, so a page using another tile server gets a policy
that adds that server's origin to `img-src` (its `{s}` sub-domains as a wildcard).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from app.wiring import CSP

DEFAULT_TILE_URL = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"
DEFAULT_ATTRIBUTION = '<a href="https://maps.gsi.go.jp/development/ichiran.html">地理院タイル</a>'
_IMG_SRC = "img-src 'self' data: blob:"
_HOST = re.compile(r"^(\*\.)?[A-Za-z0-9.-]+(:\d+)?$")


@dataclass(frozen=True)
class TileSettings:
    url: str
    attribution: str
    csp: str | None  # None: the app's default policy already allows these tiles


def tile_settings(config: Any) -> TileSettings:
    url = config.get("MAP_TILE_URL", DEFAULT_TILE_URL)
    url = "" if url is None else str(url).strip()
    attribution = config.get("MAP_TILE_ATTRIBUTION", DEFAULT_ATTRIBUTION)
    return TileSettings(url, str(attribution or ""), _policy_for(url))


def _policy_for(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None  # empty or same-origin ("/tiles/{z}/{x}/{y}.png"): 'self' covers it
    host = parts.netloc.replace("{s}", "*")
    if not _HOST.match(host):
        return None  # not a plain host[:port]: never copied into the policy
    origin = f"{parts.scheme}://{host}"
    if origin in CSP or _IMG_SRC not in CSP:
        return None
    return CSP.replace(_IMG_SRC, f"{_IMG_SRC} {origin}", 1)
