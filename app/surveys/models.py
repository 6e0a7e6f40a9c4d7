"""A surveyed site and the few rows that hang off it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow

JSONType = JSON().with_variant(JSONB(), "postgresql")


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    NEEDS_REVISION = "needs_revision"
    REJECTED = "rejected"


def _str(n: int) -> Any:
    return mapped_column(String(n), nullable=True)


def _int() -> Any:
    return mapped_column(Integer, nullable=True)


def _float() -> Any:
    return mapped_column(Float, nullable=True)


def _bool() -> Any:
    return mapped_column(nullable=True)


class Site(db.Model):
    """One candidate workspace. Amenities and multi-choice answers live in the row (JSON)."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(default=1)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.DRAFT, index=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    photos_complete: Mapped[bool] = mapped_column(default=True)
    # indexed with the list's default order (newest first), see __table_args__
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("prefectures.code"))
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"))
    surveyor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # location
    name: Mapped[str] = mapped_column(String(200))
    name_kana: Mapped[str | None] = _str(200)
    name_en: Mapped[str | None] = _str(200)
    facility_type: Mapped[str | None] = _str(24)
    postal_code: Mapped[str | None] = _str(8)
    address_town: Mapped[str | None] = _str(100)
    address_line: Mapped[str | None] = _str(100)
    building: Mapped[str | None] = _str(100)
    phone: Mapped[str | None] = _str(20)
    website: Mapped[str | None] = _str(300)
    latitude: Mapped[float | None] = _float()
    longitude: Mapped[float | None] = _float()
    location_source: Mapped[str | None] = _str(12)
    location_accuracy_m: Mapped[float | None] = _float()
    location_fix_count: Mapped[int | None] = _int()
    surveyed_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)

    # connectivity
    line_type: Mapped[str | None] = _str(12)
    wifi_security: Mapped[str | None] = _str(8)
    wifi_client_isolation: Mapped[bool | None] = _bool()
    wifi_guest_network: Mapped[bool | None] = _bool()

    # workspace
    seats: Mapped[int | None] = _int()
    seats_with_outlet: Mapped[int | None] = _int()
    meeting_booths: Mapped[int | None] = _int()
    chair_height_adjustable: Mapped[bool | None] = _bool()
    chair_back_adjustable: Mapped[bool | None] = _bool()
    chair_armrests: Mapped[bool | None] = _bool()
    desk_lux: Mapped[int | None] = _int()
    temperature_c: Mapped[float | None] = _float()
    humidity_pct: Mapped[float | None] = _float()
    weekday_open: Mapped[str | None] = _str(5)
    weekday_close: Mapped[str | None] = _str(5)
    days_per_week: Mapped[int | None] = _int()
    certification: Mapped[str | None] = _str(10)

    # lodging
    lodging_minutes: Mapped[int | None] = _int()
    lodging_accepts_3_nights: Mapped[bool | None] = _bool()
    room_wifi_meets_g1: Mapped[bool | None] = _bool()
    room_desk_chair: Mapped[bool | None] = _bool()
    long_stay_plan: Mapped[bool | None] = _bool()
    rooms_within_30min: Mapped[int | None] = _int()
    price_per_night_jpy: Mapped[int | None] = _int()
    lodging_licence_no: Mapped[str | None] = _str(60)

    # access
    metro_origin: Mapped[str | None] = _str(10)
    metro_minutes: Mapped[int | None] = _int()
    station_name: Mapped[str | None] = _str(100)
    station_distance_m: Mapped[int | None] = _int()
    station_latitude: Mapped[float | None] = _float()
    station_longitude: Mapped[float | None] = _float()
    bus_stop_distance_m: Mapped[int | None] = _int()
    bus_stop_latitude: Mapped[float | None] = _float()
    bus_stop_longitude: Mapped[float | None] = _float()
    transit_round_trips: Mapped[int | None] = _int()
    transport_options: Mapped[list[str]] = mapped_column(JSONType, default=list)

    # daily life
    clinic_distance_km: Mapped[float | None] = _float()
    clinic_minutes: Mapped[int | None] = _int()
    clinic_latitude: Mapped[float | None] = _float()
    clinic_longitude: Mapped[float | None] = _float()
    hospital_minutes: Mapped[int | None] = _int()
    store_distance_m: Mapped[int | None] = _int()
    services_within_2km: Mapped[bool | None] = _bool()

    # engagement
    experience_programmes: Mapped[int | None] = _int()
    community_events_monthly: Mapped[bool | None] = _bool()
    alliance_member: Mapped[bool | None] = _bool()
    info_in_english: Mapped[bool | None] = _bool()

    # safety
    hazard_zone: Mapped[str | None] = _str(20)
    evacuation_site_m: Mapped[int | None] = _int()

    amenities: Mapped[list[str]] = mapped_column(JSONType, default=list)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    # which values the server filled in, and how: {"station_distance_m": "geodesic"}
    derived: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)

    # readiness score of the current revision (app.scoring), with the rubric version it used
    score: Mapped[float | None] = mapped_column(Float, nullable=True, index=True)
    tier: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    rubric_version: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    score_summary: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    scored_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    measurements: Mapped[list[SpeedMeasurement]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="SpeedMeasurement.measured_at"
    )
    coverage: Mapped[list[MobileCoverage]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="MobileCoverage.position"
    )
    photos: Mapped[list[SitePhoto]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="SitePhoto.position"
    )
    surveyor = relationship("User")
    municipality = relationship("Municipality")

    # A reviewer's or viewer's list (scope: prefecture) and a surveyor's (municipality), newest
    # first, read their page straight from one index; the same indexes serve plain equality.
    __table_args__ = (
        Index("ix_sites_prefecture_updated", "prefecture_code", "updated_at", "id"),
        Index("ix_sites_municipality_updated", "municipality_code", "updated_at", "id"),
    )

    # Every UPDATE of a site carries `WHERE revision = <the revision read>`: a writer that lost a
    # race gets StaleDataError instead of overwriting (the application sets new revisions).
    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}


