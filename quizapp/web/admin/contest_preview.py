"""预览: an organizer takes the round as a participant would, even before launch; it counts nowhere."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...domain.errors import DomainError
from ...domain.paper import TYPE_LABELS
from ...domain.permissions import PREVIEW_CONTESTS
from ...domain.timing import accepts_answer, contest_status
from ...services import preview as preview_service
from ...services.contest_admin import STATUS_NAMES
from ...services.contests import get_contest, max_score, question_count
from ..common import now, rng
from . import bp
from .access import requires
from .contest_forms import PreviewForm

LETTERS = "ABCDEFGHIJ"


def _context(contest) -> dict:
    return {"contest": contest, "status_name": STATUS_NAMES[contest_status(contest.starts_at, contest.ends_at, now())],
            "question_count": question_count(contest), "max_score": max_score(contest), "form": PreviewForm(),
            "TYPE_LABELS": TYPE_LABELS, "LETTERS": LETTERS}


@bp.get("/contests/<slug>/preview")
@requires(PREVIEW_CONTESTS)
def contest_preview(slug: str):
    """The running preview's paper, or a button to start one (with a link to the last result)."""
    contest = get_contest(slug)
    preview = preview_service.current_preview(contest, current_user.id)
    moment = now()
    if preview is not None and preview.submitted_at is None:
        if accepts_answer(preview.deadline, contest.grace_seconds, moment):
            paper = preview_service.paper_view(preview, contest, moment)
            return render_template("admin/contests/preview.html", paper=paper, preview=preview, **_context(contest))
        preview = preview_service.submit_preview(preview, contest, {}, moment)  # time is up: nothing counts
    return render_template("admin/contests/preview.html", paper=None, preview=preview, **_context(contest))


@bp.post("/contests/<slug>/preview")
@requires(PREVIEW_CONTESTS)
def contest_preview_start(slug: str):
    """Draw a new preview paper (replacing the account's earlier one)."""
    contest = get_contest(slug)
    if PreviewForm().validate_on_submit():
        try:
            preview_service.start_preview(contest, current_user.id, now(), rng())
        except DomainError as exc:  # e.g. a bank no longer holds enough questions
            flash(f"无法抽出预览试卷：{exc.message}", "error")
    return redirect(url_for("admin.contest_preview", slug=slug))


@bp.post("/contests/<slug>/preview/<preview_id>/submit")
@requires(PREVIEW_CONTESTS)
def contest_preview_submit(slug: str, preview_id: str):
    """Hand the preview in and show its result."""
    contest = get_contest(slug)
    preview = preview_service.get_preview(contest, current_user.id, preview_id)
    if not PreviewForm().validate_on_submit():
        return redirect(url_for("admin.contest_preview", slug=slug))
    answers = {item["key"]: request.form.getlist(f"q-{item['key']}") for item in preview.paper}
    try:
        preview_service.submit_preview(preview, contest, answers, now())
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.contest_preview", slug=slug))
    return redirect(url_for("admin.contest_preview_result", slug=slug, preview_id=preview.id))


@bp.get("/contests/<slug>/preview/<preview_id>")
@requires(PREVIEW_CONTESTS)
def contest_preview_result(slug: str, preview_id: str):
    """The preview's result with ✓/✗, explanation and source for each question."""
    contest = get_contest(slug)
    preview = preview_service.get_preview(contest, current_user.id, preview_id)
    if preview.submitted_at is None:
        return redirect(url_for("admin.contest_preview", slug=slug))
    result = preview_service.result_view(preview, contest)
    return render_template("admin/contests/preview_result.html", result=result, **_context(contest))
