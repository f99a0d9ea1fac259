"""Tables of the prize draw: exclusions, cheat flags, commitments and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .core import UTCDateTime, utcnow


class Exclusion(db.Model):
    """A phone that may not win in a contest (staff, organizers)."""

    __table_args__ = (db.UniqueConstraint("contest_id", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    phone: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttemptFlag(db.Model):
    """A suspicion raised on an attempt; it blocks eligibility until an organizer clears it.

    A reviewer either clears it (cleared_at: the person is back in the draw) or upholds it
    (upheld_at: the person stays out); either way with a reason. Unresolved: neither."""

    __table_args__ = (db.UniqueConstraint("attempt_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_by: Mapped[str | None] = mapped_column(String(64))
    upheld_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    upheld_by: Mapped[str | None] = mapped_column(String(64))
    review_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")


class PrizeDraw(db.Model):
    """One commitment (and, once run, its reveal and winners); a new commitment supersedes the old."""

    __table_args__ = (db.UniqueConstraint("contest_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="committed")
    entrants: Mapped[list] = mapped_column(JSON)
    entrants_sha256: Mapped[str] = mapped_column(String(64))
    seed_hex: Mapped[str] = mapped_column(String(128))
    seed_sha256: Mapped[str] = mapped_column(String(64))
    entropy_source: Mapped[str] = mapped_column(Text)
    # The prize tiers frozen with the commitment, so that they cannot be changed once the seed is known.
    prizes: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    reason: Mapped[str] = mapped_column(Text, default="")
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    committed_by: Mapped[str] = mapped_column(String(64), default="")
    public_entropy: Mapped[str | None] = mapped_column(Text)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    winners: Mapped[list | None] = mapped_column(JSON)
    # 候补: per tier, drawn from the same stream after every winner, for prizes not claimed in the 公示 period.
    reserves: Mapped[list | None] = mapped_column(JSON)
    # The public sees the reveal and the winners once the notice is published (the CLI's run
    # publishes at once; the console verifies first).
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[str | None] = mapped_column(String(64))


class AuditLog(db.Model):
    """Who did what, when, to how many rows: logins, account changes, imports, edits, contest
    changes, exports and draw steps, from the console and the CLI."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32), index=True)
    # What the action was done to, for people: a bank name, a username, a question id.
    target: Mapped[str] = mapped_column(String(200), default="", server_default="")
    contest_id: Mapped[int | None] = mapped_column(ForeignKey("contest.id", ondelete="SET NULL"), index=True)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
