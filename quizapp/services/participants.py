"""Registration and bearer-token authentication of participants."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import contains_eager

from .. import metrics
from ..database import begin_write, saved_unless_duplicate
from ..domain.errors import DomainError
from ..domain.participants import validate_registration
from ..domain.timing import contest_status, local_day_hour
from ..extensions import db
from ..models import Contest, Participant, ParticipantToken


class ContestNotOpen(DomainError):
    """The contest is not running now."""

    code = "contest_not_open"


def hash_token(token: str) -> str:
    """SHA-256 of a bearer token: only the hash is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def require_open(contest: Contest, now: datetime) -> None:
    """Raise ContestNotOpen unless the contest window contains `now`."""
    status = contest_status(contest.starts_at, contest.ends_at, now)
    if status != "open":
        reason = "尚未开始" if status == "upcoming" else "已经结束"
        raise ContestNotOpen(f"竞赛{reason}，现在不能参加")


def _issue_token(participant_id: int, now: datetime) -> str:
    token = secrets.token_urlsafe(24)  # 192 random bits
    db.session.add(ParticipantToken(token_hash=hash_token(token), participant_id=participant_id, created_at=now))
    return token


def _find(contest_id: int, phone: str) -> Participant | None:
    return db.session.execute(
        db.select(Participant).filter_by(contest_id=contest_id, phone=phone)
    ).scalar_one_or_none()


def register(contest: Contest, data: Mapping, now: datetime,
             client_hash: str | None = None, client_ip: str | None = None) -> tuple[Participant, str, bool]:
    """Register (or re-identify by phone) a participant; returns (participant, token, created).

    `client_hash` is the keyed digest of the device id (the many-phones rule counts it); `client_ip`
    is kept only as evidence for a reviewer of a flag."""
    require_open(contest, now)
    reg = validate_registration(data, contest.regions)
    begin_write(db.session)
    participant = _find(contest.id, reg.phone)
    created = participant is None
    if created:
        day, hour = local_day_hour(now, contest.timezone)
        participant = Participant(contest_id=contest.id, name=reg.name, phone=reg.phone, region=reg.region,
                                  channel=reg.channel, client_hash=client_hash,
                                  client_ip=client_ip[:45] if client_ip else None, consent_at=now, created_at=now,
                                  registered_day=day, registered_hour=hour)
        db.session.add(participant)
        if not saved_unless_duplicate(db.session, flush_only=True):
            # The same phone registered in a parallel request: use that participant.
            participant, created = _find(contest.id, reg.phone), False
    token = _issue_token(participant.id, now)
    db.session.commit()
    metrics.registered(created)
    return participant, token, created


def authenticate(token: str | None) -> Participant | None:
    """The participant a bearer token belongs to, or None."""
    if not token or len(token) > 200:
        return None
    # The contest comes along: nearly every authenticated call needs it next.
    return db.session.execute(
        db.select(Participant).join(ParticipantToken).join(Participant.contest)
        .options(contains_eager(Participant.contest))
        .where(ParticipantToken.token_hash == hash_token(token))
    ).scalar_one_or_none()
