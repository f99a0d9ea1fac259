"""Raising, listing and reviewing (clearing or upholding) cheat flags on attempts that would make someone eligible."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, false, func, or_

from ..database import begin_write, saved_unless_duplicate
from ..domain.errors import DomainError, ValidationError
from ..domain.flags import (
    ACTION_STATES,
    CLEAR,
    CLEARED,
    FLAG_LABELS,
    REASON_MAX,
    UNRESOLVED,
    UPHELD,
    UPHOLD,
    AttemptFacts,
    FlagSettings,
    attempt_flags,
    flag_state,
    phones_near,
    review_decision,
)
from ..domain.masking import mask_name, mask_phone
from ..domain.permissions import EVERYWHERE, RegionScope
from ..extensions import db
from ..models import Attempt, AttemptAnswer, AttemptFlag, Contest, Participant, PrizeDraw
from . import audit
from .contests import NotFound, get_contest, iso_local, question_count
from .scope import within_scope

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


def _seconds_after(later, earlier):
    """`later - earlier` in seconds, in SQL: SQLite keeps times as text, PostgreSQL as timestamps."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _busy_devices(contest: Contest, settings: FlagSettings):
    """Devices with more registrations in all than the limit: only those can break the rule."""
    return (db.select(Participant.client_hash)
            .where(Participant.contest_id == contest.id, Participant.client_hash.is_not(None))
            .group_by(Participant.client_hash).having(func.count(Participant.id) > settings.max_phones_per_client))


def _candidates(contest: Contest, settings: FlagSettings, count: int, participant: Participant | None) -> list:
    """Passing attempts that some rule might flag, chosen in SQL (a superset: the domain rule decides), so
    that a national contest's hundreds of thousands of clean rounds never come into Python."""
    columns = (Attempt.id, Attempt.participant_id, Attempt.started_at, Attempt.duration_seconds)
    if participant is not None:
        # One person's few rounds all go to the domain rule, looked up by the participant alone: any
        # other condition would steer SQLite's planner onto the contest-wide (contest, status, score) index.
        rows = db.session.execute(db.select(*columns, Attempt.status, Attempt.score)
                                  .where(Attempt.participant_id == participant.id)).all()
        return [row for row in rows if row.status == "finished" and row.score is not None
                and row.score >= contest.pass_score]
    query = db.select(*columns).where(Attempt.contest_id == contest.id, Attempt.status == "finished",
                                      Attempt.score >= contest.pass_score)
    maybe = []
    if settings.min_seconds_per_question:
        maybe.append(func.coalesce(Attempt.duration_seconds, 0) < settings.min_seconds_per_question * max(count, 1))
    if settings.max_phones_per_client:
        maybe.append(Attempt.participant_id.in_(db.select(Participant.id).where(
            Participant.contest_id == contest.id, Participant.client_hash.in_(_busy_devices(contest, settings)))))
    if settings.burst_seconds:
        answers = db.select(AttemptAnswer.attempt_id).where(AttemptAnswer.attempt_id == Attempt.id)
        late = answers.where(_seconds_after(AttemptAnswer.saved_at, Attempt.started_at) > settings.burst_seconds + 0.01)
        maybe.append(answers.exists() & ~late.exists())
    return db.session.execute(query.where(or_(*maybe) if maybe else false())).all()


def _in_batches(ids: list[str], select_for):
    """Rows of `select_for(batch)` over the ids in batches (SQLite limits bound parameters)."""
    for start in range(0, len(ids), 500):
        yield from db.session.execute(select_for(ids[start:start + 500])).all()


def _last_answers(ids: list[str]) -> dict[str, datetime]:
    return {attempt_id: last for attempt_id, last in _in_batches(ids, lambda batch: (
        db.select(AttemptAnswer.attempt_id, func.max(AttemptAnswer.saved_at))
        .where(AttemptAnswer.attempt_id.in_(batch)).group_by(AttemptAnswer.attempt_id)))}


def _client_counts(contest: Contest, settings: FlagSettings, participant: Participant | None = None) -> dict[int, int]:
    """Phones registered around each participant's registration from the same device (busy devices only;
    for one participant, only theirs)."""
    if not settings.max_phones_per_client or (participant is not None and not participant.client_hash):
        return {}
    if participant is not None:  # by the device's index alone, as above
        query = (db.select(Participant.id, Participant.contest_id, Participant.client_hash, Participant.created_at)
                 .where(Participant.client_hash == participant.client_hash))
    else:
        query = (db.select(Participant.id, Participant.contest_id, Participant.client_hash, Participant.created_at)
                 .where(Participant.contest_id == contest.id,
                        Participant.client_hash.in_(_busy_devices(contest, settings))))
    rows = [row for row in db.session.execute(query).all() if row.contest_id == contest.id]
    by_client: dict[str, list[datetime]] = defaultdict(list)
    for row in rows:
        by_client[row.client_hash].append(row.created_at)
    for times in by_client.values():
        times.sort()
    return {row.id: phones_near(by_client[row.client_hash], row.created_at, settings.client_window_minutes)
            for row in rows}


