"""Timed rounds: start, save each answer, submit, and finalise what the clock closed."""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, Integer, bindparam, func, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from .. import metrics
from ..database import (
    autocommit_connection,
    begin_write,
    close_autocommit,
    is_unique_violation,
    saved_unless_duplicate,
    single_write_turn,
)
from ..domain.errors import DomainError, ValidationError
from ..domain.paper import PaperItem, draw_paper, from_dict, to_dict
from ..domain.scoring import ScoringItem, score_sheet
from ..domain.timing import accepts_answer, attempt_deadline, duration_seconds, local_day
from ..extensions import db
from ..models import Attempt, AttemptAnswer, Contest, Participant, ParticipantToken, UTCDateTime
from . import answer_statements, tallies
from .contests import NotFound, candidate_pools, draw_rules, max_score
from .flags import flag_finished
from .participants import require_open
from .question_cache import exposure
from .question_cache import questions as question_cache


class AttemptClosed(DomainError):
    """The attempt was submitted or its time is up."""

    code = "attempt_closed"


class AttemptsExhausted(DomainError):
    """Today's or the total allowance of attempts is used up."""

    code = "attempts_exhausted"


def running_attempt(participant_id: int) -> Attempt | None:
    """The participant's unfinished attempt, if any."""
    return db.session.execute(
        db.select(Attempt).filter_by(participant_id=participant_id, status="running")
    ).scalar_one_or_none()


def attempt_counts(participant_id: int, day) -> tuple[int, int]:
    """(all attempts, attempts started on `day`) of a participant, in one query."""
    row = db.session.execute(
        db.select(func.count(), func.count().filter(Attempt.day == day)).where(Attempt.participant_id == participant_id)
    ).one()
    return row[0], row[1]


def attempts_left_today(contest: Contest, total: int, today_count: int) -> int:
    """How many more attempts are allowed today, counting the total cap as well."""
    return max(0, min(contest.attempts_per_day - today_count, contest.max_attempts - total))


def _check_allowance(contest: Contest, total: int, today_count: int) -> None:
    if total >= contest.max_attempts:
        raise AttemptsExhausted(f"您已用完全部 {contest.max_attempts} 次答题机会")
    if today_count >= contest.attempts_per_day:
        raise AttemptsExhausted(f"今天的 {contest.attempts_per_day} 次答题机会已用完，请明天再来")


# A participant's rounds so far, for the allowance: read without a lock, because the unique keys on
# (participant, seq), (participant, day, day_seq) and running_key refuse any start that raced this one.
_ATTEMPT_SUMMARY = db.select(Attempt.id, Attempt.status, Attempt.day).where(
    Attempt.participant_id == bindparam("participant_id"))
_INSERT_ATTEMPT = db.insert(Attempt)


def start_attempt(contest: Contest, participant: Participant, now: datetime, rng: random.Random,
                  pool_ttl: float = 0.0) -> tuple[Attempt, bool]:
    """Start a round, or return the one still running; returns (attempt, created)."""
    require_open(contest, now)
    today = local_day(now, contest.timezone)
    rules = draw_rules(contest)
    # Drawing is pure computation, so it happens before anything is written; the paper is simply
    # dropped when the participant turns out to have a round running already.
    pools = candidate_pools(rules, today, pool_ttl, reviewed_only=contest.reviewed_only)
    shown = exposure()  # balanced against this process's counts: no query per start
    items = draw_paper(rules, pools, rng, exposure=shown.counts(contest.id, pools))
    conn = autocommit_connection(db.session)
    summary = conn.execute(_ATTEMPT_SUMMARY, {"participant_id": participant.id}).all()
    if any(row.status == "running" for row in summary):
        return _start_beside_running(contest, participant, now, items)
    total, today_count = len(summary), sum(1 for row in summary if row.day == today)
    _check_allowance(contest, total, today_count)
    values = _new_attempt(contest, participant, now, today, total, today_count, items)
    try:
        with single_write_turn(conn):
            conn.execute(_INSERT_ATTEMPT, values)  # one statement, committed before it returns
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        return _after_start_race(contest, participant, today)
    close_autocommit(db.session)  # the presenter may read questions through the session next
    metrics.attempt_started()
    shown.record(contest.id, [item.question_id for item in items])
    return Attempt(**values), True  # what was written; not in the session, never written again


