"""Moodle's GIFT format: multichoice, multiple response and true/false; other kinds are reported."""

from __future__ import annotations

import re
from collections.abc import Iterator

from quizapp.domain.questions import ImportResult, RowError

from . import register
from ._moodle import category_from_path, skip
from ._text import decode_or_report, html_to_text

# Escaped control characters are swapped for private-use code points while the text is split,
# then swapped back, so "\=" or "\{" inside text never acts as syntax.
_ESCAPES = {"\\:": "\ue03a", "\\#": "\ue023", "\\=": "\ue03d", "\\{": "\ue07b", "\\}": "\ue07d",
            "\\~": "\ue07e", "\\n": "\ue00a"}
_RESTORE = {v: k[1] for k, v in _ESCAPES.items()} | {"\ue00a": "\n", "\ue05c": "\\"}
_FORMATS = ("html", "moodle", "plain", "markdown")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d*)?)%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
# Our extension: metadata the template has but GIFT lacks, kept in comments Moodle ignores.
_META = re.compile(r"^//\s*(出处|难度|标签|有效期至|审核人|审核时间)\s*[:：]\s*(.*)$")
_META_FIELDS = {"出处": "source", "难度": "difficulty", "标签": "tags", "有效期至": "valid_until",
                "审核人": "reviewed_by", "审核时间": "reviewed_at"}
BLANK = "（ ）"  # what a missing-word gap becomes in the stem, as Chinese quizzes write it
_GAP = "\ue000"


@register(".gift")
def parse_gift(data: bytes, filename: str = "", *, result: ImportResult | None = None) -> ImportResult:
    """Parse a GIFT file; line numbers are each question's first line."""
    result = result if result is not None else ImportResult()
    text = decode_or_report(data, result)
    if text is None:
        return result
    category = ""
    for line, body, meta in _blocks(text):
        category = _read_block(body, line, category, meta, result)
    return result


def _blocks(text: str) -> Iterator[tuple[int, str, dict[str, str]]]:
    """Split at blank lines as Moodle does: (first non-comment line, text, metadata comments)."""
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate([*text.splitlines(), ""], start=1):
        line = raw.strip()
        if line and not line.startswith("$CATEGORY:"):
            lines.append((number, line))
            continue
        yield from _block(lines)
        lines = []
        if line:
            # Moodle would swallow a question written right under the category line; keep it apart.
            yield number, line, {}


def _block(lines: list[tuple[int, str]]) -> Iterator[tuple[int, str, dict[str, str]]]:
    """The block made of these lines, unless it holds nothing but comments."""
    content = [(n, s) for n, s in lines if not s.startswith("//")]
    if content:
        meta = {_META_FIELDS[m[1]]: m[2] for _, s in lines if (m := _META.match(s))}
        yield content[0][0], "\n".join(s for _, s in content), meta


def _protect(text: str) -> str:
    """Replace escaped characters (and "\\\\") with placeholders."""
    text = text.replace("\\\\", "\ue05c")
    for escaped, placeholder in _ESCAPES.items():
        text = text.replace(escaped, placeholder)
    return text


def _restore(text: str) -> str:
    """Turn placeholders back into the characters they stand for."""
    return "".join(_RESTORE.get(ch, ch) for ch in text)


def _formatted(text: str, default: str = "moodle") -> tuple[str, str]:
    """Split a leading [html]/[markdown]/[plain]/[moodle] marker off: (plain text, format)."""
    text = text.strip()
    fmt = default
    match = re.match(r"\[(\w+)\]", text)
    if match and match.group(1).lower() in _FORMATS:
        fmt, text = match.group(1).lower(), text[match.end():]
    text = _restore(text).strip()
    if fmt == "html":
        text = html_to_text(text)[0]
    elif fmt == "markdown":
        text = text.replace("**", "").replace("__", "")
    return text, fmt


def _read_block(text: str, line: int, category: str, meta: dict[str, str], result: ImportResult) -> str:
    """Read one blank-line separated block; returns the category in force after it."""
    text = _protect(text)
    if text.startswith("$CATEGORY:"):
        return category_from_path(_restore(text[len("$CATEGORY:"):]))
    if text.startswith("::"):
        end = text.find("::", 2)
        text = text[end + 2:].strip() if end >= 0 else text[2:]
    start, finish = text.find("{"), text.find("}")
    if start < 0 and finish < 0:
        skip(result, line, "description")
        return category
    if start < 0 or finish < start:
        result.errors.append(RowError(line, "", "大括号 { } 不配对（文字中的 { } 要写成 \\{ \\}）"))
        return category
    answers = text[start + 1:finish].strip()
    before, after = text[:start], text[finish + 1:]
    feedback = ""
    if "####" in answers:  # general feedback, after the last ####
        answers, _, feedback = answers.rpartition("####")
        answers = answers.strip()
    # Text after the braces makes it Moodle's "missing word" form: mark where the braces stood.
    stem, fmt = _formatted(before + (_GAP + after if after.strip() else ""))
    feedback = _formatted(feedback, fmt)[0]
    fields = {"stem": stem, "explanation": feedback, "category": category, **meta}
    _read_answers(answers, fields, fmt, line, result)
    return category


def _kind(answers: str) -> str:
    """Moodle's rules for telling the question kind from the text between the braces."""
    if not answers:
        return "essay"
    if answers.startswith("#"):
        return "numerical"
    if "~" in answers:
        return "multichoice"
    if "=" in answers and "->" in answers:
        return "match"
    if answers.split("#", 1)[0].strip().upper() in _TRUE_FALSE:
        return "truefalse"
    return "shortanswer"


def _read_answers(answers: str, fields: dict, fmt: str, line: int, result: ImportResult) -> None:
    """Fill type, options and answer from the answer block, or report the question as skipped."""
    kind = _kind(answers)
    if kind == "truefalse":
        # A true/false statement has no blank to fill: the braces simply go.
        fields["stem"] = fields["stem"].replace(_GAP, "")
        fields.update(type="judge", answer=_TRUE_FALSE[answers.split("#", 1)[0].strip().upper()])
    elif kind == "multichoice":
        fields["stem"] = fields["stem"].replace(_GAP, BLANK)
        _read_choices(answers, fields, fmt, line, result)
    else:
        skip(result, line, kind)
        return
    result.add(fields, line)


def _read_choices(answers: str, fields: dict, fmt: str, line: int, result: ImportResult) -> None:
    """Options and weights: with an "=" answer it is single choice, else every positive weight is right."""
    single = "=" in answers
    options, weights = [], []
    for part in answers.replace("=", "~=").split("~"):
        part = part.strip()
        if not part:
            continue
        weight = 0.0
        if part.startswith("="):
            weight, part = 1.0, part[1:]
        elif match := _WEIGHT.match(part):
            weight, part = float(match.group(1)) / 100, part[match.end():]
        options.append(_formatted(part.split("#", 1)[0], fmt)[0])
        weights.append(weight)
    best = max(weights, default=0)
    if single:
        correct = [i for i, w in enumerate(weights) if w == best and w > 0]
        if any(0 < w < best for w in weights):
            result.warnings.append(f"第 {line} 行: 部分得分的选项按错误选项导入（单选题只有一个正确答案）")
    else:
        correct = [i for i, w in enumerate(weights) if w > 0]
    fields.update(type="single" if single else "multiple", options=options,
                  answer=[chr(ord("A") + i) for i in correct if i < 26])
