"""Tables of the optional stronger identity (issue 12): SMS codes and WeChat openid bindings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .core import UTCDateTime, utcnow


class PhoneCode(db.Model):
    """One SMS code sent (or tried) for a phone in a contest; only keyed digests are stored.

    The latest row of a (contest, phone) is the live code: asking again replaces the older ones."""

    __table_args__ = (
        Index("ix_phone_code_lookup", "contest_id", "phone_hash", "id"),
        # The per-phone and per-address limits count across contests: a number bombarded with codes
        # suffers the same whichever contest sends them.
        Index("ix_phone_code_phone_sent", "phone_hash", "created_at"),
        Index("ix_phone_code_address_sent", "sent_ip_hash", "created_at"),
        Index("ix_phone_code_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    phone_hash: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "pending" while the provider is asked, then "sent" or "failed" (a failed send does not count
    # towards the hourly cap, and its code can never be used).
    status: Mapped[str] = mapped_column(String(8), default="pending", server_default="pending")
    sent_ip_hash: Mapped[str | None] = mapped_column(String(64))


class WechatBinding(db.Model):
    """The WeChat account (openid of the official account) a participant registered with: one each way."""

    __table_args__ = (UniqueConstraint("contest_id", "openid"), UniqueConstraint("participant_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    openid: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
