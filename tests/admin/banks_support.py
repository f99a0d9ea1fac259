"""Helpers for the 题库 console tests: uploads, workbooks, and reading back what was stored."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from openpyxl import Workbook

from quizapp.extensions import db
from quizapp.models import AuditLog, Bank, ImportUpload, Question
from quizapp.services.banks import import_bank_bytes
from tests.conftest import sample_bank

MOODLE = Path("/work/shared/fixtures/moodle")
HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "出处", "分类", "难度"]


def upload(client, data: bytes, filename: str, bank: str = "", on_duplicate: str = "error", **extra):
    """Post the import form with one file; returns the response (a redirect to the preview when stored)."""
    form = {"file": (io.BytesIO(data), filename), "bank": bank, "on_duplicate": on_duplicate, **extra}
    return client.post("/admin/banks/import", data=form, content_type="multipart/form-data")


def preview_url(response) -> str:
    """The preview page an accepted upload redirects to."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    assert re.search(r"/admin/banks/import/[0-9a-f]{32}$", location), location
    return location


def confirm(client, url: str, **extra):
    """Press 确认导入 on a preview page (posting the hidden fields the page carries)."""
    page = client.get(url).get_data(as_text=True)
    expected = re.search(r'name="expected" type="hidden" value="([^"]*)"', page)
    return client.post(url, data={"expected": expected.group(1) if expected else "", **extra})


def xlsx_bytes(rows: list[list[object]], header: list[str] = HEADER, title_rows: list[list[object]] = ()) -> bytes:
    """A workbook as an organizer makes it: optional title rows, the header, then one row a question."""
    book = Workbook()
    sheet = book.active
    sheet.title = "题库"
    for row in [*title_rows, header, *rows]:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text typed with a leading "=", not a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_rows(n: int = 3, prefix: str = "表格题") -> list[list[object]]:
    """n valid single-choice rows."""
    return [["单选", f"{prefix} {i}", "甲", "乙", "丙", "丁", "B", f"解析 {i}", "《药品管理法》", "法规", 2]
            for i in range(n)]


def load_sample(app, name: str = "drug-law", now=None, **counts) -> None:
    """Import the generated sample bank directly through the service."""
    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank(name, **counts)).encode(), f"{name}.json", now=now)


def stored(app, bank: str | None = None) -> list[dict]:
    """Every stored question (of one bank) as plain values, in id order."""
    with app.app_context():
        query = db.select(Question).join(Bank).order_by(Question.id)
        if bank:
            query = query.where(Bank.name == bank)
        return [{"id": q.id, "type": q.type, "stem": q.stem, "options": list(q.options), "answer": list(q.answer),
                 "category": q.category, "review": q.review_status, "reviewed_by": q.reviewed_by,
                 "valid_until": q.valid_until, "explanation": q.explanation}
                for q in db.session.execute(query).scalars()]


def bank_names(app) -> list[str]:
    with app.app_context():
        return list(db.session.execute(db.select(Bank.name).order_by(Bank.name)).scalars())


def audit_rows(app, *actions: str) -> list[tuple[str, str, int, str]]:
    """(action, actor, rows, target) of the audit log, oldest first, of these actions (all but logins if none)."""
    with app.app_context():
        query = db.select(AuditLog).order_by(AuditLog.id)
        entries = db.session.execute(query).scalars()
        return [(e.action, e.actor, e.rows, e.target) for e in entries
                if (e.action in actions if actions else not e.action.startswith("login"))]


def upload_count(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(ImportUpload)).scalar_one()


def text_of(response) -> str:
    """The page's visible text with tags removed and whitespace collapsed (entities kept as sent)."""
    import html

    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(body).split())
