"""题库: the list of banks, import in two steps (upload → preview → 确认导入), template and export."""

from __future__ import annotations

import io

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from ...domain.bank_review import local_today
from ...domain.errors import DomainError, ValidationError
from ...domain.exporters import EXPORTERS, EXTENSIONS, template_xlsx
from ...domain.permissions import EDIT_BANKS, EXPORT_BANKS, VIEW_BANKS
from ...services import bank_admin, import_uploads
from ...services.banks import ON_DUPLICATE_NAMES, TYPE_NAMES, ImportFailed, export_bank_bytes, skipped_line
from ..common import now
from ..errors import handle_http_error
from . import bp
from .access import may, requires
from .bank_forms import ConfirmImportForm, ImportForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIMETYPES = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8", "json": "application/json", "gift": "text/plain; charset=utf-8"}


def download(data: bytes, name: str, mimetype: str):
    """A file download; the (Chinese) name is sent the RFC 6266 way, which Edge and Chrome read."""
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


def _tz() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _limits() -> import_uploads.UploadLimits:
    config = current_app.config
    return import_uploads.UploadLimits(config["IMPORT_MAX_BYTES"], config["IMPORT_MAX_ROWS"],
                                       config["IMPORT_UPLOAD_MINUTES"])


@bp.get("/banks")
@requires(VIEW_BANKS)
def banks():
    """Every bank with its counts by type, category and review status, retired, and the last import."""
    summaries = bank_admin.bank_overview(local_today(now(), _tz()))
    return render_template("admin/banks/list.html", banks=summaries, type_names=TYPE_NAMES, formats=sorted(EXPORTERS),
                           tz=_tz(), can_edit=may(EDIT_BANKS), can_export=may(EXPORT_BANKS))


def _import_page(form: ImportForm | None = None, status: int = 200, preview=None, problem: str | None = None,
                 confirm_form: ConfirmImportForm | None = None):
    limits = _limits()
    return render_template("admin/banks/import.html", form=form or ImportForm(formdata=None), preview=preview, problem=problem,
                           confirm_form=confirm_form or ConfirmImportForm(formdata=None), limits=limits, type_names=TYPE_NAMES,
                           max_mb=limits.max_bytes / 1048576, tz=_tz(), on_duplicate_names=ON_DUPLICATE_NAMES,
                           skipped_line=skipped_line), status


@bp.get("/banks/import")
@requires(EDIT_BANKS)
def bank_import():
    """The upload form, the limits, and the template to download."""
    return _import_page()


@bp.post("/banks/import")
@requires(EDIT_BANKS)
def bank_upload():
    """Keep the uploaded file (imports nothing) and show its preview."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(form, 400)
    upload = form.file.data
    try:
        stored = import_uploads.receive(current_user.id, getattr(upload, "filename", None),
                                        upload.read() if upload else b"", form.bank.data, form.on_duplicate.data,
                                        now(), _limits())
    except ValidationError as exc:
        form.add_errors(exc.fields)
        return _import_page(form, 422)
    return redirect(url_for("admin.bank_preview", upload_id=stored.id))


def _preview_page(upload_id: str, status: int = 200, problem: str | None = None):
    """The preview of an upload; an unknown or expired id re-shows the form with what to do."""
    try:
        preview = import_uploads.preview(upload_id, current_user.id, now(), _limits())
    except import_uploads.UploadMissing as exc:
        return _import_page(status=410 if exc.code == "upload_expired" else 404, problem=exc.message)
    expected = ",".join(str(n) for n in preview.report.outcome) if preview.report else ""
    return _import_page(preview=preview, status=status, problem=problem,
                        confirm_form=ConfirmImportForm(formdata=None, expected=expected))


@bp.get("/banks/import/<upload_id>")
@requires(EDIT_BANKS)
def bank_preview(upload_id: str):
    """What 确认导入 would do with the stored file: counts, every error, skipped kinds, duplicates."""
    return _preview_page(upload_id)


@bp.post("/banks/import/<upload_id>")
@requires(EDIT_BANKS)
def bank_confirm(upload_id: str):
    """确认导入: import exactly the stored bytes as previewed, then back to the list."""
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        return _preview_page(upload_id, 400, "页面已过期，请重新点击“确认导入”")
    expected = tuple(int(n) for n in (form.expected.data or "").split(",") if n.strip().isdigit()) or None
    try:
        report = import_uploads.confirm(upload_id, current_user.id, current_user.username, now(), _limits(), expected)
    except import_uploads.UploadMissing as exc:
        return _import_page(status=410 if exc.code == "upload_expired" else 404, problem=exc.message)
    except (ImportFailed, DomainError) as exc:
        return _preview_page(upload_id, 409, exc.message)
    flash(f"已导入：{report.summary()}", "success")
    return redirect(url_for("admin.banks"))


@bp.get("/banks/import/<upload_id>/errors.xlsx")
@requires(EDIT_BANKS)
def bank_error_sheet(upload_id: str):
    """The organizer's rows with an added 错误 column, to fix in Excel and upload again."""
    try:
        name, data = import_uploads.error_sheet(upload_id, current_user.id, now(), _limits())
    except import_uploads.UploadMissing as exc:
        return _import_page(status=410 if exc.code == "upload_expired" else 404, problem=exc.message)
    return download(data, name, XLSX)


@bp.get("/banks/template.xlsx")
@requires(EDIT_BANKS)
def bank_template():
    """The same xlsx template as `flask bank template`."""
    return download(template_xlsx(), "题库导入模板.xlsx", XLSX)


@bp.get("/banks/<name>/export.<fmt>")
@requires(EXPORT_BANKS)
def bank_export(name: str, fmt: str):
    """The whole bank in xlsx, csv, json or gift (re-imports to the same questions), audited."""
    if fmt not in EXPORTERS:
        raise DomainError(f"不支持导出为 {fmt}；可选格式：{' '.join(sorted(EXPORTERS))}", code="not_found")
    bank_admin.get_bank(name)
    data = export_bank_bytes(name, fmt, actor=current_user.username, now=now())
    return download(data, f"{name}{EXTENSIONS[fmt]}", MIMETYPES[fmt])


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc: RequestEntityTooLarge):
    """A body over MAX_CONTENT_LENGTH: on the import page, the form again with the limit named."""
    if request.endpoint != "admin.bank_upload":
        return handle_http_error(exc)
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) / 1048576
    form = ImportForm(formdata=None)
    form.file.errors = [f"文件过大：超过了服务器允许的 {limit:.0f} MB 上传上限（题库文件最多 "
                        f"{_limits().max_bytes / 1048576:.0f} MB）；请拆分题库或删除图片后重试"]
    return _import_page(form, 413)


# The question pages of a bank register their routes too.
from . import banks_questions  # noqa: E402,F401
