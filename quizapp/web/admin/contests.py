"""竞赛: the list, the create/edit form with its live pool counts, JSON download and upload."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...domain.consent import DEFAULT_CONSENT_TEXT
from ...domain.contest_changes import NeedsConfirmation
from ...domain.contest_form import form_values
from ...domain.errors import DomainError, ValidationError
from ...domain.permissions import (
    EDIT_CONTESTS,
    PREVIEW_CONTESTS,
    VIEW_CHANNELS,
    VIEW_CONTESTS,
    VIEW_DRAW,
    VIEW_STATS,
)
from ...services import contest_admin
from ...services.contests import attempt_total, get_contest, save_contest
from ..common import now
from . import bp
from .access import current_scope, requires
from .contest_forms import TIMEZONES, ContestForm, DefinitionUploadForm


@bp.get("/contests")
@requires(VIEW_CONTESTS)
def contests():
    """Every contest with its status, window, participants and finished attempts."""
    return render_template("admin/contests/list.html", rows=contest_admin.contest_rows(now(), current_scope()),
                           EDIT=EDIT_CONTESTS, PREVIEW=PREVIEW_CONTESTS, STATS=VIEW_STATS, CHANNELS=VIEW_CHANNELS,
                           DRAW=VIEW_DRAW)


def _render_form(form: ContestForm, contest=None, status: int = 200, changes=None, general=None):
    """The form page, with each rule's pool size computed on the server (so it shows without JS)."""
    values = form.data
    general = dict(general or {})
    # A reason about a whole table is shown above that table, the others at the top of the page.
    table_errors = {name: general.pop(name) for name in ("draw", "prizes") if name in general}
    return render_template(
        "admin/contests/form.html", form=form, contest=contest, changes=changes or [], general=general,
        table_errors=table_errors, failed=status == 422,
        pools=contest_admin.form_pool_sizes(values, now()), categories=contest_admin.categories(),
        timezones=TIMEZONES, default_consent=DEFAULT_CONSENT_TEXT,
        attempts=attempt_total(contest) if contest is not None else 0,
    ), status


def _posted_form(slug: str | None):
    """The form of a POST: re-shown with more blank rows, refused, or saved (then back to the list)."""
    contest = get_contest(slug) if slug else None
    form = ContestForm()
    more_rows = request.form.get("action") == "more_rows"
    form.prepare(contest_admin.bank_names(), blank_rows=more_rows)
    if not form.validate_on_submit():
        return _render_form(form, contest, 400)
    if more_rows:
        return _render_form(form, contest)
    try:
        result = contest_admin.save_form(form.data, now(), current_user.username, slug=slug,
                                         confirmed=bool(form.confirm_incomparable.data))
    except NeedsConfirmation as exc:
        return _render_form(form, contest, 409, changes=exc.changes)
    except ValidationError as exc:
        return _render_form(form, contest, 422, general=form.add_errors(exc.fields))
    except DomainError as exc:
        return _render_form(form, contest, 422, general={"": exc.message})
    flash(f"已{'创建' if result.created else '保存'}竞赛 {result.contest.slug}：{result.contest.title}", "success")
    return redirect(url_for("admin.contests"))


@bp.get("/contests/new")
@requires(EDIT_CONTESTS)
def contest_new():
    """An empty form with the usual round settings and a month-long window from tomorrow."""
    form = ContestForm(data=form_values(contest_admin.blank_definition(now())))
    form.prepare(contest_admin.bank_names())
    return _render_form(form)


@bp.post("/contests/new")
@requires(EDIT_CONTESTS)
def contest_create():
    """Create a contest from the form; each error is shown beside its field."""
    return _posted_form(None)


@bp.get("/contests/<slug>/edit")
@requires(EDIT_CONTESTS)
def contest_edit(slug: str):
    """The contest's definition in the form."""
    contest = get_contest(slug)
    form = ContestForm(data=form_values(contest_admin.definition_of(contest)))
    form.prepare(contest_admin.bank_names())
    return _render_form(form, contest)


@bp.post("/contests/<slug>/edit")
@requires(EDIT_CONTESTS)
def contest_update(slug: str):
    """Save the edited contest; a change that makes scores incomparable waits for the confirmation tick."""
    return _posted_form(slug)


@bp.get("/contests/<slug>/definition.json")
@requires(VIEW_CONTESTS)
def contest_download(slug: str):
    """The definition as a file that `flask contest load` and the upload page accept again."""
    definition = contest_admin.definition_of(get_contest(slug))
    body = json.dumps(definition, ensure_ascii=False, indent=2) + "\n"
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{slug}.json"'})


def _render_upload(form: DefinitionUploadForm, status: int = 200, errors=None, changes=None):
    return render_template("admin/contests/upload.html", form=form, errors=errors or {}, changes=changes or []), status


def _uploaded(form: DefinitionUploadForm) -> tuple[bytes, str]:
    """The posted file, or the text re-posted with a confirmation."""
    upload = form.file.data
    if upload is not None and getattr(upload, "filename", ""):
        return upload.read(), upload.filename
    return (form.definition.data or "").encode("utf-8"), form.filename.data or "definition.json"


@bp.get("/contests/upload")
@requires(EDIT_CONTESTS)
def contest_upload_form():
    """Upload a JSON definition: the contest it names is created or updated."""
    return _render_upload(DefinitionUploadForm())


@bp.post("/contests/upload")
@requires(EDIT_CONTESTS)
def contest_upload():
    """Load the uploaded definition; errors are listed with their paths (round.draw[1].count)."""
    form = DefinitionUploadForm()
    if not form.validate_on_submit():
        return _render_upload(form, 400)
    raw, name = _uploaded(form)
    if not raw.strip():
        return _render_upload(form, 422, errors={"file": "请选择要上传的 JSON 文件"})
    try:
        data = contest_admin.read_definition(raw, name)
        result = save_contest(data, now(), current_user.username, confirmed=bool(form.confirm_incomparable.data))
    except NeedsConfirmation as exc:
        form.definition.data, form.filename.data = raw.decode("utf-8-sig"), name
        return _render_upload(form, 409, changes=exc.changes)
    except ValidationError as exc:
        return _render_upload(form, 422, errors=dict(sorted(exc.fields.items())))
    except DomainError as exc:
        return _render_upload(form, 422, errors={"file": exc.message})
    flash(f"已{'创建' if result.created else '更新'}竞赛 {result.contest.slug}（来自 {name}）", "success")
    return redirect(url_for("admin.contests"))


@bp.get("/contests/pool.json")
@requires(EDIT_CONTESTS)
def contest_pool():
    """How many questions one rule could draw from: {"available": N} (null until banks and type are chosen)."""
    args = request.args
    today = contest_admin.day_in(now(), args.get("timezone"))
    available = contest_admin.pool_size(args.getlist("bank"), args.get("type", ""), args.get("category", "").strip(),
                                        args.get("reviewed_only") in ("1", "true", "y"), today)
    return {"available": available}
