"""A participant's record and the public leaderboard."""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import func

from ..domain.masking import mask_name
from ..domain.scoring import RankEntry, rank
from ..domain.timing import local_day
from ..extensions import db
from ..models import Attempt, Contest, Participant
from .attempts import attempt_counts, attempts_left_today, close_if_expired, finalize_expired, running_attempt
from .contests import iso_local
from .eligibility import draw_standing, ensure_entrant_code


def my_record(contest: Contest, participant: Participant, now: datetime) -> dict:
    """Attempts, best score, draw eligibility with entrant code, and attempts left today (CONTRACT §1 me)."""
    current = running_attempt(participant.id)
    if current is not None:
        close_if_expired(current, now)
    attempts = db.session.execute(
        db.select(Attempt).filter_by(participant_id=participant.id).order_by(Attempt.seq)
    ).scalars().all()
    scores = [a.score for a in attempts if a.status == "finished"]
    best = max(scores) if scores else None
    total, today_count = attempt_counts(participant.id, local_day(now, contest.timezone))
    # `eligible` is the draw's own rule (services/eligibility), so that `me`, the pages and the
    # draw never disagree; `passed` is the pass mark alone, as in the submit result.
    standing = draw_standing(contest, participant)
    code = ensure_entrant_code(participant) if standing.eligible else None
    return {
        "participant_id": participant.id,
        "attempts": [
            {"attempt_id": a.id, "score": a.score, "status": a.status,
             "submitted_at": iso_local(a.submitted_at, contest.timezone)}
            for a in attempts
        ],
        "best_score": best,
        "eligible": standing.eligible,
        "entrant_code": code,
        "in_draw": standing.eligible,
        "passed": standing.passed,
        "draw_status": standing.status,
        "attempts_left_today": attempts_left_today(contest, total, today_count),
    }


def _best_attempts(contest_id: int, limit: int):
    order = (Attempt.score.desc(), Attempt.duration_seconds.asc(), Attempt.submitted_at.asc())
    numbered = (
        db.select(Attempt.participant_id, Attempt.score, Attempt.duration_seconds, Attempt.submitted_at,
                  func.row_number().over(partition_by=Attempt.participant_id, order_by=order).label("n"))
        .where(Attempt.contest_id == contest_id, Attempt.status == "finished")
        .subquery()
    )
    return db.session.execute(
        db.select(numbered, Participant.name, Participant.region)
        .join(Participant, Participant.id == numbered.c.participant_id)
        .where(numbered.c.n == 1)
        .order_by(numbered.c.score.desc(), numbered.c.duration_seconds.asc(),
                  numbered.c.submitted_at.asc(), numbered.c.participant_id.asc())
        .limit(limit)
    ).all()


_board_cache: dict[tuple[int, int], tuple[float, dict]] = {}


def leaderboard(contest: Contest, limit: int, now: datetime, ttl: float = 0.0) -> dict:
    """Best finished attempt per participant, ranked with explicit tie-breaks; names masked.

    The board is public and the most-read page of a busy contest, while its query ranks every
    finished attempt: a worker may reuse a board for `ttl` seconds.
    """
    key = (contest.id, limit)
    hit = _board_cache.get(key)
    if ttl and hit and time.monotonic() - hit[0] < ttl:
        return hit[1]
    board = _fresh_board(contest, limit, now)
    if ttl:
        _board_cache[key] = (time.monotonic(), board)
    return board


def _fresh_board(contest: Contest, limit: int, now: datetime) -> dict:
    finalize_expired(contest.id, now)
    rows = _best_attempts(contest.id, limit)
    people = {row.participant_id: row for row in rows}
    entries = [RankEntry(participant_id=row.participant_id, score=row.score, duration_seconds=row.duration_seconds,
                         submitted_at=row.submitted_at) for row in rows]
    return {"entries": [
        {"rank": position, "name": mask_name(people[entry.participant_id].name),
         "region": people[entry.participant_id].region, "score": entry.score,
         "duration_seconds": entry.duration_seconds}
        for position, entry in rank(entries)
    ]}
