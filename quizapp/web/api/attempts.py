"""Starting, answering and submitting attempts."""

from __future__ import annotations

from flask import g

from ...services import attempts, presenters
from ..common import now, pool_ttl, rng
from ..ratelimits import admission_budget
from ..security import mark_personal
from ..token_limit import token_limited
from . import bp
from .auth import json_body, own_contest, require_attempt, require_participant


@bp.post("/contests/<slug>/attempts")
@admission_budget("start")
@token_limited
@require_participant
def start(slug: str):
    """Start a round, or return the one still running."""
    contest = own_contest(slug)
    moment = now()
    attempt, created = attempts.start_attempt(contest, g.participant, moment, rng(), pool_ttl())
    mark_personal()
    payload = presenters.running_payload(attempt, contest, moment, with_answers=not created)
    return payload, 201 if created else 200


@bp.get("/attempts/<attempt_id>")
@token_limited
@require_attempt
def show(attempt):
    """The running attempt with saved answers, or its result."""
    moment = now()
    attempt = attempts.close_if_expired(attempt, moment)
    mark_personal()
    return presenters.attempt_payload(attempt, attempts.contest_of(attempt), moment)


@bp.put("/attempts/<attempt_id>/answers/<question_id>")
@token_limited
@require_attempt(loader=attempts.answer_target)
def save_answer(attempt, question_id: str):
    """Save the options chosen for one question."""
    body = json_body()
    attempts.save_answer(attempt, question_id, body.get("option_ids"), now())
    return "", 204


@bp.post("/attempts/<attempt_id>/submit")
@token_limited
@require_attempt  # read without a lock: submit locks the row itself, after the body is checked
def submit(attempt):
    """Hand in; idempotent."""
    body = json_body(optional=True)
    attempt = attempts.submit(attempt, body.get("answers"), now())
    mark_personal()
    return presenters.result_payload(attempt, attempts.contest_of(attempt))
