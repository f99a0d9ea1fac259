"""作弊标记复核: flagged attempts with their evidence, cleared or upheld with a reason.

Seeing the queue needs VIEW_DRAW, reviewing RUN_DRAW (organizers and admins; staff neither). One
flag is reviewed from its own form; several at once go through a confirmation page that lists what
will change (no JavaScript needed: the check boxes belong to the bulk form by their `form` attribute).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...domain.errors import DomainError, ValidationError
from ...domain.flags import ACTION_LABELS, ACTION_STATES, CLEAR, REASON_MAX, STATE_LABELS, UPHOLD
from ...domain.permissions import EXPORT_FULL, RUN_DRAW, VIEW_DRAW
from ...services import flag_review
from ...services import flags as flag_service
from ...services.contests import get_contest
from ..common import now
from . import bp
from .access import current_scope, may, requires, safe_next

VERBS = {CLEAR: "解除", UPHOLD: "维持"}


@bp.app_template_filter("console_seconds")
def console_seconds(moment: datetime | None, tz_name: str = "Asia/Shanghai") -> str:
    """`2026-11-20 10:00:05`: registrations minutes apart are the evidence, so seconds show."""
    return moment.astimezone(ZoneInfo(tz_name)).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _queue_url(slug: str) -> str:
    return safe_next(request.form.get("back") or url_for("admin.contest_flags", slug=slug))


def _ids(field: str = "ids") -> list[int]:
    return sorted({int(value) for value in request.form.getlist(field) if value.isdigit()})


@bp.get("/contests/<slug>/flags")
@requires(VIEW_DRAW)
def contest_flags(slug: str):
    """The review queue: flagged attempts, unresolved first, with answer times, device, address and flags."""
    contest = get_contest(slug)
    query = flag_review.QueueQuery.from_args(request.args)
    queue = flag_review.review_queue(contest, query, current_scope(), full_address=may(EXPORT_FULL))
    return render_template("admin/flags/queue.html", contest=contest, queue=queue, query=query, args=request.args,
                           show_choices=flag_review.SHOW_CHOICES, action_labels=ACTION_LABELS, verbs=VERBS,
                           can_review=may(RUN_DRAW), full_address=may(EXPORT_FULL), reason_max=REASON_MAX)


def _report(outcome: flag_service.Resolution) -> None:
    verb = VERBS[outcome.action]
    if outcome.changed:
        already = f"（另有 {len(outcome.unchanged)} 条此前已是{STATE_LABELS[ACTION_STATES[outcome.action]]}）" \
            if outcome.unchanged else ""
        flash(f"已{verb} {len(outcome.changed)} 条标记{already}", "success")
    else:
        flash(f"所选标记此前都已是{STATE_LABELS[ACTION_STATES[outcome.action]]}，未作改动", "info")
    if outcome.changed and outcome.draw_committed:
        flash("已提交过抽奖承诺：抽奖名单因此变化，开奖前需要重新提交承诺（填写原因）", "warning")


def _resolve(slug: str, ids: list[int], action: str, reason: str):
    """Apply a review through the service; returns the outcome, or a flashed refusal as None."""
    contest = get_contest(slug)
    try:
        return flag_service.resolve_flags(ids, action, reason, current_user.username, now(), contest=contest,
                                          scope=current_scope())
    except ValidationError:
        raise
    except DomainError as exc:
        if exc.code == "not_found":
            raise
        flash(exc.message, "error")
        return None


@bp.post("/contests/<slug>/flags/<flag_id>")
@requires(RUN_DRAW)
def contest_flag_resolve(slug: str, flag_id: str):
    """Clear or uphold one flag with its reason."""
    if not flag_id.isdigit():
        abort(404)  # (a plain string segment, so that the CSRF check comes before any routing 404)
    action, reason = request.form.get("action", ""), request.form.get("reason", "")
    try:
        outcome = _resolve(slug, [int(flag_id)], action, reason)
    except ValidationError as exc:
        for why in exc.fields.values():
            flash(f"标记 {flag_id}：{why}", "error")
        return redirect(_queue_url(slug))
    if outcome is not None:
        _report(outcome)
    return redirect(_queue_url(slug))


def _confirmation(slug: str, ids: list[int], action: str, reason: str, errors: dict | None = None,
                  status: int = 200):
    contest = get_contest(slug)
    chosen = flag_review.flags_for_confirmation(contest, ids, current_scope())
    if not chosen:
        flash("请先勾选要处理的标记", "error")
        return redirect(_queue_url(slug))
    target = ACTION_STATES.get(action)
    changing = [row for row in chosen if row["state"] != target]
    return render_template("admin/flags/confirm.html", contest=contest, chosen=chosen, changing=changing,
                           action=action, reason=reason, errors=errors or {}, action_labels=ACTION_LABELS,
                           verbs=VERBS, target=target, state_labels=STATE_LABELS, back=_queue_url(slug),
                           reason_max=REASON_MAX), status


@bp.post("/contests/<slug>/flags/confirm")
@requires(RUN_DRAW)
def contest_flags_confirm(slug: str):
    """The confirmation step of a bulk review: what will change, with the action and reason still editable."""
    ids = _ids("page_ids") if "whole_page" in request.form else _ids()
    return _confirmation(slug, ids, request.form.get("action", ""), request.form.get("reason", ""))


@bp.post("/contests/<slug>/flags/bulk")
@requires(RUN_DRAW)
def contest_flags_bulk(slug: str):
    """Apply a confirmed bulk review: every listed flag to the chosen state, with one reason."""
    ids, action, reason = _ids(), request.form.get("action", ""), request.form.get("reason", "")
    if request.form.get("confirmed") != "1":
        return _confirmation(slug, ids, action, reason)
    try:
        outcome = _resolve(slug, ids, action, reason)
    except ValidationError as exc:
        return _confirmation(slug, ids, action, reason, exc.fields, 422)
    if outcome is not None:
        _report(outcome)
    return redirect(_queue_url(slug))
