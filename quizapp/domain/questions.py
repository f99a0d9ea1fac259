"""The question model every bank format maps onto, and the one validator they all share."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from .errors import DomainError
from .question_fields import fold, normalize_text, read_date, read_difficulty, read_review, read_tags

TYPES = ("single", "multiple", "judge")
JUDGE_OPTIONS = ("正确", "错误")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
TYPE_LABELS = {"single": "单选题", "multiple": "多选题", "judge": "判断题"}
FIELDS = ("type", "stem", "options", "answer", "explanation", "source", "category",
          "difficulty", "tags", "valid_until", "reviewed_by", "reviewed_at")

# Keys are compared after NFKC + casefold + removing spaces, so "单选 题" and "Single" match too.
_TYPE_ALIASES = {
    "single": "single", "单选": "single", "单选题": "single", "单项选择": "single",
    "单项选择题": "single", "single_choice": "single",
    "multiple": "multiple", "multi": "multiple", "多选": "multiple", "多选题": "multiple",
    "多项选择": "multiple", "多项选择题": "multiple", "不定项": "multiple",
    "不定项选择": "multiple", "不定项选择题": "multiple", "multiple_choice": "multiple",
    "judge": "judge", "判断": "judge", "判断题": "judge", "是非题": "judge", "对错题": "judge",
    "truefalse": "judge", "true_false": "judge", "true/false": "judge", "tf": "judge",
}
# "x" is in because organizers without an × key on their keyboard type it for 错.
_JUDGE_TRUE = {"对", "正确", "√", "✓", "✔", "是", "t", "true", "y", "yes", "1", "a", "对的", "right"}
_JUDGE_FALSE = {"错", "错误", "×", "✗", "✘", "否", "f", "false", "n", "no", "0", "b", "错的",
                "不正确", "x", "wrong"}
# Separators people put between answer letters: "A,C,D", "A、C、D", "A C D", "(B)", "B."
_LETTER_SEPARATORS = re.compile(r"[\s,;、/|.()\[\]和及与]+")




@dataclass(frozen=True)
class QuestionSpec:
    """One validated question, independent of file format and database."""

    type: str
    stem: str
    options: tuple[str, ...]
    answer: tuple[int, ...]
    explanation: str = ""
    source: str = ""
    category: str = ""
    difficulty: int | None = None
    tags: tuple[str, ...] = ()
    valid_until: date | None = None
    # Who checked the question and when (UTC); empty and None for a question not yet reviewed.
    reviewed_by: str = ""
    reviewed_at: datetime | None = None

    @property
    def answer_letters(self) -> str:
        """The correct options as letters, e.g. "ACD"."""
        return "".join(LETTERS[i] for i in self.answer)

    @property
    def answer_text(self) -> str:
        """The answer as written in a bank file: letters, or 正确/错误 for a judge question."""
        if self.type == "judge":
            return JUDGE_OPTIONS[self.answer[0]]
        return self.answer_letters


@dataclass(frozen=True)
class RowError:
    """Why one question (row, line or JSON item) was refused; `unit` is 行 or 题, line 0 the whole file."""

    line: int
    column: str
    message: str
    unit: str = "行"

    def __str__(self) -> str:
        # Line 0 means the whole file (not a zip, unreadable encoding…): there is no row to name.
        where = f"第 {self.line} {self.unit}" if self.line > 0 else ""
        label = " ".join(part for part in (where, self.column) if part)
        return f"{label}: {self.message}" if label else self.message


@dataclass(frozen=True)
class Skipped:
    """A question of a kind the app does not have (essay, matching…), reported, not dropped."""

    line: int
    kind: str
    reason: str
    unit: str = "行"

    def __str__(self) -> str:
        return f"第 {self.line} {self.unit}: 跳过{self.kind}（{self.reason}）"


class TooManyQuestions(DomainError):
    """The file holds more questions than one import may: reading stopped at the first one over."""

    code = "too_many_rows"

    def __init__(self, limit: int, line: int, unit: str):
        super().__init__(f"题目过多：一次最多导入 {limit} 题，文件读到第 {line} {unit}时已超过上限，未导入任何题目；"
                         "请拆分文件（可用环境变量 IMPORT_MAX_ROWS 调整）")
        self.line = line


@dataclass
class ImportResult:
    """What an importer found: valid questions, errors, skipped kinds, bank name and warnings."""

    questions: list[QuestionSpec] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    bank_name: str | None = None
    bank_title: str | None = None
    warnings: list[str] = field(default_factory=list)
    # Where each kept question stood in the file, (line, unit), parallel to `questions`.
    places: list[tuple[int, str]] = field(default_factory=list)
    # At most this many questions (valid or not) are read; the next one raises TooManyQuestions.
    limit: int | None = None
    read: int = 0
    _seen: dict[tuple, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True when no question was refused (skipped kinds and warnings do not count)."""
        return not self.errors

    def add(self, fields: Mapping[str, object], line: int, *, unit: str = "行") -> QuestionSpec | None:
        """Validate one question, keep it or its errors, and warn about an exact duplicate."""
        self.read += 1
        if self.limit is not None and self.read > self.limit:
            raise TooManyQuestions(self.limit, line, unit)
        spec, errors = build_question(fields, line, unit=unit)
        self.errors.extend(errors)
        if spec is None:
            return None
        # The same stem with other options is common ("下列说法正确的是"), so only an
        # identical stem *and* option set counts as a duplicate.
        key = (spec.type, stem_key(spec.stem), frozenset(stem_key(o) for o in spec.options))
        if key in self._seen:
            self.warnings.append(f"第 {line} {unit} 与第 {self._seen[key]} {unit} 是同一道题（题干和选项相同）")
        else:
            self._seen[key] = line
        self.questions.append(spec)
        self.places.append((line, unit))
        return spec


