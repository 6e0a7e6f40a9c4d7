"""Geocode cache kept in the database, so answers survive restarts and are shared by workers."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.geo.geocoding import MISS, GeocodeResult, _Miss
from app.locations.models import GeocodeCacheEntry


class DatabaseGeocodeCache:
    def get(self, key: str) -> GeocodeResult | Literal[_Miss.MISS] | None:
        row = db.session.get(GeocodeCacheEntry, key[:300])
        if row is None:
            return MISS
        if row.latitude is None or row.longitude is None:
            return None
        return GeocodeResult(row.latitude, row.longitude, row.display_name or "", row.provider)

    def put(self, key: str, result: GeocodeResult | None) -> None:
        """Store in a nested transaction so a race with another worker never spoils the request."""
        entry = GeocodeCacheEntry(
            key=key[:300],
            provider=result.provider if result else "",
            latitude=result.latitude if result else None,
            longitude=result.longitude if result else None,
            display_name=(result.display_name[:500] if result else None),
        )
        try:
            with db.session.begin_nested():
                db.session.merge(entry)
        except SQLAlchemyError:
            pass
