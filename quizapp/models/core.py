"""ORM tables only: columns, keys and constraints; the flows live in services/."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from ..extensions import db


def utcnow() -> datetime:
    """The current moment in UTC (a callable column default, never evaluated at import)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC on every backend and always hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class User(db.Model):
    """An organizer-console account."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # An account limited to a region sees only that region's participants (None: every region).
    region: Mapped[str | None] = mapped_column(String(64))
    # Part of the session id: bumped by logout, a password change or disabling, so that every
    # cookie issued before stops working on the server side.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Flask-Login protocol.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """Flask-Login's alternative id: the account and its session version."""
        return f"{self.id}:{self.session_version}"


class Bank(db.Model):
    """A named question bank, loaded from an organizer's file."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_import_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    questions: Mapped[list[Question]] = relationship(back_populates="bank", cascade="all, delete-orphan")


class Question(db.Model):
    """One question; `answer` holds 0-based indices into `options`."""

    __table_args__ = (
        db.UniqueConstraint("bank_id", "stem_key"),
        Index("ix_question_draw", "bank_id", "type", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(16))
    stem: Mapped[str] = mapped_column(Text)
    stem_key: Mapped[str] = mapped_column(String(255))
    options: Mapped[list] = mapped_column(JSON)
    answer: Mapped[list] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(500), default="")
    category: Mapped[str] = mapped_column(String(64), default="")
    difficulty: Mapped[int | None] = mapped_column(Integer)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    valid_until: Mapped[date | None] = mapped_column(Date)
    # Content review: "pending" (待审核) or "reviewed" (已审核); an edit puts it back to pending.
    review_status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    bank: Mapped[Bank] = relationship(back_populates="questions")


class Contest(db.Model):
    """A contest and its round settings (CONTRACT §4)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    consent_text: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    regions: Mapped[list] = mapped_column(JSON, default=list)
    time_limit_seconds: Mapped[int] = mapped_column(Integer)
    attempts_per_day: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer)
    pass_score: Mapped[float] = mapped_column(Float)
    grace_seconds: Mapped[int] = mapped_column(Integer, default=5)
    draw_rules: Mapped[list] = mapped_column(JSON)
    prizes: Mapped[list] = mapped_column(JSON, default=list)
    flag_settings: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    # Draw only questions marked 已审核 into papers.
    reviewed_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Who runs the contest and how to reach them: printed on posters (a QR asking for a phone with
    # no organizer named looks like a scam) and on the winners' notice with its 公示 period.
    organizer: Mapped[str] = mapped_column(String(100), default="", server_default="")
    contact: Mapped[str] = mapped_column(String(200), default="", server_default="")
    publicity_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    objection_contact: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Days after the contest's end that names and phones are kept (PIPL: no longer than needed);
    # `flask privacy purge SLUG` anonymises them afterwards.
    retention_days: Mapped[int] = mapped_column(Integer, default=180, server_default="180")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ContestLogo(db.Model):
    """The organizer's logo for the contest's posters (PNG, re-encoded on upload); kept apart from
    Contest so that the rows read on every request stay small."""

    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Participant(db.Model):
    """A member of the public in one contest; the phone identifies them there."""

    __table_args__ = (
        db.UniqueConstraint("contest_id", "phone"), db.UniqueConstraint("contest_id", "entrant_code"),
        # Covering indexes for the statistics' GROUP BYs (region, channel, day), read without the table.
        # The region one carries every figure, for accounts limited to one region (see scope.grouped_sums).
        Index("ix_participant_region_stats", "contest_id", "region", "best_score", "finished_count", "duration_total",
              "channel", "registered_day", "registered_hour", "finished_day", "finished_hour"),
        Index("ix_participant_channel_stats", "contest_id", "channel", "best_score", "finished_count"),
        Index("ix_participant_registered", "contest_id", "registered_day", "registered_hour"),
        Index("ix_participant_finished", "contest_id", "finished_day", "finished_hour"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(64), default="")
    channel: Mapped[str | None] = mapped_column(String(32))
    # A keyed digest of the registering device's id (a random first-party cookie, or an API client's
    # X-Client-Id header), to spot one device registering many phones. Never the address: a school
    # on one Wi-Fi shares it. None when the client sent neither.
    client_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # The address registration came from: evidence shown to a reviewer of a flag, never a rule.
    client_ip: Mapped[str | None] = mapped_column(String(45))
    entrant_code: Mapped[str | None] = mapped_column(String(16))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Running totals kept at registration and submit, so that statistics over a national contest
    # read one row per participant instead of scanning every attempt. Days and hours are local
    # to the contest's time zone, fixed when the event happened.
    registered_day: Mapped[date | None] = mapped_column(Date)
    registered_hour: Mapped[int | None] = mapped_column(SmallInteger)
    finished_day: Mapped[date | None] = mapped_column(Date)
    finished_hour: Mapped[int | None] = mapped_column(SmallInteger)
    finished_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    best_score: Mapped[float | None] = mapped_column(Float)
    duration_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # PIPL: a separate, optional consent to show the masked name in the winners' notice (Art. 25);
    # the confirmation of being 14 or older or having a guardian's consent (Art. 31).
    publish_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    age_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A request to be deleted: carried out at once (anonymised_at) unless a committed draw holds the
    # person, then after its 公示 by `flask privacy purge`.
    deletion_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contest: Mapped[Contest] = relationship()


class ParticipantToken(db.Model):
    """A bearer token, stored only as its SHA-256; a participant may hold several (phone, browser)."""

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attempt(db.Model):
    """One timed round. Unique keys make double starts and over-allowance impossible."""

    __table_args__ = (
        db.UniqueConstraint("participant_id", "seq"),
        db.UniqueConstraint("participant_id", "day", "day_seq"),
        db.UniqueConstraint("running_key"),
        Index("ix_attempt_expiry", "contest_id", "status", "deadline"),
        Index("ix_attempt_ranking", "contest_id", "status", "score"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    day_seq: Mapped[int] = mapped_column(Integer)
    # Equals participant_id while running and NULL once finished: at most one running attempt.
    running_key: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    grace_seconds: Mapped[int] = mapped_column(Integer)
    paper: Mapped[list] = mapped_column(JSON)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    correct_count: Mapped[int | None] = mapped_column(Integer)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    results: Mapped[list | None] = mapped_column(JSON)

    contest: Mapped[Contest] = relationship()


class AttemptAnswer(db.Model):
    """The latest options chosen for one question of an attempt, saved as they are given."""

    attempt_id: Mapped[str] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"), primary_key=True)
    question_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    option_ids: Mapped[list] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
