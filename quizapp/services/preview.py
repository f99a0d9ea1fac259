"""The organizer's 预览 round: drawn, shown and scored by the participants' own functions, but stored
in PreviewAttempt, apart from participants' attempts, so that it counts nowhere (statistics, the
leaderboard, eligibility, the draw). It works outside the contest window, to test before launch."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..database import begin_write
from ..domain.paper import draw_paper, to_dict, to_scoring_item
from ..domain.scoring import score_sheet
from ..domain.timing import accepts_answer, duration_seconds, local_day
from ..extensions import db
from ..models import Contest, PreviewAttempt
from .attempts import paper_items, validate_choice
from .contests import NotFound, contest_pools, draw_rules
from .presenters import result_payload, running_payload
from .question_cache import questions as question_cache


def start_preview(contest: Contest, user_id: int, now: datetime, rng: random.Random) -> PreviewAttempt:
    """Draw a paper as a participant would get one; the account's earlier preview of the contest is replaced."""
    items = draw_paper(draw_rules(contest), contest_pools(contest, local_day(now, contest.timezone)), rng)
    begin_write(db.session)
    db.session.execute(db.delete(PreviewAttempt).where(PreviewAttempt.user_id == user_id,
                                                       PreviewAttempt.contest_id == contest.id))
    # The contest's end does not cut the time short: a preview may run after it has closed.
    preview = PreviewAttempt(id=secrets.token_hex(16), user_id=user_id, contest_id=contest.id, started_at=now,
                             deadline=now + timedelta(seconds=contest.time_limit_seconds),
                             paper=[to_dict(item) for item in items], answers={})
    db.session.add(preview)
    db.session.commit()
    return preview


def current_preview(contest: Contest, user_id: int) -> PreviewAttempt | None:
    """The account's latest preview of the contest, if any."""
    return db.session.execute(
        db.select(PreviewAttempt).filter_by(contest_id=contest.id, user_id=user_id)
        .order_by(PreviewAttempt.started_at.desc()).limit(1)).scalar_one_or_none()


def get_preview(contest: Contest, user_id: int, preview_id: str) -> PreviewAttempt:
    """The account's own preview of this contest; anyone else's is NotFound."""
    preview = db.session.get(PreviewAttempt, preview_id) if 0 < len(preview_id) <= 32 else None
    if preview is None or preview.user_id != user_id or preview.contest_id != contest.id:
        raise NotFound("预览记录不存在（可能已被新的预览替换）")
    return preview


def paper_view(preview: PreviewAttempt, contest: Contest, now: datetime) -> dict:
    """The questions in display order, exactly as a participant's running attempt shows them."""
    # running_payload reads only id, started_at, deadline and paper, which a preview has too.
    return running_payload(preview, contest, now, with_answers=False)


def submit_preview(preview: PreviewAttempt, contest: Contest, answers: dict[str, list[str]],
                   now: datetime) -> PreviewAttempt:
    """Score the preview by the participants' rules; idempotent, and late answers do not count."""
    if preview.submitted_at is not None:
        return preview
    items = paper_items(preview)
    in_time = accepts_answer(preview.deadline, contest.grace_seconds, now)
    sheet = {item.key: validate_choice(item, answers[item.key])
             for item in items if in_time and answers.get(item.key)}
    records = question_cache.get_many([item.question_id for item in items])
    scored = score_sheet([to_scoring_item(item, records[item.question_id].answer) for item in items], sheet)
    ended_at = min(now, preview.deadline)
    begin_write(db.session)
    preview.answers = sheet
    preview.submitted_at = ended_at
    preview.results = {
        "score": scored.score, "max_score": scored.max_score, "correct_count": scored.correct_count,
        "duration_seconds": duration_seconds(preview.started_at, ended_at), "late": not in_time,
        "items": [{"question_id": r.key, "correct": r.correct, "awarded": r.awarded,
                   "chosen_option_ids": list(r.chosen), "correct_option_ids": list(r.correct_ids)}
                  for r in scored.items],
    }
    db.session.commit()
    return preview


@dataclass(frozen=True)
class _Finished:
    """A submitted preview in the shape result_payload reads from a finished attempt."""

    id: str
    paper: list
    results: list
    score: float
    max_score: float
    correct_count: int
    duration_seconds: int
    late: bool
    submitted_at: datetime


def result_view(preview: PreviewAttempt, contest: Contest) -> dict:
    """The result with ✓/✗, explanation and source per question, as participants see theirs."""
    data = preview.results or {}
    finished = _Finished(id=preview.id, paper=preview.paper, results=data.get("items", []),
                         score=data.get("score", 0.0), max_score=data.get("max_score", 0.0),
                         correct_count=data.get("correct_count", 0), duration_seconds=data.get("duration_seconds", 0),
                         late=bool(data.get("late")), submitted_at=preview.submitted_at)
    return result_payload(finished, contest)
