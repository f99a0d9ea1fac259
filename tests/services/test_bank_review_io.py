"""Review metadata (reviewed_by, reviewed_at) through import and export: it maps onto 已审核/待审核."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from quizapp.domain.importers import parse_bank
from quizapp.extensions import db
from quizapp.models import Question
from quizapp.services import bank_admin
from quizapp.services.banks import export_bank_bytes, import_bank_bytes

REVIEWED_AT = "2026-11-20"


def bank_file(*, reviewed: bool = True, explanation: str = "原解析") -> bytes:
    review = {"reviewed_by": "张药师", "reviewed_at": REVIEWED_AT} if reviewed else {}
    doc = {"bank": "rv", "title": "复核题库", "questions": [
        {"type": "judge", "stem": "已审核的题", "answer": "对", "explanation": explanation, **review},
        {"type": "single", "stem": "未审核的题", "options": ["甲", "乙"], "answer": "B"},
    ]}
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def stored() -> dict[str, tuple]:
    rows = db.session.execute(db.select(Question)).scalars()
    return {q.stem: (q.review_status, q.reviewed_by, q.reviewed_at) for q in rows}


def test_a_reviewed_question_imports_as_reviewed_and_exports_its_review(app, clock):
    with app.app_context():
        import_bank_bytes(bank_file(), "rv.json", now=clock.now)
        assert stored() == {"已审核的题": ("reviewed", "张药师", datetime(2026, 11, 20, tzinfo=UTC)),
                            "未审核的题": ("pending", None, None)}
        exported = json.loads(export_bank_bytes("rv", "json"))["questions"]
        assert (exported[0]["reviewed_by"], exported[0]["reviewed_at"]) == ("张药师", REVIEWED_AT)
        assert "reviewed_by" not in exported[1] and "reviewed_at" not in exported[1]


@pytest.mark.parametrize("fmt", ["json", "xlsx", "csv", "gift"])
def test_every_export_re_imports_with_the_same_review(app, clock, fmt):
    with app.app_context():
        import_bank_bytes(bank_file(), "rv.json", now=clock.now)
        question = db.session.execute(db.select(Question).filter_by(stem="未审核的题")).scalar_one()
        bank_admin.mark_reviewed("rv", [question.id], "李药师", datetime(2026, 11, 21, 9, 15, tzinfo=UTC))
        parsed = parse_bank(export_bank_bytes("rv", fmt), f"rv.{fmt}")
        reviews = {q.stem: (q.reviewed_by, q.reviewed_at) for q in parsed.questions}
        assert reviews == {"已审核的题": ("张药师", datetime(2026, 11, 20, tzinfo=UTC)),
                           "未审核的题": ("李药师", datetime(2026, 11, 21, 9, 15, tzinfo=UTC))}


def test_rewritten_content_without_a_review_goes_back_to_pending(app, clock):
    with app.app_context():
        import_bank_bytes(bank_file(), "rv.json", now=clock.now)
        report = import_bank_bytes(bank_file(reviewed=False), "rv.json", on_duplicate="update", now=clock.now)
        # Same content, and the file claims no other review: nothing changes, the review is kept.
        assert (report.created, report.unchanged, report.written) == (0, 2, 0)
        assert stored()["已审核的题"][0] == "reviewed"
        import_bank_bytes(bank_file(reviewed=False, explanation="新解析"), "rv.json", on_duplicate="update",
                          now=clock.now)
        assert stored()["已审核的题"] == ("pending", None, None)


def test_a_file_carrying_a_review_marks_updated_content_reviewed(app, clock):
    with app.app_context():
        import_bank_bytes(bank_file(reviewed=False), "rv.json", now=clock.now)
        report = import_bank_bytes(bank_file(explanation="新解析"), "rv.json", on_duplicate="update", now=clock.now)
        assert (report.updated, report.unchanged) == (2, 1)
        assert stored()["已审核的题"] == ("reviewed", "张药师", datetime(2026, 11, 20, tzinfo=UTC))
