"""The canonical JSON bank (CONTRACT §3), pretty-printed UTF-8."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, time

from quizapp.domain.questions import QuestionSpec

from . import register


def to_canonical(spec: QuestionSpec) -> dict[str, object]:
    """One question as its canonical JSON object (judge questions carry no options)."""
    item: dict[str, object] = {"type": spec.type, "stem": spec.stem}
    if spec.type != "judge":
        item["options"] = list(spec.options)
    item.update(answer=spec.answer_text, explanation=spec.explanation, source=spec.source,
                category=spec.category)
    if spec.difficulty is not None:
        item["difficulty"] = spec.difficulty
    if spec.tags:
        item["tags"] = list(spec.tags)
    if spec.valid_until is not None:
        item["valid_until"] = spec.valid_until.isoformat()
    if spec.reviewed_by and spec.reviewed_at is not None:
        item.update(reviewed_by=spec.reviewed_by, reviewed_at=review_time_text(spec.reviewed_at))
    return item


def review_time_text(moment: datetime) -> str:
    """A review time as written in a bank file: the date alone when it is midnight UTC (as a bare date imports)."""
    utc = moment.astimezone(UTC)
    return utc.date().isoformat() if utc.time() == time() else utc.isoformat()


@register("json", ".json")
def export_json(questions: Sequence[QuestionSpec], bank_name: str | None = None,
                bank_title: str | None = None) -> bytes:
    """The bank as {"bank", "title", "questions"} JSON, readable Chinese (no \\u escapes)."""
    doc: dict[str, object] = {}
    if bank_name:
        doc["bank"] = bank_name
    if bank_title:
        doc["title"] = bank_title
    doc["questions"] = [to_canonical(q) for q in questions]
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
