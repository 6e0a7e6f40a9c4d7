"""Import every model so the metadata (and Alembic) sees all tables."""

from app.accounts.models import ApiToken, User
from app.exports.models import ExportJob
from app.locations.models import GeocodeCacheEntry
from app.photos.models import Photo
from app.regions.models import Municipality, Prefecture
from app.station.models import StationSetting, UpstreamState
from app.surveys.models import (
    MobileCoverage,
    ReviewEvent,
    Site,
    SiteChange,
    SitePhoto,
    SiteRevision,
    SpeedMeasurement,
)

__all__ = [
    "ApiToken",
    "ExportJob",
    "GeocodeCacheEntry",
    "MobileCoverage",
    "Municipality",
    "Photo",
    "Prefecture",
    "ReviewEvent",
    "Site",
    "SiteChange",
    "SitePhoto",
    "SiteRevision",
    "SpeedMeasurement",
    "StationSetting",
    "UpstreamState",
    "User",
]
