"""A bank's questions: browse and search, view, edit, retire or restore, mark 已审核."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...domain.bank_review import REVIEW_NAMES, is_retired, local_today
from ...domain.errors import DomainError, ValidationError
from ...domain.exporters import EXPORTERS
from ...domain.permissions import EDIT_BANKS, EXPORT_BANKS, REVIEW_BANKS, VIEW_BANKS
from ...domain.questions import LETTERS, TYPE_LABELS
from ...services import bank_admin
from ..common import now
from . import bp
from .access import may, requires, safe_next
from .bank_forms import question_form
from .forms import ConfirmForm, ConsoleForm

ANY = "__all__"  # the category filter's "全部"; "" is a real choice (未分类)


def _today():
    return local_today(now(), current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _filter(args) -> bank_admin.QuestionFilter:
    """The browse page's query string as the service's filter ("category" absent: any category)."""
    page = args.get("page", "1")
    return bank_admin.QuestionFilter(
        text=args.get("q", "")[:200], category=None if args.get("category", ANY) == ANY else args["category"],
        type=args.get("type", ""), difficulty=args.get("difficulty", ""), review=args.get("review", ""),
        retired=args.get("retired", ""), page=int(page) if page.isdigit() else 1)


@bp.get("/banks/<name>")
@requires(VIEW_BANKS)
def bank_questions(name: str):
    """The bank's questions, searched by stem and filtered, 50 a page."""
    query = _filter(request.args)
    today = _today()
    bank, questions, total = bank_admin.search_questions(name, query, today)
    pages = max(1, -(-total // bank_admin.PAGE_SIZE))
    return render_template("admin/banks/questions.html", bank=bank, questions=questions, total=total, query=query,
                           pages=pages, args=request.args, categories=bank_admin.bank_categories(bank),
                           today=today, is_retired=is_retired, type_labels=TYPE_LABELS, review_names=REVIEW_NAMES,
                           review_form=ConsoleForm(), formats=sorted(EXPORTERS), can_review=may(REVIEW_BANKS),
                           can_export=may(EXPORT_BANKS))


@bp.post("/banks/<name>/review")
@requires(REVIEW_BANKS)
def bank_review(name: str):
    """Mark the ticked questions (or every 待审核 one listed on the page) 已审核."""
    target = safe_next(request.form.get("back") or url_for("admin.bank_questions", name=name))
    form = ConsoleForm()
    if not form.validate_on_submit():
        flash("页面已过期，请刷新后再试", "error")
        return redirect(target)
    field = "page_ids" if "all_pending" in request.form else "ids"
    ids = [int(v) for v in request.form.getlist(field) if v.isdigit()]
    try:
        count = bank_admin.mark_reviewed(name, ids, current_user.username, now())
    except DomainError as exc:
        if exc.code == "not_found":
            raise
        flash(exc.message, "error")
        return redirect(target)
    flash(f"已将 {count} 道题标为已审核" if count else "所选的题目都已审核过", "success")
    return redirect(target)


def _question_page(name: str, question_id: str, form=None, status: int = 200):
    question = bank_admin.get_question(name, question_id)
    return render_template("admin/banks/question.html", bank_name=name, question=question,
                           form=form or question_form(question), retire_form=ConfirmForm(prefix="r"),
                           review_form=ConsoleForm(), letters=LETTERS, type_labels=TYPE_LABELS,
                           review_names=REVIEW_NAMES, retired=is_retired(question.valid_until, _today()),
                           can_edit=may(EDIT_BANKS), can_review=may(REVIEW_BANKS)), status


@bp.get("/banks/<name>/q/<question_id>")
@requires(VIEW_BANKS)
def question_view(name: str, question_id: str):
    """One question with options, answer, explanation, source and review state, and its edit form."""
    return _question_page(name, question_id)


@bp.post("/banks/<name>/q/<question_id>")
@requires(EDIT_BANKS)
def question_edit(name: str, question_id: str):
    """Save an edit (validated as an import); changed content goes back to 待审核."""
    question = bank_admin.get_question(name, question_id)
    form = question_form(question, formdata=request.form)
    if not form.validate_on_submit():
        return _question_page(name, question_id, form, 400)
    try:
        _, changed = bank_admin.edit_question(name, question_id, form.payload(), current_user.username, now())
    except ValidationError as exc:
        for reason in form.add_errors(exc.fields).values():
            form.stem.errors = [*form.stem.errors, reason]
        return _question_page(name, question_id, form, 422)
    flash("已保存；内容有改动的题目需重新审核" if changed else "内容没有变化，未保存", "success" if changed else "info")
    return redirect(url_for("admin.question_view", name=name, question_id=question_id))


def _retire(name: str, question_id: str, retired: bool):
    form = ConfirmForm(prefix="r")
    if not form.validate_on_submit() or not form.confirm.data:
        flash("请先勾选“我确认执行此操作”", "error")
        return redirect(url_for("admin.question_view", name=name, question_id=question_id))
    question = bank_admin.set_retired(name, question_id, retired, current_user.username, now(),
                                      current_app.config["BABEL_DEFAULT_TIMEZONE"])
    flash(f"已停用第 {question.id} 号题：不会再被抽到试卷中" if retired else f"已恢复第 {question.id} 号题", "success")
    return redirect(url_for("admin.question_view", name=name, question_id=question_id))


@bp.post("/banks/<name>/q/<question_id>/retire")
@requires(EDIT_BANKS)
def question_retire(name: str, question_id: str):
    """Retire a question (valid until yesterday), after the confirmation tick."""
    return _retire(name, question_id, True)


@bp.post("/banks/<name>/q/<question_id>/restore")
@requires(EDIT_BANKS)
def question_restore(name: str, question_id: str):
    """Restore a retired question (no validity date), after the confirmation tick."""
    return _retire(name, question_id, False)
