"""Cleaning one field of a question as the importers read it: text, dates, tags, difficulty, review."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, time

_DIFFICULTY_WORDS = {"易": 1, "简单": 1, "容易": 1, "中": 2, "中等": 2, "一般": 2,
                     "难": 3, "困难": 3, "较难": 3}
_TAG_SEPARATORS = re.compile(r"[,，、;；|]+")
# Zero-width characters and C0 controls pasted from Word or web pages are invisible, and an
# xlsx cell cannot even store them; Word's manual line break (\x0b) and page break stay breaks.
_INVISIBLE: dict[int, str | None] = {
    **dict.fromkeys([*map(ord, "\u200b\u200c\u200d\u2060\ufeff"), *range(0x00, 0x09),
                     *range(0x0E, 0x20), 0x7F]),
    0x0B: "\n", 0x0C: "\n",
}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
REVIEWER_MAX = 64  # the width of question.reviewed_by

Err = Callable[[str, str], None]


def normalize_text(s: object, *, multiline: bool = False) -> str:
    """Trim and collapse whitespace (newlines kept only if `multiline`); None becomes ""."""
    if s is None:
        return ""
    # NFC, not NFKC: NFKC would turn the full-width ，？（） of Chinese text into ASCII
    # and ① into 1, changing the organizer's wording. Keys and parsers use NFKC instead.
    text = unicodedata.normalize("NFC", str(s)).translate(_INVISIBLE)
    if not multiline:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def fold(raw: object) -> str:
    """NFKC, casefold and no whitespace: the form used to compare user-typed keywords."""
    return "".join(unicodedata.normalize("NFKC", str(raw)).casefold().split())


def read_difficulty(raw: object, err: Err) -> int | None:
    """Difficulty 1–3 (also 易/中/难); blank is None."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    value: object = raw
    if isinstance(raw, str):
        text = fold(raw)
        value = _DIFFICULTY_WORDS.get(text, text)
        with contextlib.suppress(ValueError):
            value = float(value)
    if not isinstance(value, bool) and isinstance(value, int | float) and value in (1, 2, 3):
        return int(value)
    err("难度", f"'{normalize_text(raw)}' 不是有效难度（应为 1、2 或 3）")
    return None


def read_date(raw: object, err: Err) -> date | None:
    """A date from a date/datetime cell or text like 2024-12-31 or 2024年12月31日."""
    moment = read_moment(raw, err, "有效期至")
    return moment.date() if isinstance(moment, datetime) else moment


def read_moment(raw: object, err: Err, column: str) -> date | datetime | None:
    """A date (from a date or date-like text) or a datetime (from a cell or ISO text with a time)."""
    if isinstance(raw, date):
        return raw
    text = normalize_text(raw)
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        err(column, f"'{text}' 不是日期（应写成 2024-12-31）")
        return None


def read_review(by: object, at: object, err: Err) -> tuple[str, datetime | None]:
    """Reviewer and review time, both or neither; a bare date is midnight UTC, a time without offset UTC."""
    reviewer = normalize_text(by)
    moment = read_moment(at, err, "审核时间")
    if len(reviewer) > REVIEWER_MAX:
        err("审核人", f"审核人过长：{len(reviewer)} 个字符，最多 {REVIEWER_MAX} 个")
    has_moment = isinstance(at, date) or bool(normalize_text(at))
    if bool(reviewer) != has_moment:
        err("审核人" if has_moment else "审核时间", "审核人和审核时间须同时填写（未审核的题两项都留空）")
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(), UTC) if moment is not None else None
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return reviewer, moment.astimezone(UTC) if moment is not None else None


def read_tags(raw: object) -> tuple[str, ...]:
    """Tags from a list or a text split at commas, 、 or semicolons; order kept, repeats dropped."""
    if raw is None:
        return ()
    items = list(raw) if isinstance(raw, list | tuple) else _TAG_SEPARATORS.split(normalize_text(raw))
    tags = (normalize_text(t) for t in items)
    return tuple(dict.fromkeys(t for t in tags if t))
