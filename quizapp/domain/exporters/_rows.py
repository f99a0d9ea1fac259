"""Questions as spreadsheet rows under the template header, shared by the csv and xlsx exporters."""

from __future__ import annotations

from collections.abc import Sequence

from quizapp.domain.importers.table import EXTRA_HEADER, REVIEW_HEADER, TEMPLATE_HEADER
from quizapp.domain.questions import LETTERS, TYPE_LABELS, QuestionSpec

from .json_bank import review_time_text

_TEMPLATE_OPTIONS = 6


def header_for(questions: Sequence[QuestionSpec], *, extras: bool = False) -> list[str]:
    """The template header, widened for more than six options, tags/dates (or `extras`) and reviews."""
    count = max([_TEMPLATE_OPTIONS, *(len(q.options) for q in questions if q.type != "judge")])
    options = [f"选项{LETTERS[i]}" for i in range(count)]
    header = [TEMPLATE_HEADER[0], TEMPLATE_HEADER[1], *options, *TEMPLATE_HEADER[2 + _TEMPLATE_OPTIONS:]]
    if extras or any(q.tags or q.valid_until for q in questions):
        header.extend(EXTRA_HEADER)
    if any(q.reviewed_by for q in questions):
        header.extend(REVIEW_HEADER)
    return header


def row_for(spec: QuestionSpec, header: Sequence[str]) -> list[object]:
    """One question's cells in header order; text is returned unescaped, the writer guards it."""
    options = [] if spec.type == "judge" else list(spec.options)
    option_count = sum(1 for h in header if h.startswith("选项"))
    values: dict[str, object] = {
        "题型": TYPE_LABELS[spec.type], "题干": spec.stem, "答案": spec.answer_text,
        "解析": spec.explanation, "出处": spec.source, "分类": spec.category,
        "难度": spec.difficulty if spec.difficulty is not None else "",
        "标签": "、".join(spec.tags),
        "有效期至": spec.valid_until.isoformat() if spec.valid_until else "",
        "审核人": spec.reviewed_by,
        "审核时间": review_time_text(spec.reviewed_at) if spec.reviewed_at else "",
    }
    for i in range(option_count):
        values[f"选项{LETTERS[i]}"] = options[i] if i < len(options) else ""
    return [values[h] for h in header]
