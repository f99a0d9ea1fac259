"""Registration and bearer-token authentication of participants."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime

from flask import current_app
from sqlalchemy.orm import contains_eager

from .. import metrics
from ..database import begin_write, saved_unless_duplicate
from ..domain.errors import DomainError
from ..domain.participants import same_name, token_expires_at, validate_registration
from ..domain.timing import contest_status, local_day_hour
from ..extensions import db
from ..models import Contest, Participant, ParticipantToken
from . import verification


class ContestNotOpen(DomainError):
    """The contest is not running now."""

    code = "contest_not_open"


class PhoneRegistered(DomainError):
    """The phone is registered in this contest under another name; says nothing about that name."""

    code = "phone_registered"

    def __init__(self):
        super().__init__("这个手机号码已经登记过。如果是您本人，请填写登记时的姓名；"
                         "如果不是，请用您自己的手机号码登记。")


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
    # Issue 12: the SMS code or WeChat ticket the configured mode asks for (none by default); checked
    # after the body is valid, so that a typo in the name does not use the code up.
    proof = verification.check_identity(contest, data, now)
    begin_write(db.session)
    participant = _find(contest.id, reg.phone)
    created = participant is None
    if created:
        day, hour = local_day_hour(now, contest.timezone)
        participant = Participant(contest_id=contest.id, name=reg.name, phone=reg.phone, region=reg.region,
                                  channel=reg.channel, client_hash=client_hash,
                                  client_ip=client_ip[:45] if client_ip else None, consent_at=now, created_at=now,
                                  registered_day=day, registered_hour=hour, publish_consent=reg.publish_consent,
                                  age_confirmed_at=now)
        db.session.add(participant)
        if not saved_unless_duplicate(db.session, flush_only=True):
            # The same phone registered in a parallel request: use that participant.
            participant, created = _find(contest.id, reg.phone), False
    if not created and not same_name(reg.name, participant.name):
        # Someone who knows only the phone gets neither the person's name nor their rounds.
        db.session.rollback()
        raise PhoneRegistered()
    verification.bind_proof(contest, participant.id, proof, now)
    token = _issue_token(participant.id, now)
    db.session.commit()
    metrics.registered(created)
    return participant, token, created


def sign_in(participant_id: int, now: datetime) -> str:
    """A new token for a participant whom a stronger proof (a WeChat openid bound earlier) identified."""
    begin_write(db.session)
    token = _issue_token(participant_id, now)
    db.session.commit()
    return token


def authenticate(token: str | None, now: datetime) -> Participant | None:
    """The participant a bearer token belongs to, or None (also once the token has expired)."""
    if not token or len(token) > 200:
        return None
    # The contest comes along: nearly every authenticated call needs it next.
    participant = db.session.execute(
        db.select(Participant).join(ParticipantToken).join(Participant.contest)
        .options(contains_eager(Participant.contest))
        .where(ParticipantToken.token_hash == hash_token(token))
    ).scalar_one_or_none()
    if participant is None or token_expired(participant.contest, now):
        return None
    return participant


def token_expired(contest: Contest, now: datetime) -> bool:
    """Whether tokens of this contest have stopped working (after the contest, its draw and 公示)."""
    draw_days = current_app.config.get("TOKEN_DRAW_PERIOD_DAYS", 30)
    return now > token_expires_at(contest.ends_at, contest.publicity_days, draw_days)


def revoke_token(token: str | None) -> bool:
    """Revoke a bearer token on the server (换人/退出); True when there was one to revoke."""
    if not token or len(token) > 200:
        return False
    begin_write(db.session)
    gone = db.session.execute(db.delete(ParticipantToken).where(ParticipantToken.token_hash == hash_token(token)))
    db.session.commit()
    return bool(gone.rowcount)
