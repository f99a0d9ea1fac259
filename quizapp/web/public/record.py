"""Result with explanations, my record, and the public leaderboard."""

from __future__ import annotations

from flask import g, redirect, render_template, url_for

from ...services import attempts, contests, presenters, standings
from ..common import now
from ..public_cache import cached_public
from ..security import mark_personal
from . import bp
from .session import participant_required

LEADERBOARD_SIZE = 50


@bp.get("/c/<slug>/result/<attempt_id>")
@participant_required
def result(slug: str, attempt_id: str):
    """Score, eligibility, time used and every question explained with its source."""
    attempt = attempts.attempt_for(g.participant, attempt_id)  # another's attempt: NotFound (404)
    moment = now()
    attempt = attempts.close_if_expired(attempt, moment)
    if attempt.status != "finished":
        return redirect(url_for("public.play", slug=slug))
    payload = presenters.result_payload(attempt, g.contest)
    view = contests.contest_view(g.contest, moment)
    record = standings.my_record(g.contest, g.participant, moment)
    mark_personal()
    return render_template("public/result.html", contest=view, result=payload, record=record)


@bp.get("/c/<slug>/me")
@participant_required
def me(slug: str):
    """我的成绩: attempts, best score, eligibility and attempts left today."""
    moment = now()
    record = standings.my_record(g.contest, g.participant, moment)
    view = contests.contest_view(g.contest, moment)
    mark_personal()
    return render_template("public/me.html", contest=view, record=record, participant=g.participant)


@bp.get("/c/<slug>/leaderboard")
@cached_public("LEADERBOARD_CACHE_SECONDS")
def leaderboard(slug: str):
    """排行榜: best attempt per participant, names masked by the service."""
    contest = contests.get_contest(slug)
    moment = now()
    board = standings.leaderboard(contest, LEADERBOARD_SIZE, moment)  # the whole page is cached (cached_public)
    return render_template("public/leaderboard.html", contest=contests.contest_view(contest, moment),
                           entries=board["entries"])
