"""Reference tables: the 47 prefectures and every municipality of Japan."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Prefecture(db.Model):
    __tablename__ = "prefectures"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(8))
    name_kana: Mapped[str] = mapped_column(String(16))


class Municipality(db.Model):
    __tablename__ = "municipalities"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("prefectures.code"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    county: Mapped[str] = mapped_column(String(20), default="")
    full_name: Mapped[str] = mapped_column(String(60))
    name_kana: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(String(6))
