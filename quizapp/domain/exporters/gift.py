"""Moodle's GIFT format; 出处/难度/标签/有效期至/审核人/审核时间 ride along in "// 出处：…" comments Moodle ignores."""

from __future__ import annotations

from collections.abc import Sequence

from quizapp.domain.questions import QuestionSpec

from . import register
from .json_bank import review_time_text

_SPECIAL = "\\~=#{}:"
_FORMAT_MARKERS = ("[html]", "[moodle]", "[plain]", "[markdown]")


def escape(text: str) -> str:
    """Escape GIFT's control characters and write line breaks as \\n."""
    text = "".join("\\" + ch if ch in _SPECIAL else ch for ch in text)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def _stem(text: str) -> str:
    """The escaped stem, with [plain] in front when it would otherwise read as a marker or comment."""
    if text.lower().startswith(_FORMAT_MARKERS) or text.startswith("//"):
        return "[plain]" + escape(text)
    return escape(text)


def _weight(share: float) -> str:
    """A Moodle percentage like 50 or 33.33333."""
    return f"{share:.5f}".rstrip("0").rstrip(".")


def _answers(spec: QuestionSpec) -> list[str]:
    """The lines between the braces."""
    if spec.type == "judge":
        return ["TRUE" if spec.answer == (0,) else "FALSE"]
    lines = []
    for i, option in enumerate(spec.options):
        text = escape(option)
        if spec.type == "single":
            # "%" right after "~" would be read as a weight; "%0%" makes the real weight explicit.
            prefix = "=" if i in spec.answer else ("~%0%" if text.startswith("%") else "~")
        else:
            prefix = f"~%{_weight(100 / len(spec.answer))}%" if i in spec.answer else "~%-100%"
        lines.append(prefix + text)
    return lines


def question_text(spec: QuestionSpec) -> str:
    """One question as a GIFT block (metadata comments, stem, answers, general feedback)."""
    meta = [("出处", spec.source), ("难度", "" if spec.difficulty is None else str(spec.difficulty)),
            ("标签", "、".join(spec.tags)),
            ("有效期至", spec.valid_until.isoformat() if spec.valid_until else ""),
            ("审核人", spec.reviewed_by), ("审核时间", review_time_text(spec.reviewed_at) if spec.reviewed_at else "")]
    lines = [f"// {key}：{value}" for key, value in meta if value]
    answers = _answers(spec)
    if spec.explanation:
        answers.append("####" + escape(spec.explanation))
    lines.append(_stem(spec.stem) + " {")
    lines.extend(answers)
    lines.append("}")
    return "\n".join(lines)


def _category_line(category: str) -> str:
    """A $CATEGORY: line; "/" inside a name is doubled as Moodle does, "" is Moodle's top."""
    return "$CATEGORY: " + (escape(category.replace("/", "//")) if category else "$course$/top")


@register("gift", ".gift")
def export_gift(questions: Sequence[QuestionSpec], bank_name: str | None = None,
                bank_title: str | None = None) -> bytes:
    """The bank as a UTF-8 GIFT file that Moodle and this app both import."""
    blocks = [f"// {bank_title or bank_name or '题库'}（{len(questions)} 题）"]
    category = ""
    for spec in questions:
        if spec.category != category:
            blocks.append(_category_line(spec.category))
            category = spec.category
        blocks.append(question_text(spec))
    return ("\n\n".join(blocks) + "\n").encode("utf-8")