def _due_flags(contest: Contest, participant: Participant | None = None) -> list[AttemptFlag]:
    """Flags the passing attempts (of everyone, or of one participant) deserve now and do not have yet."""
    # Registrations made after an attempt was finalised (more phones from one device) are only
    # visible now, so this re-checks with everything known at this moment.
    settings, count = settings_of(contest), question_count(contest)
    rows = _candidates(contest, settings, count, participant)
    if not rows:
        return []
    ids = [row.id for row in rows]
    existing = {tuple(row) for row in _in_batches(ids, lambda batch: db.select(
        AttemptFlag.attempt_id, AttemptFlag.kind).where(AttemptFlag.attempt_id.in_(batch)))}
    phones = _client_counts(contest, settings, participant)
    last_answers, due = _last_answers(ids), []
    for row in rows:
        facts = AttemptFacts(count, row.duration_seconds or 0, row.started_at, last_answers.get(row.id),
                             phones.get(row.participant_id, 1))
        due.extend(AttemptFlag(contest_id=contest.id, attempt_id=row.id, participant_id=row.participant_id,
                               kind=kind, detail=detail)
                   for kind, detail in attempt_flags(facts, settings) if (row.id, kind) not in existing)
    return due


def refresh_flags(contest: Contest, participant: Participant | None = None) -> int:
    """Re-examine every passing attempt (or one participant's) and add the flags now due; inside the
    caller's write transaction."""
    due = _due_flags(contest, participant)
    db.session.add_all(due)
    db.session.flush()
    return len(due)


def refresh_and_save(contest: Contest, participant: Participant | None = None) -> int:
    """Add and commit the flags now due; the checking reads run before the write lock is taken."""
    due = _due_flags(contest, participant)
    if not due:
        return 0
    begin_write(db.session)
    db.session.add_all(due)
    # A parallel request (another page view, the draw) may have added the same flags first: fine.
    return len(due) if saved_unless_duplicate(db.session) else 0


def review_flags(slug: str, include_cleared: bool = False) -> list[dict]:
    """Bring the contest's flags up to date and list them with names and phones masked: the unresolved
    ones, or (include_cleared) every flag with its review."""
    contest = get_contest(slug)
    refresh_and_save(contest)
    query = (db.select(AttemptFlag, Participant.name, Participant.phone)
             .join(Participant, Participant.id == AttemptFlag.participant_id)
             .where(AttemptFlag.contest_id == contest.id).order_by(AttemptFlag.id))
    if not include_cleared:
        query = query.where(AttemptFlag.cleared_at.is_(None), AttemptFlag.upheld_at.is_(None))
    tz = contest.timezone
    return [
        {"id": flag.id, "kind": flag.kind, "label": FLAG_LABELS.get(flag.kind, flag.kind), "detail": flag.detail,
         "attempt_id": flag.attempt_id, "name": mask_name(name), "phone": mask_phone(phone),
         "created_at": iso_local(flag.created_at, tz), "state": flag_state(flag.cleared_at, flag.upheld_at),
         "cleared_at": iso_local(flag.cleared_at, tz), "cleared_by": flag.cleared_by,
         "upheld_at": iso_local(flag.upheld_at, tz), "upheld_by": flag.upheld_by, "reason": flag.review_reason}
        for flag, name, phone in db.session.execute(query).all()
    ]


def unresolved_count(contest: Contest, scope: RegionScope = EVERYWHERE) -> int:
    """How many flags nobody has reviewed yet, after adding the flags now due (shown before the draw)."""
    refresh_and_save(contest)
    query = (db.select(func.count(AttemptFlag.id)).join(Participant, Participant.id == AttemptFlag.participant_id)
             .where(AttemptFlag.contest_id == contest.id, AttemptFlag.cleared_at.is_(None),
                    AttemptFlag.upheld_at.is_(None)))
    return db.session.execute(within_scope(query, scope)).scalar_one()


def state_counts(contest: Contest, scope: RegionScope = EVERYWHERE) -> dict[str, int]:
    """Flags by review state ({unresolved, cleared, upheld}) and `held`, the participants kept out of the draw."""
    state = case((AttemptFlag.cleared_at.is_not(None), CLEARED), (AttemptFlag.upheld_at.is_not(None), UPHELD),
                 else_=UNRESOLVED)
    base = (db.select(state.label("state"), func.count(AttemptFlag.id))
            .join(Participant, Participant.id == AttemptFlag.participant_id)
            .where(AttemptFlag.contest_id == contest.id).group_by(state))
    counts = {UNRESOLVED: 0, CLEARED: 0, UPHELD: 0, **dict(db.session.execute(within_scope(base, scope)).all())}
    held = (db.select(func.count(func.distinct(AttemptFlag.participant_id)))
            .join(Participant, Participant.id == AttemptFlag.participant_id)
            .where(AttemptFlag.contest_id == contest.id, AttemptFlag.cleared_at.is_(None)))
    counts["held"] = db.session.execute(within_scope(held, scope)).scalar_one()
    return counts


