"""Channels (a poster, an event) and the scans they bring."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .core import UTCDateTime, utcnow


class Channel(db.Model):
    """Where people came from: a code in the QR's short URL, with a name for staff."""

    __table_args__ = (db.UniqueConstraint("contest_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    # The event the poster is for, so that staff can tell their posters apart and report on them.
    event_date: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(100), default="", server_default="")
    person: Mapped[str] = mapped_column(String(50), default="", server_default="")  # 负责人
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Scan(db.Model):
    """One visit through a channel's short URL, at most one per browser and day."""

    __table_args__ = (db.UniqueConstraint("channel_id", "day", "visitor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    visitor: Mapped[str] = mapped_column(String(64))
