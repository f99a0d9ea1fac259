"""Bank files kept between the console's preview and 确认导入: stored under a random id, bound to one
account, for a limited time. The import itself is the same service function the CLI calls."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath

from ..database import begin_write
from ..domain.errors import DomainError, ValidationError
from ..domain.exporters.error_sheet import error_workbook
from ..domain.importers import importer_for
from ..extensions import db
from ..models import ImportUpload
from .banks import (
    BANK_NAME_MAX,
    ON_DUPLICATE,
    ImportReport,
    check_import,
    check_size,
    prepare_import,
    stage_import,
)
from .question_cache import questions as question_cache

_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class UploadLimits:
    """The import limits of the deployment (IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, IMPORT_UPLOAD_MINUTES)."""

    max_bytes: int
    max_rows: int
    minutes: float


@dataclass
class Preview:
    """What confirming an upload would do; `problem` is a refusal of the whole file (too many rows…)."""

    upload: ImportUpload
    report: ImportReport | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """Only a preview without any error may be confirmed."""
        return self.problem is None and self.report is not None and not self.report.errors


class UploadMissing(DomainError):
    """The upload id is unknown, another account's, already imported or expired."""

    code = "upload_missing"


def _filename(raw: str | None) -> str:
    """The base name of the uploaded file (browsers may send a path), at most 255 characters."""
    name = PurePath((raw or "").replace("\\", "/")).name.strip()
    return name[-255:]


def receive(user_id: int, raw_filename: str | None, data: bytes, bank: str | None, on_duplicate: str,
            now: datetime, limits: UploadLimits) -> ImportUpload:
    """Check the file (size, format) and keep it for preview and confirmation; imports nothing."""
    purge_expired(now)
    filename = _filename(raw_filename)
    if not filename or not data:
        raise ValidationError("file", "请选择要导入的题库文件（文件不能为空）")
    try:
        check_size(len(data), limits.max_bytes)
        importer_for(filename)
    except DomainError as exc:
        raise ValidationError("file", exc.message) from exc
    bank = (bank or "").strip() or None
    if bank and len(bank) > BANK_NAME_MAX:
        raise ValidationError("bank", f"题库名最多 {BANK_NAME_MAX} 个字符，这里有 {len(bank)} 个")
    if on_duplicate not in ON_DUPLICATE:
        raise ValidationError("on_duplicate", "请选择重复题目的处理方式")
    upload = ImportUpload(id=secrets.token_hex(16), user_id=user_id, filename=filename, data=data, bank=bank,
                          on_duplicate=on_duplicate, created_at=now,
                          expires_at=now + timedelta(minutes=limits.minutes))
    db.session.add(upload)
    db.session.commit()
    return upload


def purge_expired(now: datetime) -> int:
    """Delete every upload past its time (anyone's): they may hold whole banks."""
    result = db.session.execute(db.delete(ImportUpload).where(ImportUpload.expires_at <= now))
    db.session.commit()
    return result.rowcount or 0


def get_upload(upload_id: str, user_id: int, now: datetime) -> ImportUpload:
    """The signed-in account's own unexpired upload; UploadMissing with what to do otherwise."""
    upload = db.session.get(ImportUpload, upload_id) if _ID.fullmatch(upload_id or "") else None
    if upload is None or upload.user_id != user_id:
        # Another account's upload is answered as an unknown one: its existence is not revealed.
        raise UploadMissing("找不到这次上传的文件（可能已经确认导入，或已过期被清除）；请重新上传题库文件")
    if upload.expires_at <= now:
        minutes = round((upload.expires_at - upload.created_at).total_seconds() / 60)
        raise UploadMissing(f"这次上传已过期（上传的文件只保留 {minutes} 分钟）；请重新上传题库文件",
                            code="upload_expired")
    return upload


def preview(upload_id: str, user_id: int, now: datetime, limits: UploadLimits) -> Preview:
    """What importing the stored file would do, from the stored bytes only; writes nothing."""
    upload = get_upload(upload_id, user_id, now)
    try:
        report = check_import(upload.data, upload.filename, upload.bank, upload.on_duplicate, limits.max_rows)
    except DomainError as exc:
        return Preview(upload, None, exc.message)
    return Preview(upload, report)


def confirm(upload_id: str, user_id: int, actor: str, now: datetime, limits: UploadLimits,
            expected: tuple | None) -> ImportReport:
    """Import exactly the stored file as previewed (audited), then forget the upload, in one transaction."""
    upload = get_upload(upload_id, user_id, now)
    prepared = prepare_import(upload.data, upload.filename, upload.bank, upload.on_duplicate, limits.max_rows)
    begin_write(db.session)
    # Locked for the transaction, so that two presses of the button import the file once.
    locked = db.session.execute(db.select(ImportUpload).where(ImportUpload.id == upload.id)
                                .with_for_update()).scalar_one_or_none()
    if locked is None:
        db.session.rollback()
        raise UploadMissing("这个文件已经导入过了（或已被清除）；请在题库列表中查看")
    report = stage_import(prepared, actor=actor, now=now, expected=expected)
    db.session.delete(locked)
    db.session.commit()
    question_cache.clear()
    return report


def error_sheet(upload_id: str, user_id: int, now: datetime, limits: UploadLimits) -> tuple[str, bytes]:
    """The 错误 workbook of an upload with errors: (download name, xlsx bytes)."""
    shown = preview(upload_id, user_id, now, limits)
    if shown.report is None or not shown.report.errors:
        raise DomainError("这个文件没有逐行的错误，无需下载错误表", code="no_errors")
    stem = PurePath(shown.upload.filename).stem or "题库"
    return f"{stem}-错误.xlsx", error_workbook(shown.upload.data, shown.upload.filename, shown.report.errors)