@dataclass(frozen=True)
class Resolution:
    """What a review changed: the flags now in the new state, those that already were, and the draw's state."""

    action: str
    changed: list[AttemptFlag]
    unchanged: list[AttemptFlag]
    draw_committed: bool  # a commitment exists: the list it froze no longer matches, recommit before the run


def _require_reviewable(contest: Contest) -> bool:
    """Refuse once the draw has been run (the winners came from the list as it was); True if committed."""
    latest = db.session.execute(
        db.select(PrizeDraw.status, PrizeDraw.version).where(PrizeDraw.contest_id == contest.id)
        .order_by(PrizeDraw.version.desc()).limit(1)).first()
    if latest is not None and latest.status == "drawn":
        raise DomainError(f"已开奖（第 {latest.version} 版），不能再更改作弊标记的审核结果；"
                          "如需取消某人的中奖资格，请用排除名单并重新承诺", code="draw_refused")
    return latest is not None


def _apply(flag: AttemptFlag, action: str, reason: str, actor: str, now: datetime) -> bool:
    """Put one flag in the action's state; False when it already was. A reviewer may change their mind."""
    if flag_state(flag.cleared_at, flag.upheld_at) == ACTION_STATES[action]:
        return False
    who = (actor or "unknown")[:64]
    cleared = action == CLEAR
    flag.cleared_at, flag.cleared_by = (now, who) if cleared else (None, None)
    flag.upheld_at, flag.upheld_by = (None, None) if cleared else (now, who)
    flag.review_reason = reason[:REASON_MAX]
    return True


def _load_for_review(ids: list[int], contest: Contest | None, scope: RegionScope) -> tuple[Contest, list]:
    flags = db.session.execute(within_scope(
        db.select(AttemptFlag).join(Participant, Participant.id == AttemptFlag.participant_id)
        .where(AttemptFlag.id.in_(ids)), scope).order_by(AttemptFlag.id)).scalars().all()
    missing = sorted(set(ids) - {flag.id for flag in flags})
    contest_ids = {flag.contest_id for flag in flags}
    if missing or len(contest_ids) != 1 or (contest is not None and contest_ids != {contest.id}):
        db.session.rollback()
        raise NotFound(f"标记 {'、'.join(map(str, missing or ids))} 不存在")
    return contest or db.session.get(Contest, contest_ids.pop()), list(flags)


def resolve_flags(ids, action: str, reason: str, actor: str, now: datetime, contest: Contest | None = None,
                  scope: RegionScope = EVERYWHERE, require_reason: bool = True) -> Resolution:
    """Clear or uphold flags of one contest with one reason, in one audited transaction."""
    if require_reason or (reason or "").strip():
        action, reason = review_decision(action, reason)
    elif action not in ACTION_STATES:
        raise ValidationError("action", "请选择解除或维持标记")
    else:
        reason = ""
    # (Only the CLI's clear-flag may leave the reason empty; it has no --reason option.)
    wanted = sorted({int(value) for value in ids if str(value).isdigit()})
    if not wanted:
        raise ValidationError("ids", "请至少选择一条标记")
    begin_write(db.session)
    contest, flags = _load_for_review(wanted, contest, scope)
    try:
        committed = _require_reviewable(contest)
    except DomainError:
        db.session.rollback()
        raise
    changed = [flag for flag in flags if _apply(flag, action, reason, actor, now)]
    unchanged = [flag for flag in flags if flag not in changed]
    if changed:
        one = changed[0] if len(changed) == 1 else None
        detail = ({"flag_id": one.id, "kind": one.kind, "attempt_id": one.attempt_id, "reason": reason} if one
                  else {"flag_id": [flag.id for flag in changed], "reason": reason})
        audit.record(f"flag_{action}", actor, contest, len(changed), now, detail)
    db.session.commit()
    log.info("flags %s ids=%s contest=%s by=%s", action, [flag.id for flag in changed], contest.slug, actor)
    return Resolution(action, changed, unchanged, committed)


def clear_flag(flag_id: int, actor: str, now: datetime, reason: str = "") -> tuple[AttemptFlag, bool]:
    """Clear a flag after review; returns (flag, changed). Clearing twice changes nothing."""
    outcome = resolve_flags([flag_id], CLEAR, reason, actor, now, require_reason=False)
    return (outcome.changed or outcome.unchanged)[0], bool(outcome.changed)


def uphold_flag(flag_id: int, actor: str, now: datetime, reason: str) -> tuple[AttemptFlag, bool]:
    """Uphold a flag after review (the person stays out of the draw), with a reason; returns (flag, changed)."""
    outcome = resolve_flags([flag_id], UPHOLD, reason, actor, now)
    return (outcome.changed or outcome.unchanged)[0], bool(outcome.changed)
