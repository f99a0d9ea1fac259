"""Raising, listing and clearing cheat flags on attempts that would make someone eligible."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func

from ..database import begin_write
from ..domain.flags import FLAG_LABELS, AttemptFacts, FlagSettings, attempt_flags, phones_near
from ..domain.masking import mask_name, mask_phone
from ..extensions import db
from ..models import Attempt, AttemptAnswer, AttemptFlag, Contest, Participant
from . import audit
from .contests import NotFound, get_contest, iso_local, question_count

log = logging.getLogger(__name__)


def settings_of(contest: Contest) -> FlagSettings:
    """The contest's flag thresholds (defaults for contests loaded before flags existed)."""
    return FlagSettings.from_dict(contest.flag_settings)


def _phones_from_client(participant: Participant, settings: FlagSettings) -> int:
    if not participant.client_hash:
        return 1
    window = timedelta(minutes=settings.client_window_minutes)
    return db.session.execute(
        db.select(func.count(Participant.id)).where(
            Participant.contest_id == participant.contest_id, Participant.client_hash == participant.client_hash,
            Participant.created_at.between(participant.created_at - window, participant.created_at + window))
    ).scalar_one()


def flag_finished(attempt: Attempt, score: float, duration: int) -> int:
    """Flag an attempt that is being finalised, if it passes; inside the caller's write transaction."""
    contest = db.session.get(Contest, attempt.contest_id)
    if score is None or score < contest.pass_score:
        return 0  # only attempts that could win a prize are worth an organizer's review
    settings = settings_of(contest)
    last = db.session.execute(
        db.select(func.max(AttemptAnswer.saved_at)).where(AttemptAnswer.attempt_id == attempt.id)).scalar_one()
    participant = db.session.get(Participant, attempt.participant_id)
    facts = AttemptFacts(question_count(contest), duration, attempt.started_at, last,
                         _phones_from_client(participant, settings))
    found = attempt_flags(facts, settings)
    for kind, detail in found:
        db.session.add(AttemptFlag(contest_id=contest.id, attempt_id=attempt.id, participant_id=participant.id,
                                   kind=kind, detail=detail))
    return len(found)


def _passing_attempts(contest: Contest):
    return db.session.execute(
        db.select(Attempt.id, Attempt.participant_id, Attempt.started_at, Attempt.duration_seconds)
        .where(Attempt.contest_id == contest.id, Attempt.status == "finished", Attempt.score >= contest.pass_score)
    ).all()


def _last_answers(contest: Contest) -> dict[str, datetime]:
    rows = db.session.execute(
        db.select(AttemptAnswer.attempt_id, func.max(AttemptAnswer.saved_at))
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .where(Attempt.contest_id == contest.id, Attempt.status == "finished", Attempt.score >= contest.pass_score)
        .group_by(AttemptAnswer.attempt_id)
    ).all()
    return {attempt_id: last for attempt_id, last in rows}


def _client_counts(contest: Contest, settings: FlagSettings) -> dict[int, int]:
    rows = db.session.execute(
        db.select(Participant.id, Participant.client_hash, Participant.created_at)
        .where(Participant.contest_id == contest.id, Participant.client_hash.is_not(None))
    ).all()
    by_client: dict[str, list[datetime]] = defaultdict(list)
    for row in rows:
        by_client[row.client_hash].append(row.created_at)
    for times in by_client.values():
        times.sort()
    return {row.id: phones_near(by_client[row.client_hash], row.created_at, settings.client_window_minutes)
            for row in rows}


def refresh_flags(contest: Contest) -> int:
    """Re-examine every passing attempt and add the flags now due; inside the caller's write transaction."""
    # Registrations made after an attempt was finalised (more phones from one device) are only
    # visible now, so the draw re-checks everything before it freezes the list.
    settings, count = settings_of(contest), question_count(contest)
    existing = {tuple(row) for row in db.session.execute(
        db.select(AttemptFlag.attempt_id, AttemptFlag.kind).where(AttemptFlag.contest_id == contest.id))}
    last_answers, phones = _last_answers(contest), _client_counts(contest, settings)
    added = 0
    for row in _passing_attempts(contest):
        facts = AttemptFacts(count, row.duration_seconds or 0, row.started_at, last_answers.get(row.id),
                             phones.get(row.participant_id, 1))
        for kind, detail in attempt_flags(facts, settings):
            if (row.id, kind) not in existing:
                db.session.add(AttemptFlag(contest_id=contest.id, attempt_id=row.id,
                                           participant_id=row.participant_id, kind=kind, detail=detail))
                added += 1
    db.session.flush()
    return added


def review_flags(slug: str, include_cleared: bool = False) -> list[dict]:
    """Bring the contest's flags up to date and list them with names and phones masked."""
    contest = get_contest(slug)
    begin_write(db.session)
    refresh_flags(contest)
    db.session.commit()
    query = (db.select(AttemptFlag, Participant.name, Participant.phone)
             .join(Participant, Participant.id == AttemptFlag.participant_id)
             .where(AttemptFlag.contest_id == contest.id).order_by(AttemptFlag.id))
    if not include_cleared:
        query = query.where(AttemptFlag.cleared_at.is_(None))
    return [
        {"id": flag.id, "kind": flag.kind, "label": FLAG_LABELS.get(flag.kind, flag.kind), "detail": flag.detail,
         "attempt_id": flag.attempt_id, "name": mask_name(name), "phone": mask_phone(phone),
         "created_at": iso_local(flag.created_at, contest.timezone),
         "cleared_at": iso_local(flag.cleared_at, contest.timezone), "cleared_by": flag.cleared_by}
        for flag, name, phone in db.session.execute(query).all()
    ]


def clear_flag(flag_id: int, actor: str, now: datetime) -> tuple[AttemptFlag, bool]:
    """Clear a flag after review; returns (flag, changed). Clearing twice changes nothing."""
    begin_write(db.session)
    flag = db.session.get(AttemptFlag, flag_id)
    if flag is None:
        db.session.rollback()
        raise NotFound(f"标记 {flag_id} 不存在")
    if flag.cleared_at is not None:
        db.session.rollback()
        return flag, False
    flag.cleared_at, flag.cleared_by = now, (actor or "unknown")[:64]
    contest = db.session.get(Contest, flag.contest_id)
    audit.record("flag_clear", actor, contest, 1, now, {"flag_id": flag.id, "kind": flag.kind,
                                                          "attempt_id": flag.attempt_id})
    db.session.commit()
    log.info("flag cleared id=%d kind=%s contest=%s by=%s", flag.id, flag.kind, contest.slug, flag.cleared_by)
    return flag, True
