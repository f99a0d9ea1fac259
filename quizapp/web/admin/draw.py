"""抽奖: the guided prize draw (checks, commitment, run, verification, notice) and the winners export.

Each step is a POST with a confirmation tick, calls the same service as `flask draw …`, and is
written to the audit log by that service.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from ...domain.errors import DomainError
from ...domain.permissions import EXPORT_FULL, RUN_DRAW, VIEW_DRAW
from ...domain.text_files import decode_text
from ...services import draw as draw_service
from ...services import draw_guide
from ...services import eligibility as eligibility_service
from ...services.contests import get_contest
from ...services.draw_notice import notice
from ..common import now
from . import bp
from .access import may, requires
from .draw_forms import CommitForm, ExclusionForm, ExportForm, PublishForm, RunForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/draw")
@requires(VIEW_DRAW)
def draw():
    """Every contest with the step its prize draw is at."""
    return render_template("admin/draw/list.html", rows=draw_guide.contest_states())


def _page(slug: str, status: int = 200, **forms):
    contest = get_contest(slug)
    current, step = draw_guide.current(contest)
    forms = {"commit_form": CommitForm(), "run_form": RunForm(), "publish_form": PublishForm(),
             "exclusion_form": ExclusionForm(), "export_form": ExportForm(), **forms}
    if not forms["commit_form"].entropy_source.data:
        forms["commit_form"].entropy_source.data = draw_service.default_entropy_source(contest, now())
    return render_template(
        "admin/draw/guide.html", contest=contest, draw=current, step=step,
        checks=draw_guide.readiness(contest, now()), may_run=may(RUN_DRAW), may_export=may(EXPORT_FULL),
        commitment_text=draw_guide.commitment_text(contest, current) if current else "",
        result=notice(contest, unpublished=True) if step in ("publish", "done") else None,
        flags_url=_flags_url(slug), **forms), status


def _flags_url(slug: str) -> str | None:
    # The review queue is its own area; link to it only where the account may open it.
    if "admin.contest_flags" not in current_app.view_functions:
        return None
    return url_for("admin.contest_flags", slug=slug)


@bp.get("/contests/<slug>/draw")
@requires(VIEW_DRAW)
def contest_draw(slug: str):
    """The guided draw: where it stands and the one next step."""
    return _page(slug)


def _refused(slug: str, form_name: str, form, exc: DomainError):
    form.confirm.errors = [*form.confirm.errors, exc.message]
    return _page(slug, 422, **{form_name: form})


def _unconfirmed(form) -> bool:
    """False once the form is valid and ticked; else marks the tick with the reason."""
    if form.validate_on_submit() and form.confirm.data:
        return False
    form.confirm.errors = [*form.confirm.errors, "请先勾选确认"]
    return True


@bp.post("/contests/<slug>/draw/commit")
@requires(RUN_DRAW)
def contest_draw_commit(slug: str):
    """Lock the eligible list and a secret key; a second lock needs a reason."""
    form = CommitForm()
    if _unconfirmed(form):
        return _page(slug, 400, commit_form=form)
    try:
        made = draw_service.commit_draw(slug, now(), current_user.username, form.entropy_source.data,
                                        form.reason.data or "")
    except DomainError as exc:
        return _refused(slug, "commit_form", form, exc)
    flash(f"已锁定第 {made.version} 版抽奖名单（{len(made.entrants)} 人）。请复制下方公告发布出去。", "success")
    return redirect(url_for("admin.contest_draw", slug=slug, _anchor="commitment"))


@bp.post("/contests/<slug>/draw/run")
@requires(RUN_DRAW)
def contest_draw_run(slug: str):
    """Draw with the public random number; the result stays unpublished until verified."""
    form = RunForm()
    if _unconfirmed(form):
        return _page(slug, 400, run_form=form)
    try:
        _drawn, ran, _winners = draw_service.run_draw(slug, now(), current_user.username, form.public_entropy.data,
                                                     publish=False)
    except DomainError as exc:
        return _refused(slug, "run_form", form, exc)
    flash("已开奖，请核验后发布公示。" if ran else "此前已开奖，结果未变。", "success")
    return redirect(url_for("admin.contest_draw", slug=slug, _anchor="result"))


@bp.post("/contests/<slug>/draw/verify")
@requires(RUN_DRAW)
def contest_draw_verify(slug: str):
    """Recompute the result from its published inputs and say whether it matches."""
    form = PublishForm()
    if not form.validate_on_submit():
        return _page(slug, 400)
    try:
        _drawn, problems = draw_service.verify_draw(slug, current_user.username, now())
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.contest_draw", slug=slug))
    if problems:
        flash("核验未通过：" + "；".join(problems), "error")
    else:
        flash("核验通过：按公开数据重算的中奖和候补名单与开奖结果一致。", "success")
    return redirect(url_for("admin.contest_draw", slug=slug, _anchor="result"))


@bp.post("/contests/<slug>/draw/publish")
@requires(RUN_DRAW)
def contest_draw_publish(slug: str):
    """Publish the verified result on the public winners page; the 公示 period starts."""
    form = PublishForm()
    if _unconfirmed(form):
        return _page(slug, 400, publish_form=form)
    try:
        draw_service.publish_draw(slug, current_user.username, now())
    except DomainError as exc:
        return _refused(slug, "publish_form", form, exc)
    flash("已发布中奖公示。", "success")
    return redirect(url_for("admin.contest_draw", slug=slug, _anchor="result"))


@bp.post("/contests/<slug>/draw/exclusions")
@requires(RUN_DRAW)
def contest_draw_exclude(slug: str):
    """Load phones that may not win; any bad line and nothing is loaded."""
    form = ExclusionForm()
    if _unconfirmed(form):
        return _page(slug, 400, exclusion_form=form)
    upload = form.file.data
    try:
        text = decode_text(upload.read(), upload.filename) if upload and upload.filename else form.phones.data or ""
        added, already = eligibility_service.exclude_phones(slug, text, current_user.username, now(),
                                                            form.reason.data or "")
    except DomainError as exc:
        return _refused(slug, "exclusion_form", form, exc)
    flash(f"已排除 {added} 个手机号（{already} 个此前已在排除名单中）。", "success")
    return redirect(url_for("admin.contest_draw", slug=slug, _anchor="checks"))


@bp.post("/contests/<slug>/draw/winners.xlsx")
@requires(EXPORT_FULL)
def contest_draw_export(slug: str):
    """Winners and reserves with full contact data for the prize office (admin only, confirmed, audited)."""
    form = ExportForm()
    if _unconfirmed(form):
        return _page(slug, 400, export_form=form)
    try:
        data, _rows = draw_service.export_winners(slug, current_user.username, now())
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.contest_draw", slug=slug))
    name = f"{slug}-中奖名单-完整.xlsx"
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=\"{slug}-winners.xlsx\"; filename*=UTF-8''{quote(name)}"})
