"""Moodle's Aiken format (.txt): a question line, lettered options, then "ANSWER: B"."""

from __future__ import annotations

import re

from quizapp.domain.questions import ImportResult, RowError

from . import register
from ._text import decode_or_report
from .gift import parse_gift

# Moodle accepts "A) text", "A. text" and "A)text"; Chinese files also write "A、" and full-width marks.
_OPTION = re.compile(r"^[A-ZＡ-Ｚ]\s?[).、）．]\s*(.*)$")
_ANSWER = re.compile(r"^(?:ANSWER|答案)\s*[:：]\s*(.*)$", re.IGNORECASE)


@register(".txt", ".aiken")
def parse_aiken(data: bytes, filename: str = "", *, result: ImportResult | None = None) -> ImportResult:
    """Parse an Aiken file; errors name the question's first line or the stray line."""
    result = result if result is not None else ImportResult()
    text = decode_or_report(data, result)
    if text is None:
        return result
    if _looks_like_gift(text):
        # Moodle saves its GIFT exports as .txt too; reading them as Aiken would fail every question.
        result = parse_gift(data, filename)
        result.warnings.insert(0, "文件没有 ANSWER: 行而有 { } 答案，已按 GIFT 格式读取")
        return result
    current: dict | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        current = _read_line(raw.strip(), number, current, result)
    if current is not None:
        result.errors.append(RowError(current["line"], "答案", "缺少 ANSWER: 行（文件已结束）"))
    return result


def _read_line(line: str, number: int, current: dict | None, result: ImportResult) -> dict | None:
    """Feed one line to the question being read; returns the question still open, if any."""
    if len(line) < 2:  # as in Moodle: blank lines and stray single characters mean nothing
        return current
    if option := _OPTION.match(line):
        if current is None:
            result.errors.append(RowError(number, "", "选项前面没有题干（上一题已经以 ANSWER: 结束）"))
        else:
            current["options"].append(option.group(1))
        return current
    if answer := _ANSWER.match(line):
        if current is None:
            result.errors.append(RowError(number, "", "ANSWER: 行前面没有题目"))
            return None
        letters = re.sub(r"[^A-Za-zＡ-Ｚａ-ｚ]", "", answer.group(1))
        current.update(answer=answer.group(1), type="multiple" if len(letters) > 1 else "single")
        line_number = current.pop("line")
        result.add(current, line_number)
        return None
    if current is not None:
        result.errors.append(RowError(current["line"], "答案", f"缺少 ANSWER: 行（第 {number} 行已开始下一题）"))
    return {"line": number, "stem": line, "options": []}


def _looks_like_gift(text: str) -> bool:
    """True for a .txt with GIFT answer braces and no Aiken ANSWER: line."""
    lines = [line.strip() for line in text.splitlines()]
    has_braces = any("{" in line and not line.startswith("//") for line in lines) and "}" in text
    return has_braces and not any(_ANSWER.match(line) for line in lines)
