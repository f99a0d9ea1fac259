"""One question per screen: answer, move, confirm and hand in. Every step is a plain form post (PRG).

With JavaScript (static/js/round.js) the page carries the whole paper, moves between questions without
a round trip and saves each choice in the background through the same POST (action=stay), which then
answers 204 or a small JSON error instead of a redirect."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...domain.errors import DomainError
from ...services import attempts, presenters
from .. import errors
from ..common import now
from ..security import mark_personal
from . import bp
from .filters import TYPE_LABELS, cn_score
from .session import participant_required

# A countdown that reaches zero this close to the deadline hands the paper in; an earlier one
# (a device clock far off) only reloads the page, because the server's clock decides.
TIMEUP_TOLERANCE = timedelta(seconds=3)
# The script's first retry of a failed background save (it doubles up to a minute); tests set it lower.
DEFAULT_RETRY_MS = 2000


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


def _clock(attempt, moment) -> dict:
    """What both round pages need for the countdown: the server's clock decides, the phone only shows it."""
    return {"remaining": (attempt.deadline - moment).total_seconds(), "deadline_ms": _epoch_ms(attempt.deadline),
            "server_ms": _epoch_ms(moment),
            "limit_seconds": int((attempt.deadline - attempt.started_at).total_seconds()),
            "grace_seconds": attempt.grace_seconds,
            "retry_ms": int(current_app.config.get("ROUND_SAVE_RETRY_MS") or DEFAULT_RETRY_MS)}


def _button_labels() -> str:
    """The buttons round.js draws when it moves between questions, as ASCII JSON."""
    return json.dumps({"next": _("保存并下一题"), "submit": _("交卷"), "prev": _("上一题")}, ensure_ascii=True)


def _paper_for_script(questions: list[dict]) -> list[dict]:
    """The paper as round.js draws it: the same texts the template shows, nothing about right answers."""
    return [{"id": q["id"], "type": q["type"], "stem": q["stem"], "options": q["options"],
             "label": _(TYPE_LABELS[q["type"]]) + (_("（可多选）") if q["type"] == "multiple" else ""),
             "points": _("%(p)s 分", p=cn_score(q["points"]))}
            for q in questions]


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
        answered=[bool(answers.get(q["id"])) for q in questions], deadline_text=payload["deadline"][11:16],
        paper=_paper_for_script(questions), answers=answers, button_labels=_button_labels(),
        **_clock(attempt, moment))


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
    if action == "prev":
        return "goto", max(number - 1, 1)
    if action == "submit" or (action == "next" and number >= count):
        return "confirm", number
    return "goto", min(number + 1, count)


def _json_error(status: int, code: str, message: str, **extra):
    """The API's error envelope, for the script's background save (this path would get HTML otherwise)."""
    return jsonify({"error": {"code": code, "message": message, **extra}}), status


def _closed_answer(slug: str, attempt_id: str | None):
    """409: the round the script saves into is over; it shows the result (or the landing page) instead."""
    target = (url_for("public.result", slug=slug, attempt_id=attempt_id) if attempt_id
              else url_for("public.landing", slug=slug))
    return _json_error(409, "attempt_closed", _("答题已结束，这次选择未能保存"), result_url=target)


def _background_save(slug: str):
    """Save one choice for the script: 204, 409 once the round is over, 4xx JSON for a bad choice."""
    wanted = request.form.get("attempt_id") or None
    attempt = attempts.running_attempt(g.participant.id)
    if attempt is not None:
        attempt = attempts.close_if_expired(attempt, now())
    # A queue left from an earlier round must never land in the next one, whose questions may repeat.
    if attempt is None or attempt.status != "running" or wanted not in (None, attempt.id):
        return _closed_answer(slug, wanted or (attempt.id if attempt else None))
    try:
        attempts.save_answer(attempt, request.form.get("question", ""), request.form.getlist("choice"), now())
    except attempts.AttemptClosed:
        return _closed_answer(slug, attempt.id)
    except DomainError as exc:
        return _json_error(errors.STATUS_BY_CODE.get(exc.code, 400), exc.code, exc.message)
    return "", 204


@bp.post("/c/<slug>/play")
@participant_required
def answer(slug: str):
    """Save the current choice, then go where the pressed button says."""
    if request.form.get("action") == "stay":  # the script's background save of a choice
        return _background_save(slug)
    attempt, leave = _running_or_leave(slug)
    if leave:
        return leave
    count = len(attempt.paper)
    number = _number(request.form.get("q"), 1, count)
    failed = _save_current(slug, attempt, number)
    if failed:
        return failed
    action, target = _target(number, count)
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
    moment = now()
    payload = presenters.running_payload(attempt, g.contest, moment)
    unanswered = [i for i, q in enumerate(payload["questions"], 1) if not payload["answers"].get(q["id"])]
    mark_personal()
    return render_template("public/confirm.html", contest=g.contest, attempt=payload, unanswered=unanswered,
                           count=len(payload["questions"]), deadline_text=payload["deadline"][11:16],
                           **_clock(attempt, moment))


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
