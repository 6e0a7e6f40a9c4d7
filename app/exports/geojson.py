"""Sites → GeoJSON FeatureCollection (RFC 7946, WGS84 longitude/latitude) for QGIS and other
GIS tools. Properties carry the columns of sheet 調査結果 under their Japanese headers; a site
without coordinates is kept with a null geometry, so the count matches the other formats."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

from app.exports.columns import NO_ITEM, Column, plain
from app.exports.records import ExportSite, ExportStats

PROGRESS_EVERY = 500


def feature(site: ExportSite, columns: Sequence[Column]) -> dict[str, Any]:
    latitude, longitude = site.row.get("latitude"), site.row.get("longitude")
    geometry = None
    if latitude is not None and longitude is not None:
        geometry = {"type": "Point", "coordinates": [float(longitude), float(latitude)]}
    properties = {column.header: plain(column.get(site, NO_ITEM)) for column in columns}
    return {
        "type": "Feature",
        "id": site.row.get("uuid"),
        "geometry": geometry,
        "properties": properties,
    }


def write_geojson(
    target: IO[bytes],
    sites: Iterable[ExportSite],
    columns: Sequence[Column],
    *,
    progress: Callable[[int], None] | None = None,
) -> ExportStats:
    """Streamed one feature at a time: memory does not grow with the number of sites."""
    stats = ExportStats()
    target.write(b'{"type":"FeatureCollection","features":[\n')
    for site in sites:
        if stats.sites:
            target.write(b",\n")
        text = json.dumps(feature(site, columns), ensure_ascii=False, separators=(",", ":"))
        target.write(text.encode("utf-8"))
        stats.sites += 1
        if progress is not None and stats.sites % PROGRESS_EVERY == 0:
            progress(stats.sites)
    target.write(b"\n]}\n")
    stats.rows["sites"] = stats.sites
    return stats