class SpeedMeasurement(db.Model):
    __tablename__ = "speed_measurements"
    __table_args__ = (UniqueConstraint("site_id", "uuid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    measured_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    method: Mapped[str] = mapped_column(String(16))
    server: Mapped[str | None] = _str(200)
    tool_version: Mapped[str | None] = _str(40)
    download_mbps: Mapped[float | None] = _float()
    upload_mbps: Mapped[float | None] = _float()
    latency_ms: Mapped[float | None] = _float()
    jitter_ms: Mapped[float | None] = _float()
    loss_pct: Mapped[float | None] = _float()
    bytes_moved: Mapped[int | None] = mapped_column(db.BigInteger, nullable=True)
    duration_s: Mapped[float | None] = _float()
    where_on_site: Mapped[str | None] = _str(100)

    site: Mapped[Site] = relationship(back_populates="measurements")


class MobileCoverage(db.Model):
    __tablename__ = "mobile_coverage"
    __table_args__ = (UniqueConstraint("site_id", "carrier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    carrier: Mapped[str] = mapped_column(String(16))
    technology: Mapped[str | None] = _str(4)
    rsrp_dbm: Mapped[int | None] = _int()
    signal_bars: Mapped[int | None] = _int()
    placement: Mapped[str | None] = _str(8)

    site: Mapped[Site] = relationship(back_populates="coverage")


class SitePhoto(db.Model):
    __tablename__ = "site_photos"
    __table_args__ = (UniqueConstraint("site_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    caption: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    site: Mapped[Site] = relationship(back_populates="photos")
    photo = relationship(
        "Photo", primaryjoin="foreign(SitePhoto.sha256) == Photo.sha256", viewonly=True
    )


class SiteRevision(db.Model):
    """Every stored revision of a site's document: the audit trail and the basis for diffs."""

    __tablename__ = "site_revisions"
    __table_args__ = (UniqueConstraint("site_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    revision: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)
    changed_fields: Mapped[list[str]] = mapped_column(JSONType, default=list)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    actor = relationship("User")


class ReviewEvent(db.Model):
    """A change of review status, with who, when and the comment."""

    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[str | None] = _str(16)
    to_status: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    actor = relationship("User")


class SiteChange(db.Model):
    """The changes feed: one row per stored change. `seq` is the feed's cursor, numbered as its
    transaction commits (app/surveys/feed_order.py): a reader that has seen cursor N has seen
    every entry up to N. (The id is taken at insert time, and transactions commit out of that
    order: a cursor on the id could step over an entry committed later with a lower id.)"""

    __tablename__ = "site_changes"
    __table_args__ = (
        # the few entries not yet numbered: those of transactions now committing
        Index(
            "ix_site_changes_unnumbered",
            "id",
            postgresql_where=text("seq IS NULL"),
            sqlite_where=text("seq IS NULL"),
        ),
    )

    # a log that only grows: 64-bit on PostgreSQL (SQLite's rowid is 64-bit already)
    id: Mapped[int] = mapped_column(
        db.BigInteger().with_variant(db.Integer(), "sqlite"), primary_key=True
    )
    seq: Mapped[int | None] = mapped_column(
        db.BigInteger().with_variant(db.Integer(), "sqlite"), nullable=True, unique=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    municipality_code: Mapped[str] = mapped_column(String(6), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # revision | status | photos
    revision: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    site: Mapped[Site] = relationship()
