"""The canonical JSON bank (CONTRACT §3): {"bank", "title", "questions": [...]} or a bare list.

Each question is named by the line its object starts on, as an editor shows it."""

from __future__ import annotations

import json

from quizapp.domain.questions import FIELDS, LETTERS, ImportResult, RowError

from . import register

_TOP_KEYS = ("bank", "title", "questions")


@register(".json")
def parse_json(data: bytes, filename: str = "", *, result: ImportResult | None = None) -> ImportResult:
    """Parse a JSON bank; every bad question is an error numbered 第 n 题, unknown keys are warnings."""
    result = result if result is not None else ImportResult()
    loaded = _load(data, result)
    if loaded is None:
        return result
    doc, text = loaded
    if isinstance(doc, dict):
        items = _read_header(doc, result)
    elif isinstance(doc, list):
        items = doc
    else:
        result.errors.append(RowError(1, "", "JSON 顶层应为 {\"questions\": [...]} 或题目列表"))
        return result
    lines = item_lines(text) if items else []
    # Minified JSON has every question on one line: then the question's ordinal is the better name.
    places = [(n, "行") for n in lines] if len(set(lines)) == len(items or []) else [
        (number, "题") for number in range(1, len(items or []) + 1)]
    for item, (line, unit) in zip(items or [], places, strict=True):
        _read_question(item, line, unit, result)
    return result


_DECODER = json.JSONDecoder()


def item_lines(text: str) -> list[int]:
    """The line each question object starts on, for a document json.loads has already accepted."""
    index = _skip(text, 0)
    if text[index] == "{":
        index = _skip(text, index + 1)
        while text[index] != "}":
            key, index = _DECODER.raw_decode(text, index)
            index = _skip(text, _skip(text, index) + 1)  # past the ":"
            if key == "questions" and text[index] == "[":
                return _array_lines(text, index)
            index = _skip(text, _DECODER.raw_decode(text, index)[1])
            index = _skip(text, index + 1) if text[index] == "," else index
        return []
    return _array_lines(text, index)


def _array_lines(text: str, index: int) -> list[int]:
    """Start lines of the elements of the array opening at `index`."""
    lines, line, counted = [], 1, 0
    index = _skip(text, index + 1)
    while text[index] != "]":
        line, counted = line + text.count("\n", counted, index), index
        lines.append(line)
        index = _skip(text, _DECODER.raw_decode(text, index)[1])
        index = _skip(text, index + 1) if text[index] == "," else index
    return lines


def _skip(text: str, index: int) -> int:
    """The index of the next character that is not JSON whitespace."""
    while text[index] in " \t\r\n":
        index += 1
    return index


def _load(data: bytes, result: ImportResult) -> tuple[object, str] | None:
    """Decode and parse, turning a syntax error into one RowError at its line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        result.errors.append(RowError(1, "", f"文件不是 UTF-8 编码（第 {exc.start + 1} 个字节无法识别）"))
        return None
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        result.errors.append(RowError(exc.lineno, "", f"JSON 格式错误：{exc.msg}（第 {exc.colno} 列）"))
        return None


def _read_header(doc: dict, result: ImportResult) -> list | None:
    """Take bank and title from the top object and return its question list."""
    result.bank_name = _header_text(doc, "bank", result)
    result.bank_title = _header_text(doc, "title", result)
    unknown = sorted(set(doc) - set(_TOP_KEYS))
    if unknown:
        result.warnings.append(f"未知字段 {', '.join(unknown)} 已忽略")
    items = doc.get("questions")
    if not isinstance(items, list):
        result.errors.append(RowError(1, "questions", "缺少题目列表（\"questions\": [...]）"))
        return None
    return items


def _header_text(doc: dict, key: str, result: ImportResult) -> str | None:
    """A top-level text field (bank, title), or None with a warning when it is not text."""
    value = doc.get(key)
    if value is not None and not isinstance(value, str):
        result.warnings.append(f"\"{key}\" 应为文本，已忽略")
        return None
    text = (value or "").strip()
    return text or None


def _read_question(item: object, line: int, unit: str, result: ImportResult) -> None:
    """Validate one JSON question object (at `line` 行, or `line` 题) and add it, or its errors, to the result."""
    if not isinstance(item, dict):
        result.errors.append(RowError(line, "", "题目应为对象 {…}", unit))
        return
    unknown = sorted(set(item) - set(FIELDS))
    if unknown:
        result.warnings.append(f"第 {line} {unit}: 未知字段 {', '.join(unknown)} 已忽略")
    fields = dict(item)
    options = fields.get("options")
    if isinstance(options, dict):
        # {"A": "…", "B": "…"} is a natural way to write options by hand; order by letter.
        fields["options"] = [options[k] for k in sorted(options, key=_letter_order)]
    result.add(fields, line, unit=unit)


def _letter_order(key: object) -> tuple[int, str]:
    """Sort key placing option letters A, B, C… first and in order."""
    text = str(key).strip().upper()
    return (LETTERS.index(text) if len(text) == 1 and text in LETTERS else len(LETTERS), text)