def _new_attempt(contest: Contest, participant: Participant, now: datetime, today, total: int, today_count: int,
                 items: list[PaperItem]) -> dict:
    """The row of a new round: the next sequence numbers, the deadline and the drawn paper."""
    return {"id": secrets.token_hex(16), "contest_id": contest.id, "participant_id": participant.id,
            "seq": total + 1, "day": today, "day_seq": today_count + 1, "running_key": participant.id,
            "status": "running", "started_at": now,
            "deadline": attempt_deadline(now, contest.time_limit_seconds, contest.ends_at),
            "grace_seconds": contest.grace_seconds, "paper": [to_dict(item) for item in items],
            "max_score": max_score(contest), "late": False}


def _start_beside_running(contest: Contest, participant: Participant, now: datetime,
                          items: list[PaperItem]) -> tuple[Attempt, bool]:
    """A round is running: hand it back while it accepts answers, else finalise it and start anew."""
    begin_write(db.session)
    current = running_attempt(participant.id)
    if current is not None and accepts_answer(current.deadline, current.grace_seconds, now):
        return current, False
    if current is not None:
        finalize(current, now)  # commits
    begin_write(db.session)
    today = local_day(now, contest.timezone)
    total, today_count = attempt_counts(participant.id, today)
    _check_allowance(contest, total, today_count)
    attempt = Attempt(**_new_attempt(contest, participant, now, today, total, today_count, items))
    db.session.add(attempt)
    if not saved_unless_duplicate(db.session):
        return _after_start_race(contest, participant, today)
    metrics.attempt_started()
    exposure().record(contest.id, [item.question_id for item in items])
    return attempt, True


def _after_start_race(contest: Contest, participant: Participant, today) -> tuple[Attempt, bool]:
    # A parallel start won the unique keys: hand back its attempt, or say why there is none. The
    # request's read transaction began before that start committed: read afresh.
    close_autocommit(db.session)
    db.session.commit()
    current = running_attempt(participant.id)
    if current is not None:
        return current, False
    _check_allowance(contest, *attempt_counts(participant.id, today))
    raise DomainError("同时开始了多次答题，请刷新后重试", code="conflict")


def attempt_for_token(token_hash: str, attempt_id: str) -> Attempt | None:
    """The attempt if it belongs to the holder of this token, in one query; else None. Nothing is
    locked: a submit locks the row itself (_locked_status) in the transaction that closes it."""
    if not attempt_id or len(attempt_id) > 64:
        return None
    # The contest comes along in the same query: a submit needs it and would otherwise read it again.
    query = (db.select(Attempt)
             .join(ParticipantToken, ParticipantToken.participant_id == Attempt.participant_id)
             .join(Attempt.contest).options(contains_eager(Attempt.contest))
             .where(ParticipantToken.token_hash == token_hash, Attempt.id == attempt_id))
    return db.session.execute(query).scalar_one_or_none()


# What an answer save reads of its attempt: no contest, no ORM object, no transaction (the hottest request
# of a round). Nothing read here needs a lock: the write re-checks the status in its own statement.
_ANSWER_TARGET = (db.select(Attempt.id, Attempt.status, Attempt.deadline, Attempt.grace_seconds, Attempt.paper)
                  .join(ParticipantToken, ParticipantToken.participant_id == Attempt.participant_id)
                  .where(ParticipantToken.token_hash == bindparam("token_hash"), Attempt.id == bindparam("attempt_id")))


def answer_target(token_hash: str, attempt_id: str):
    """For saving an answer: the attempt's id, status, deadline, grace and paper if it belongs to this
    token, else None; read on the request's autocommit connection (see save_answer)."""
    if not attempt_id or len(attempt_id) > 64:
        return None
    row = autocommit_connection(db.session).execute(
        _ANSWER_TARGET, {"token_hash": token_hash, "attempt_id": attempt_id}).one_or_none()
    if row is None:
        close_autocommit(db.session)  # the caller goes on to find out why, through the session
    return row


def _locked_status(attempt_id: str) -> str | None:
    """The attempt's status, read with its row locked for update in the current write transaction."""
    return db.session.execute(
        db.select(Attempt.status).where(Attempt.id == attempt_id).with_for_update()).scalar_one_or_none()


def attempt_for(participant: Participant, attempt_id: str) -> Attempt:
    """The participant's own attempt; another's (or none) is NotFound, never revealed."""
    attempt = db.session.get(Attempt, attempt_id) if attempt_id and len(attempt_id) <= 64 else None
    if attempt is None or attempt.participant_id != participant.id:
        raise NotFound("答题记录不存在")
    return attempt