def normalize_type(raw: object) -> str | None:
    """Map single/multiple/judge or a Chinese type name (单选题, 多项选择题, 判断…) to a type."""
    if raw is None:
        return None
    return _TYPE_ALIASES.get(fold(raw))


def parse_letters(raw: object, option_count: int) -> tuple[int, ...]:
    """Parse answer letters ("ACD", "A、C、D", "ＡＣ") into sorted 0-based option indices."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw)).upper()
    compact = _LETTER_SEPARATORS.sub("", text)
    if not compact:
        raise ValueError("答案为空")
    indices = set()
    for ch in compact:
        if ch not in LETTERS:
            raise ValueError(f"'{ch}' 不是选项字母（应为 A、B、C…）")
        if LETTERS.index(ch) >= option_count:
            raise ValueError(f"'{ch}' 不在选项中")
        indices.add(LETTERS.index(ch))
    return tuple(sorted(indices))


def parse_judge(raw: object) -> bool | None:
    """Read a true/false answer (对/错, 正确/错误, √/×, 是/否, T/F, 1/0, A/B…); None if unreadable."""
    if isinstance(raw, bool):
        return raw
    if raw is None:
        return None
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    text = fold(raw).rstrip("。.!")
    if text in _JUDGE_TRUE:
        return True
    if text in _JUDGE_FALSE:
        return False
    return None


def stem_key(stem: object) -> str:
    """A comparison key for duplicate detection: NFKC, casefold, no spaces or trailing punctuation."""
    # Trailing "（ ）。" blanks and punctuation vary between copies of the same question.
    return re.sub(r"[\W_]+$", "", fold("" if stem is None else stem))


def build_question(fields: Mapping[str, object], line: int, *, unit: str = "行"
                   ) -> tuple[QuestionSpec | None, list[RowError]]:
    """Validate raw fields of one question from any format into a QuestionSpec or row errors."""
    errors: list[RowError] = []

    def err(column: str, message: str) -> None:
        errors.append(RowError(line, column, message, unit))

    stem = normalize_text(fields.get("stem"))
    if not stem:
        err("题干", "题干为空")
    options = _read_options(fields.get("options"), err)
    answer: tuple[int, ...] = ()
    qtype = _read_type(fields.get("type"), options, fields.get("answer"), err)
    if qtype == "judge":
        options, answer = JUDGE_OPTIONS, _judge_answer(fields.get("answer"), options, err)
    elif qtype is not None:
        answer = _choice_answer(qtype, fields.get("answer"), options, err)
    difficulty = read_difficulty(fields.get("difficulty"), err)
    valid_until = read_date(fields.get("valid_until"), err)
    reviewed_by, reviewed_at = read_review(fields.get("reviewed_by"), fields.get("reviewed_at"), err)
    if errors or qtype is None:
        return None, errors
    return QuestionSpec(
        type=qtype, stem=stem, options=tuple(options), answer=answer,
        explanation=normalize_text(fields.get("explanation"), multiline=True),
        source=normalize_text(fields.get("source")),
        category=normalize_text(fields.get("category")),
        difficulty=difficulty, tags=read_tags(fields.get("tags")), valid_until=valid_until,
        reviewed_by=reviewed_by, reviewed_at=reviewed_at,
    ), []


_Err = Callable[[str, str], None]


def _read_options(raw: object, err: _Err) -> list[str]:
    """Normalise the option list: trailing blanks dropped, gaps and duplicates refused."""
    if raw is None or raw == "":
        return []
    if not isinstance(raw, list | tuple):
        err("选项", "选项应为列表")
        return []
    options = [normalize_text(o) for o in raw]
    while options and not options[-1]:
        options.pop()
    if len(options) > len(LETTERS):
        err("选项", f"最多 {len(LETTERS)} 个选项，这里有 {len(options)} 个")
        return options[: len(LETTERS)]
    seen: dict[str, int] = {}
    for i, text in enumerate(options):
        if not text:
            err(f"选项{LETTERS[i]}", "选项为空，但后面还有选项")
            continue
        key = stem_key(text) or text
        if key in seen:
            err(f"选项{LETTERS[i]}", f"与选项{LETTERS[seen[key]]}重复")
        seen.setdefault(key, i)
    return options


def _read_type(raw: object, options: list[str], answer: object, err: _Err) -> str | None:
    """The question type; when the column is blank, inferred from the options and answer."""
    if raw is None or not normalize_text(raw):
        # A blank 题型 is common in hand-made sheets; the rest of the row says which type it is.
        if not options:
            return "judge"
        if isinstance(answer, list | tuple):
            return "multiple" if len(answer) > 1 else "single"
        letters = _LETTER_SEPARATORS.sub("", unicodedata.normalize("NFKC", str(answer or "")))
        return "multiple" if len(letters) > 1 else "single"
    qtype = normalize_type(raw)
    if qtype is None:
        err("题型", f"'{normalize_text(raw)}' 不是可识别的题型（应为 单选、多选 或 判断）")
    return qtype


def _judge_answer(raw: object, options: list[str], err: _Err) -> tuple[int, ...]:
    """The index into JUDGE_OPTIONS: 0 for 正确, 1 for 错误."""
    value = None
    letter = unicodedata.normalize("NFKC", str(raw or "")).strip().upper()
    # A sheet may list 正确/错误 (in either order) as options and answer with a letter.
    if options and len(letter) == 1 and letter in LETTERS[: len(options)]:
        value = parse_judge(options[LETTERS.index(letter)])
    if value is None:
        value = parse_judge(raw)
    if value is None:
        if raw is None or not str(raw).strip():
            err("答案", "答案为空")
        else:
            err("答案", f"'{normalize_text(raw)}' 不是判断题答案（应为 对/错、正确/错误、√/×、是/否 或 T/F）")
        return ()
    return (0,) if value else (1,)


def _choice_answer(qtype: str, raw: object, options: list[str], err: _Err) -> tuple[int, ...]:
    """The answer indices of a single or multiple choice question."""
    if len(options) < 2:
        err("选项", f"{TYPE_LABELS[qtype]}至少需要 2 个选项，这里有 {len(options)} 个")
        return ()
    if isinstance(raw, list | tuple):
        raw = ",".join(str(x) for x in raw)
    try:
        answer = parse_letters(raw, len(options))
    except ValueError as exc:
        err("答案", str(exc))
        return ()
    if qtype == "single" and len(answer) > 1:
        letters = "".join(LETTERS[i] for i in answer)
        err("答案", f"单选题只能有一个答案，这里是 '{letters}'（多个答案请把题型改为多选）")
    return answer


