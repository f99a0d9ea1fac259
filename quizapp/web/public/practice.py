"""练习模式 at /c/<slug>/practice: no registration, the answer after each question, nothing stored.

Plain forms and POST-redirect-GET, so it works without JavaScript. The round lives in the signed
session cookie (ids only, see services.practice); the posts that draw a round or reveal an answer
are rate-limited per address, because each reveal hands out one question of the contest's banks.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ...domain.errors import ValidationError
from ...extensions import limiter
from ...services import contests
from ...services import practice as practice_service
from ..common import now, pool_ttl, rng
from ..ratelimits import per_ip
from ..security import mark_personal
from . import bp

SESSION_KEY = "practice"  # one round per browser: a new contest's practice replaces the other's
# Per address: a class practising together on one Wi-Fi answers a few times a minute each, while a
# scraper needs thousands of reveals to copy a bank. Settings can change both.
ANSWER_LIMIT = "120 per minute;2000 per hour"
ROUND_LIMIT = "30 per minute;300 per hour"


def _answer_limit() -> str:
    """Configured ceiling of answers (each reveals one question's answer) per address."""
    return current_app.config.get("PRACTICE_RATELIMIT_ANSWER") or ANSWER_LIMIT


def _round_limit() -> str:
    """Configured ceiling of new practice rounds per address."""
    return current_app.config.get("PRACTICE_RATELIMIT_ROUND") or ROUND_LIMIT


def _load(slug: str) -> practice_service.PracticeRound | None:
    """This browser's practice round of this contest, or None (none, another contest's, or damaged)."""
    state = practice_service.PracticeRound.from_cookie(session.get(SESSION_KEY))
    return state if state is not None and state.slug == slug else None


def _save(state: practice_service.PracticeRound) -> None:
    """Keep the round in the session cookie, only when it changed (an unchanged cookie is not re-sent)."""
    data = state.to_cookie()
    if session.get(SESSION_KEY) != data:
        session[SESSION_KEY] = data


def _home(slug: str):
    return redirect(url_for("public.practice", slug=slug))


@bp.get("/c/<slug>/practice")
@limiter.limit(per_ip)
def practice(slug: str):
    """The start screen, the current question, its answer and 解析, or the round's summary."""
    contest = contests.get_contest(slug)
    view = contests.contest_view(contest, now())
    state = _load(slug)
    mark_personal()  # the page carries this browser's CSRF token and its own round
    if state is None:
        return render_template("public/practice_start.html", contest=view)
    question = practice_service.feedback_view(state)
    _save(state)  # a question deleted since the draw has just been dropped
    if question is None:
        return render_template("public/practice_summary.html", contest=view,
                               summary=practice_service.summary(state))
    template = "public/practice_feedback.html" if state.answered else "public/practice.html"
    return render_template(template, contest=view, question=question)


@bp.post("/c/<slug>/practice/new")
@limiter.limit(_round_limit)
def practice_new(slug: str):
    """Draw a new practice round by the contest's rules (再练一组 too)."""
    contest = contests.get_contest(slug)
    try:
        state = practice_service.new_round(contest, now(), rng(), pool_ttl())
    except practice_service.NoPractice as exc:
        flash(exc.message, "error")
        return _home(slug)
    _save(state)
    return _home(slug)


@bp.post("/c/<slug>/practice/answer")
@limiter.limit(_answer_limit)
def practice_answer(slug: str):
    """Check the posted answer (确定); the next page shows 回答正确 or 回答错误 with 解析 and 出处."""
    contests.get_contest(slug)
    state = _load(slug)
    if state is None:
        flash(_("练习已过期，请重新开始"), "info")
        return _home(slug)
    number = request.form.get("n", "")
    try:
        practice_service.answer(state, request.form.getlist("choice"), int(number) if number.isdigit() else -1)
    except ValidationError as exc:
        flash(exc.fields.get("choice", exc.message), "error")
    _save(state)
    return _home(slug)


@bp.post("/c/<slug>/practice/next")
@limiter.limit(per_ip)
def practice_next(slug: str):
    """Leave the shown answer for the next question (下一题), or for the summary after the last one."""
    contests.get_contest(slug)
    state = _load(slug)
    if state is not None:
        _save(practice_service.advance(state))
    return _home(slug)
