"""Time helpers: store UTC, show Japan time."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_jst(value: datetime) -> datetime:
    """Convert a stored time (naive values are UTC, as SQLite returns them) to Japan time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(JST)


def today_jst():
    return datetime.now(JST).date()
