"""The spreadsheet template shared by the csv and xlsx importers and exporters: header, aliases, cells."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from quizapp.domain.questions import LETTERS, ImportResult, RowError

OPTION_COLUMNS = tuple(f"选项{letter}" for letter in "ABCDEF")
TEMPLATE_HEADER = ("题型", "题干", *OPTION_COLUMNS, "答案", "解析", "出处", "分类", "难度")
# Optional columns the exporters add after the template ones when a bank uses them.
EXTRA_HEADER = ("标签", "有效期至")
# Added by the exporters when questions carry a review (the console's 已审核).
REVIEW_HEADER = ("审核人", "审核时间")

_ALIASES = {
    "type": ("题型", "类型", "题目类型", "试题类型", "type"),
    "stem": ("题干", "题目", "试题", "题目内容", "试题内容", "问题", "stem", "question"),
    "answer": ("答案", "正确答案", "参考答案", "标准答案", "answer"),
    "explanation": ("解析", "答案解析", "试题解析", "解释", "explanation"),
    "source": ("出处", "来源", "依据", "法规依据", "出题依据", "source"),
    "category": ("分类", "类别", "category"),
    "difficulty": ("难度", "难易度", "难易程度", "difficulty"),
    "tags": ("标签", "tags"),
    "valid_until": ("有效期至", "有效期", "valid_until"),
    "reviewed_by": ("审核人", "审核", "reviewed_by"),
    "reviewed_at": ("审核时间", "审核日期", "reviewed_at"),
}
_HEADER_KEYS = {alias.casefold(): key for key, aliases in _ALIASES.items() for alias in aliases}
_OPTION_HEADER = re.compile(r"(?:选项)?([a-z])(?:选项)?")
HEADER_SEARCH_ROWS = 5  # non-blank rows searched for the header (titles may sit above it)
# Characters that make Excel/WPS treat a cell as a formula (CSV injection); "'" guards them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(text: str) -> str:
    """Prefix a "'" to text a spreadsheet would run as a formula (or that already starts with "'")."""
    return "'" + text if text.startswith((*FORMULA_STARTS, "'")) else text


def unescape_cell(text: str) -> str:
    """Undo escape_cell: drop one leading "'" that guards a formula character or another "'"."""
    return text[1:] if text[:1] == "'" and text[1:2] in (*FORMULA_STARTS, "'") and len(text) > 1 else text


def cell_value(value: object) -> object:
    """A cell as the validator wants it: 1.0 becomes 1, text loses its formula guard, blanks None."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        value = unescape_cell(value.strip(" \u3000"))
        return value if value.strip() else None
    return value


def header_key(title: object) -> str | None:
    """The field a header cell names ("正确答案" -> "answer", "A选项" -> "option:0"), or None."""
    text = unicodedata.normalize("NFKC", str(title or "")).replace("\ufeff", "")
    # Templates often mark columns "题干*" or "难度(1-3)"; the note is not part of the name.
    text = re.sub(r"\(.*?\)|\*", "", "".join(text.split())).casefold()
    if text in _HEADER_KEYS:
        return _HEADER_KEYS[text]
    match = _OPTION_HEADER.fullmatch(text)
    return f"option:{ord(match.group(1)) - ord('a')}" if match else None


def read_table(rows: Iterable[tuple[int, Sequence[object]]], result: ImportResult) -> None:
    """Read (row number, cells) pairs: find the header row, then each later non-blank row is a question."""
    columns: dict[int, str] | None = None
    before_header: list[tuple[int, Sequence[object]]] = []
    for number, cells in rows:
        values = [cell_value(c) for c in cells]
        if all(v is None for v in values):
            continue
        if columns is not None:
            result.add(_row_fields(columns, values), number)
            continue
        columns = _header_columns(number, cells, result)
        if columns is None:
            before_header.append((number, cells))
            if len(before_header) == HEADER_SEARCH_ROWS:
                break
        elif before_header:
            # A title row such as "2024年安全用药月竞赛题库" above the header is common.
            skipped = "、".join(str(n) for n, _ in before_header)
            result.warnings.append(f"第 {skipped} 行在表头之前，已忽略")
    if columns is None:
        _no_header(before_header, result)


def _header_columns(number: int, cells: Sequence[object], result: ImportResult) -> dict[int, str] | None:
    """Map column positions to fields if this row is a header (has 题干 and 答案), else None."""
    keys = [header_key(title) for title in cells]
    if "stem" not in keys or "answer" not in keys:
        return None
    columns: dict[int, str] = {}
    for index, (title, key) in enumerate(zip(cells, keys, strict=True)):
        shown = str(title or "").replace("\ufeff", "").strip()
        if key is None:
            if shown:
                result.warnings.append(f"第 {number} 行: 未识别的列 '{shown}' 已忽略")
        elif key in columns.values():
            result.warnings.append(f"第 {number} 行: 列 '{shown}' 与前面的列重复，已忽略")
        else:
            columns[index] = key
    return columns


def _no_header(rows: list[tuple[int, Sequence[object]]], result: ImportResult) -> None:
    """Explain that no header row was found, showing what the first row holds."""
    if not rows:
        result.errors.append(RowError(0, "", "文件里没有内容"))
        return
    number, cells = rows[0]
    keys = {header_key(c) for c in cells}
    missing = "、".join(name for key, name in (("stem", "题干"), ("answer", "答案")) if key not in keys)
    found = "、".join(str(c).strip() for c in cells if c is not None and str(c).strip())
    result.errors.append(RowError(number, "", f"找不到表头：缺少 {missing} 列（这一行是：{found}）；"
                                              f"模板表头为：{' '.join(TEMPLATE_HEADER)}"))


def _row_fields(columns: dict[int, str], values: list[object]) -> dict[str, object]:
    """The fields of one data row, options gathered by letter."""
    fields: dict[str, object] = {}
    options: dict[int, object] = {}
    for index, key in columns.items():
        value = values[index] if index < len(values) else None
        if key.startswith("option:"):
            options[int(key[7:])] = value
        else:
            fields[key] = value
    if options:
        fields["options"] = [options.get(i) for i in range(min(max(options) + 1, len(LETTERS)))]
    return fields
