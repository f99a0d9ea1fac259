"""A participant's record and the public leaderboard."""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import func

from ..domain.errors import ValidationError
from ..domain.masking import mask_name
from ..domain.permissions import RegionScope
from ..domain.regions import REGION_MAX, normalize, tree
from ..domain.scoring import RankEntry, rank
from ..domain.timing import local_day
from ..extensions import db
from ..models import Attempt, Contest, Participant
from .attempts import attempt_counts, attempts_left_today, close_if_expired, finalize_expired, running_attempt
from .contests import iso_local
from .eligibility import draw_standing, ensure_entrant_code
from .scope import within_scope


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


def board_region(regions: list[str], asked: str | None) -> str | None:
    """The region a board is asked for (?region=): None for every region, else a stored region or a 盟市
    that has 旗县区; ValidationError on `region` for anything else."""
    if asked is None or not asked.strip():
        return None
    # Typed by hand, a region may come with spaces or the full-width ／ of a Chinese IME.
    region = normalize(asked)
    if len(asked) <= REGION_MAX and (region in regions or region in (top for top, subs in tree(regions) if subs)):
        return region
    raise ValidationError("region", "所选地区不在本次竞赛的地区列表中")


def _best_attempts(contest_id: int, limit: int, region: str | None):
    order = (Attempt.score.desc(), Attempt.duration_seconds.asc(), Attempt.submitted_at.asc())
    numbered = (
        db.select(Attempt.participant_id, Attempt.score, Attempt.duration_seconds, Attempt.submitted_at,
                  func.row_number().over(partition_by=Attempt.participant_id, order_by=order).label("n"))
        .where(Attempt.contest_id == contest_id, Attempt.status == "finished")
        .subquery()
    )
    best = (
        db.select(numbered, Participant.name, Participant.region)
        .join(Participant, Participant.id == numbered.c.participant_id)
        # Someone who had their data deleted is off the public board (the statistics still count them).
        .where(numbered.c.n == 1, Participant.anonymised_at.is_(None))
    )
    # A 盟市 board takes in its 旗县区, as a 盟市 account's statistics do (one rule: services/scope).
    best = within_scope(best, RegionScope(region)) if region else best
    return db.session.execute(
        best.order_by(numbered.c.score.desc(), numbered.c.duration_seconds.asc(),
                      numbered.c.submitted_at.asc(), numbered.c.participant_id.asc())
        .limit(limit)
    ).all()


_board_cache: dict[tuple[int, int, str | None], tuple[float, dict]] = {}


def leaderboard(contest: Contest, limit: int, now: datetime, ttl: float = 0.0, region: str | None = None) -> dict:
    """Best finished attempt per participant, ranked with explicit tie-breaks; names masked.

    With `region` (a value board_region accepted), only that region's participants, ranked among
    themselves. The board is public and the most-read page of a busy contest, while its query ranks
    every finished attempt: a worker may reuse a board for `ttl` seconds.
    """
    key = (contest.id, limit, region)
    hit = _board_cache.get(key)
    if ttl and hit and time.monotonic() - hit[0] < ttl:
        return hit[1]
    board = _fresh_board(contest, limit, now, region)
    if ttl:
        _board_cache[key] = (time.monotonic(), board)
    return board


def _fresh_board(contest: Contest, limit: int, now: datetime, region: str | None) -> dict:
    finalize_expired(contest.id, now)
    rows = _best_attempts(contest.id, limit, region)
    people = {row.participant_id: row for row in rows}
    entries = [RankEntry(participant_id=row.participant_id, score=row.score, duration_seconds=row.duration_seconds,
                         submitted_at=row.submitted_at) for row in rows]
    return {"entries": [
        {"rank": position, "name": mask_name(people[entry.participant_id].name),
         "region": people[entry.participant_id].region, "score": entry.score,
         "duration_seconds": entry.duration_seconds}
        for position, entry in rank(entries)
    ]}
