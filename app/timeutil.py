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


def iso_utc(value: datetime) -> str:
    """UTC ISO 8601 with its offset; SQLite hands back naive values, which are UTC."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def today_jst():
    return datetime.now(JST).date()
