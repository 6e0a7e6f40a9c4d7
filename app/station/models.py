"""What this installation knows about its upstream."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class UpstreamState(db.Model):
    """Per site: the upstream revision it is based on and the content last accepted there."""

    __tablename__ = "upstream_state"

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    upstream_revision: Mapped[int | None]
    pushed_hash: Mapped[str | None] = mapped_column(String(64))
    last_status: Mapped[str | None] = mapped_column(String(16))
    # the review status upstream has, as far as this installation knows (pushed or pulled)
    upstream_review_status: Mapped[str | None] = mapped_column(String(16))
    # the readiness upstream computed for its current revision (from the changes it sends)
    upstream_score: Mapped[float | None] = mapped_column(Float)
    upstream_tier: Mapped[str | None] = mapped_column(String(16))
    # every photo of the site was here and went upstream with the last push; False: some had
    # not arrived here yet, so the site is pushed again (its photos first) once they have
    photos_forwarded: Mapped[bool | None]
    last_errors: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    pushed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StationSetting(db.Model):
    """Small key/value facts, e.g. the changes-feed cursor."""

    __tablename__ = "station_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
