"""One question per screen: answer, move, confirm and hand in. Every step is a plain form post (PRG)."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...domain.errors import DomainError
from ...services import attempts, presenters
from ..common import now
from ..security import mark_personal
from . import bp
from .session import participant_required

# A countdown that reaches zero this close to the deadline hands the paper in; an earlier one
# (a device clock far off) only reloads the page, because the server's clock decides.
TIMEUP_TOLERANCE = timedelta(seconds=3)


def _to_result(slug: str, attempt, message: str | None = None):
    if message:
        flash(message, "info")
    return redirect(url_for("public.result", slug=slug, attempt_id=attempt.id))


def _running_or_leave(slug: str):
    """(running attempt, None), or (None, redirect) when there is none or its time is over."""
    attempt = attempts.running_attempt(g.participant.id)
    if attempt is None:
        flash(_("目前没有进行中的答题，请点击“开始答题”"), "info")
        return None, redirect(url_for("public.landing", slug=slug))
    attempt = attempts.close_if_expired(attempt, now())
    if attempt.status != "running":
        return None, _to_result(slug, attempt, _("答题时间已到，系统已按时限内保存的答案自动交卷"))
    return attempt, None


def _number(value, default: int, count: int) -> int:
    """A 1-based question number from the request, clamped to the paper."""
    number = int(value) if isinstance(value, str) and value.isdigit() else default
    return min(max(number, 1), count)


def _first_unanswered(questions: list[dict], answers: dict) -> int:
    return next((i for i, q in enumerate(questions, 1) if not answers.get(q["id"])), 1)


def _epoch_ms(moment) -> int:
    return int(moment.timestamp() * 1000)


@bp.get("/c/<slug>/play")
@participant_required
def play(slug: str):
    """Show one question with the saved choice, the countdown and the answer sheet."""
    attempt, leave = _running_or_leave(slug)
    if leave:
        return leave
    moment = now()
    payload = presenters.running_payload(attempt, g.contest, moment)
    questions, answers = payload["questions"], payload["answers"]
    number = _number(request.args.get("q"), _first_unanswered(questions, answers), len(questions))
    question = questions[number - 1]
    mark_personal()
    return render_template(
        "public/play.html", contest=g.contest, attempt=payload, question=question, number=number,
        count=len(questions), chosen=answers.get(question["id"], []),
        answered=[bool(answers.get(q["id"])) for q in questions],
        remaining=(attempt.deadline - moment).total_seconds(), deadline_text=payload["deadline"][11:16],
        deadline_ms=_epoch_ms(attempt.deadline), server_ms=_epoch_ms(moment))


def _save_current(slug: str, attempt, number: int):
    """Save the selection posted with any button; returns a redirect if it could not be saved."""
    key = request.form.get("question", "")
    choice = request.form.getlist("choice")
    # An empty selection is saved only to clear an earlier answer (a multiple-choice untick).
    if not key or not (choice or request.form.get("had") == "1"):
        return None
    try:
        attempts.save_answer(attempt, key, choice, now())
    except attempts.AttemptClosed:
        attempt = attempts.close_if_expired(attempt, now())
        return _to_result(slug, attempt, _("答题已结束，这次选择未能保存"))
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("public.play", slug=slug, q=number))
    return None


def _target(number: int, count: int) -> tuple[str, int]:
    """What the pressed button asks for: (action, question number)."""
    form = request.form
    goto = form.get("goto", "")
    if form.get("timeup") == "1":
        return "timeup", number
    if goto.isdigit():
        return "goto", _number(goto, number, count)
    action = form.get("action", "next")
    if action == "stay":
        return "stay", number
    if action == "prev":
        return "goto", max(number - 1, 1)
    if action == "submit" or (action == "next" and number >= count):
        return "confirm", number
    return "goto", min(number + 1, count)


@bp.post("/c/<slug>/play")
@participant_required
def answer(slug: str):
    """Save the current choice, then go where the pressed button says."""
    attempt, leave = _running_or_leave(slug)
    if leave:
        return leave
    count = len(attempt.paper)
    number = _number(request.form.get("q"), 1, count)
    failed = _save_current(slug, attempt, number)
    if failed:
        return failed
    action, target = _target(number, count)
    if action == "stay":  # the script's background save of a choice: nothing to show
        return "", 204
    if action == "timeup" and now() >= attempt.deadline - TIMEUP_TOLERANCE:
        attempt = attempts.submit(attempt, None, now())
        return _to_result(slug, attempt, _("时间到，已自动交卷"))
    if action == "confirm":
        return redirect(url_for("public.confirm", slug=slug))
    return redirect(url_for("public.play", slug=slug, q=target))


@bp.get("/c/<slug>/play/confirm")
@participant_required
def confirm(slug: str):
    """Ask before handing in, listing the questions still unanswered (works without JavaScript)."""
    attempt, leave = _running_or_leave(slug)
    if leave:
        return leave
    payload = presenters.running_payload(attempt, g.contest, now())
    unanswered = [i for i, q in enumerate(payload["questions"], 1) if not payload["answers"].get(q["id"])]
    mark_personal()
    return render_template("public/confirm.html", contest=g.contest, attempt=payload, unanswered=unanswered,
                           count=len(payload["questions"]))


@bp.post("/c/<slug>/submit")
@participant_required
def submit(slug: str):
    """Hand the paper in (idempotent) and show the result."""
    attempt = attempts.attempt_for(g.participant, request.form.get("attempt_id", ""))
    try:
        attempt = attempts.submit(attempt, None, now())
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("public.confirm", slug=slug))
    return _to_result(slug, attempt, _("已交卷"))