def contest_of(attempt: Attempt) -> Contest:
    """The contest an attempt belongs to (already loaded when the attempt came through its token)."""
    return attempt.contest


def close_if_expired(attempt: Attempt, now: datetime) -> Attempt:
    """Finalise a running attempt whose time (plus grace) is over; otherwise leave it."""
    if attempt.status == "running" and not accepts_answer(attempt.deadline, attempt.grace_seconds, now):
        return finalize(attempt, now)
    return attempt


def paper_items(attempt: Attempt) -> list[PaperItem]:
    """The attempt's stored paper, in display order."""
    return [from_dict(data) for data in attempt.paper]


def _item(attempt: Attempt, key: str) -> PaperItem:
    for data in attempt.paper:
        if data.get("key") == key:
            return from_dict(data)
    raise NotFound("这道题不在本次答卷中")


def validate_choice(item: PaperItem, option_ids) -> list[str]:
    """Check chosen option ids against one question; returns them deduplicated in display order."""
    if not isinstance(option_ids, list) or not all(isinstance(x, str) for x in option_ids):
        raise ValidationError("option_ids", "应为选项编号的数组")
    unknown = [x for x in option_ids if x not in item.option_ids]
    if unknown:
        raise ValidationError("option_ids", f"选项不属于这道题：{', '.join(unknown[:3])}")
    chosen = [x for x in item.option_ids if x in set(option_ids)]
    if item.type != "multiple" and len(chosen) > 1:
        raise ValidationError("option_ids", "这道题只能选一个选项")
    return chosen


# The same ON CONFLICT statement runs on SQLite and PostgreSQL; built once because the answer
# save is the hottest write of a round.
UPSERT_ANSWER = text(
    "INSERT INTO attempt_answer (attempt_id, question_key, option_ids, saved_at) "
    "VALUES (:attempt_id, :question_key, :option_ids, :saved_at) "
    "ON CONFLICT (attempt_id, question_key) DO UPDATE "
    "SET option_ids = excluded.option_ids, saved_at = excluded.saved_at"
).bindparams(bindparam("option_ids", type_=JSON), bindparam("saved_at", type_=UTCDateTime))


def _upsert_answer(attempt_id: str, key: str, chosen: list[str], now: datetime) -> None:
    db.session.execute(UPSERT_ANSWER, {"attempt_id": attempt_id, "question_key": key, "option_ids": chosen,
                                       "saved_at": now})


def _require_accepting(attempt: Attempt, now: datetime) -> None:
    if attempt.status != "running" or not accepts_answer(attempt.deadline, attempt.grace_seconds, now):
        raise AttemptClosed("答题已结束（已交卷或超过时限），答案不再保存")


def save_answer(attempt, key: str, option_ids, now: datetime) -> None:
    """Save the options chosen for one question, replacing any earlier choice.

    `attempt` is what answer_target read. The save is one statement that writes only while the attempt
    is still running, and it commits before this returns. A submit locks the attempt's row, reads the
    answers and closes it in one transaction: the save either commits before (and is scored) or finds
    the attempt closed and is refused (AttemptClosed), never a save that does not count."""
    _require_accepting(attempt, now)
    chosen = validate_choice(_item(attempt, key), option_ids)
    conn = autocommit_connection(db.session)
    with single_write_turn(conn):
        saved = conn.execute(answer_statements.conditional_upsert(conn.dialect.name),
                             {"attempt_id": attempt.id, "question_key": key, "option_ids": chosen, "saved_at": now})
    close_autocommit(db.session)  # a page goes on to read through the session
    if saved.rowcount != 1:
        raise AttemptClosed("答卷已提交，这次选择没有保存")
    metrics.answer_saved()


def saved_answers(attempt: Attempt) -> dict[str, list[str]]:
    """Answers saved for the attempt so far, by question key."""
    rows = db.session.execute(
        db.select(AttemptAnswer.question_key, AttemptAnswer.option_ids).filter_by(attempt_id=attempt.id)
    ).all()
    return {row.question_key: list(row.option_ids) for row in rows}


def _validated_sheet(attempt: Attempt, answers) -> dict[str, list[str]]:
    if not isinstance(answers, Mapping):
        raise ValidationError("answers", "应为 {题目编号: [选项编号]} 形式的对象")
    items = {item.key: item for item in paper_items(attempt)}
    sheet = {}
    for key, option_ids in answers.items():
        if key not in items:
            raise ValidationError(f"answers.{key}", "这道题不在本次答卷中")
        sheet[key] = validate_choice(items[key], option_ids)
    return sheet


def submit(attempt: Attempt, answers, now: datetime) -> Attempt:
    """Hand in the attempt; idempotent, and answers sent after the deadline do not count."""
    if attempt.status == "finished":
        return attempt
    sheet = _validated_sheet(attempt, answers) if answers is not None else {}
    in_time = accepts_answer(attempt.deadline, attempt.grace_seconds, now)
    return _finalize(attempt, now, sheet if in_time else {}, how="submitted")[0]


def _scoring_items(items: list[PaperItem]) -> list[ScoringItem]:
    records = question_cache.get_many([item.question_id for item in items])
    scoring = []
    for item in items:
        right = records[item.question_id].answer
        correct = frozenset(oid for oid, idx in zip(item.option_ids, item.option_index, strict=True) if idx in right)
        scoring.append(ScoringItem(key=item.key, points=item.points, partial=item.partial, correct=correct))
    return scoring


def finalize(attempt: Attempt, now: datetime) -> Attempt:
    """Score the answers saved in time and close the attempt exactly once."""
    return _finalize(attempt, now, {}, how="expired")[0]


# Built once: building the ORM UPDATE with its values cost a submit more than running it.
_CLOSE_ATTEMPT = text(
    "UPDATE attempt SET status = :status, running_key = :running_key, submitted_at = :submitted_at, "
    "score = :score, correct_count = :correct_count, late = :late, results = :results, "
    "duration_seconds = :duration_seconds WHERE id = :attempt_id AND status = 'running'"
).bindparams(bindparam("submitted_at", type_=UTCDateTime), bindparam("results", type_=JSON),
             bindparam("running_key", type_=Integer), bindparam("late", type_=Boolean),
             bindparam("score", type_=Float))


def _finalize(attempt: Attempt, now: datetime, fresh: dict[str, list[str]], how: str) -> tuple[Attempt, bool]:
    # The attempt's row is locked first and its answers read after, in the transaction that
    # closes it: an answer saved in parallel either committed before (and is scored) or waits and
    # then finds the attempt closed (409). The status condition on the UPDATE keeps exactly one
    # finaliser the winner; the flag says whether this call was the one.
    begin_write(db.session)
    if _locked_status(attempt.id) != "running":
        db.session.rollback()  # another request finalised it first: keep its result
        db.session.refresh(attempt)
        return attempt, False
    in_time = accepts_answer(attempt.deadline, attempt.grace_seconds, now)
    ended_at = min(now, attempt.deadline)
    items = paper_items(attempt)
    sheet = score_sheet(_scoring_items(items), {**saved_answers(attempt), **fresh})
    results = [{"question_id": r.key, "correct": r.correct, "awarded": r.awarded,
                "chosen_option_ids": list(r.chosen), "correct_option_ids": list(r.correct_ids)} for r in sheet.items]
    values = {"status": "finished", "running_key": None, "submitted_at": ended_at, "score": sheet.score,
              "correct_count": sheet.correct_count, "late": not in_time, "results": results,
              "duration_seconds": duration_seconds(attempt.started_at, ended_at)}
    for key, chosen in fresh.items():
        _upsert_answer(attempt.id, key, chosen, now)
    outcome = db.session.execute(_CLOSE_ATTEMPT, {**values, "attempt_id": attempt.id})
    if outcome.rowcount == 0:
        db.session.rollback()
        db.session.refresh(attempt)
        return attempt, False
    flag_finished(attempt, values["score"], values["duration_seconds"])  # flags commit with the result
    # The statistics' running totals commit with the result too, so they never drift from it.
    tallies.record_finished(db.session, attempt.contest, attempt.participant_id, values, items)
    db.session.commit()
    metrics.attempt_finished(how)
    for name, value in values.items():
        set_committed_value(attempt, name, value)
    return attempt, True


def finalize_expired(contest_id: int, now: datetime, limit: int = 200) -> int:
    """Finalise attempts abandoned past deadline + grace; returns how many this call closed (a parallel
    run, such as a second timer, closes the rest and each attempt is scored once)."""
    candidates = db.session.execute(
        db.select(Attempt).where(Attempt.contest_id == contest_id, Attempt.status == "running",
                                 Attempt.deadline < now).order_by(Attempt.deadline).limit(limit)
    ).scalars().all()
    closed = 0
    for attempt in candidates:
        if not accepts_answer(attempt.deadline, attempt.grace_seconds, now):
            closed += _finalize(attempt, now, {}, how="expired")[1]
    return closed
