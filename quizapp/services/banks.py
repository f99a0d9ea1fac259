"""Importing question-bank files into the database, all or nothing; the CLI and the console share it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from ..database import begin_write
from ..domain.bank_review import PENDING, REVIEWED, content_changed
from ..domain.errors import DomainError
from ..domain.exporters import export_bank
from ..domain.importers import parse_bank
from ..domain.questions import ImportResult, QuestionSpec, RowError, Skipped, stem_key
from ..extensions import db
from ..models import Bank, Question, utcnow
from . import audit
from .question_cache import questions as question_cache

ON_DUPLICATE = ("error", "skip", "update")
ON_DUPLICATE_NAMES = {"error": "报错（不导入）", "skip": "跳过重复的题", "update": "用文件中的内容更新"}
TYPE_NAMES = {"single": "单选", "multiple": "多选", "judge": "判断"}
UNCATEGORISED = "（未分类）"
# Column widths of the question table: longer text would be refused by PostgreSQL mid-import.
MAX_LENGTHS = (("category", "分类", 64), ("source", "出处", 500))
BANK_NAME_MAX = 64
BANK_TITLE_MAX = 200
# Console paths under /admin/banks/ that a bank name would shadow.
RESERVED_NAMES = ("import", "template.xlsx")


class ImportFailed(DomainError):
    """The file had invalid questions; nothing was imported."""

    code = "import_failed"

    def __init__(self, errors: list[RowError]):
        super().__init__(f"导入失败：{len(errors)} 处错误，未导入任何题目")
        self.errors = errors


@dataclass
class ImportReport:
    """What an import did, or would do (dry run, the console's preview), errors included."""

    bank: str
    created: int = 0
    updated: int = 0      # duplicates under "update": rewritten or already identical
    unchanged: int = 0    # of those, how many already held exactly the file's content
    duplicates_skipped: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    by_type: Counter = field(default_factory=Counter)
    by_category: Counter = field(default_factory=Counter)
    errors: list[RowError] = field(default_factory=list)
    bank_exists: bool = False

    @property
    def written(self) -> int:
        """Questions an import writes: new ones and those whose content changes."""
        return self.created + self.updated - self.unchanged

    @property
    def outcome(self) -> tuple[int, int, int, int]:
        """(created, updated, unchanged, skipped): what the console's confirmation promised."""
        return self.created, self.updated, self.unchanged, self.duplicates_skipped

    def summary(self) -> str:
        """The one-line result the CLI prints and the console shows."""
        prefix = "（试运行，未写入）" if self.dry_run else ""
        same = f"（其中 {self.unchanged} 题内容未变）" if self.unchanged else ""
        return (f"{prefix}题库 {self.bank}：新增 {self.created} 题，更新 {self.updated} 题{same}，"
                f"跳过重复 {self.duplicates_skipped} 题，不支持的题型 {len(self.skipped)} 题")

    def detail_lines(self) -> list[str]:
        """Counts by type and category, each skipped kind and each warning, as the CLI prints them."""
        kinds = "，".join(f"{label} {self.by_type[kind]}" for kind, label in TYPE_NAMES.items() if self.by_type[kind])
        lines = [f"文件中：{kinds or '没有题目'}"]
        if self.by_category:
            lines.append("分类：" + "，".join(f"{name} {n}" for name, n in self.by_category.most_common()))
        lines.extend(skipped_line(s) for s in self.skipped)
        lines.extend(f"注意：{warning}" for warning in self.warnings)
        return lines


def skipped_line(skipped: Skipped) -> str:
    """A skipped question kind as the CLI and the preview list it."""
    return f"跳过 第 {skipped.line} {skipped.unit} [{skipped.kind}]：{skipped.reason}"


@dataclass(frozen=True)
class _Step:
    """What an import does with one question of the file."""

    spec: QuestionSpec
    key: str
    action: str  # create, update, unchanged, skip or clash
    current: Question | None = None


def _fields(spec: QuestionSpec) -> dict:
    return {"type": spec.type, "stem": spec.stem, "options": list(spec.options), "answer": list(spec.answer),
            "explanation": spec.explanation, "source": spec.source, "category": spec.category,
            "difficulty": spec.difficulty, "tags": list(spec.tags), "valid_until": spec.valid_until}


def spec_of(question: Question, *, with_review: bool = False) -> QuestionSpec:
    """A stored question as the domain's QuestionSpec; `with_review` adds who reviewed it and when (exports)."""
    spec = QuestionSpec(type=question.type, stem=question.stem, options=tuple(question.options),
                        answer=tuple(question.answer), explanation=question.explanation or "",
                        source=question.source or "", category=question.category or "",
                        difficulty=question.difficulty, tags=tuple(question.tags or ()),
                        valid_until=question.valid_until)
    if with_review and question.review_status == REVIEWED and question.reviewed_at is not None:
        spec = replace(spec, reviewed_by=question.reviewed_by or "（未记录）", reviewed_at=question.reviewed_at)
    return spec


def _unchanged(question: Question, spec: QuestionSpec) -> bool:
    """Whether importing `spec` over `question` changes nothing: same content, and no other review."""
    if spec_of(question) != replace(spec, reviewed_by="", reviewed_at=None):
        return False
    return not spec.reviewed_by or spec_of(question, with_review=True) == spec


def _store_review(question: Question, spec: QuestionSpec, content_was_changed: bool) -> None:
    """A review the file carries becomes 已审核; rewritten content without one goes back to 待审核."""
    if spec.reviewed_by:
        question.review_status, question.reviewed_by, question.reviewed_at = REVIEWED, spec.reviewed_by, spec.reviewed_at
    elif content_was_changed:
        question.review_status, question.reviewed_by, question.reviewed_at = PENDING, None, None


def _file_errors(parsed: ImportResult) -> list[RowError]:
    """Stems repeated within the file (the bank holds each stem once) and text too long to store."""
    seen: dict[str, tuple[int, str]] = {}
    errors = []
    if not parsed.questions and not parsed.errors and not parsed.skipped:
        errors.append(RowError(0, "", "文件中没有找到题目；请检查文件格式与内容是否对应（xlsx/csv 须在表头下每行一题）"))
    for spec, (line, unit) in zip(parsed.questions, parsed.places, strict=True):
        key = stem_key(spec.stem)[:255]
        if key in seen:
            errors.append(RowError(line, "题干", f"与第 {seen[key][0]} {seen[key][1]}的题干重复", unit))
        seen.setdefault(key, (line, unit))
        for name, column, limit in MAX_LENGTHS:
            if len(getattr(spec, name)) > limit:
                errors.append(RowError(line, column, f"{column}过长：{len(getattr(spec, name))} 个字符，最多 {limit} 个", unit))
    return errors


def find_bank(name: str) -> Bank | None:
    """The bank of that name, or None."""
    return db.session.execute(db.select(Bank).filter_by(name=name)).scalar_one_or_none()


def _plan(parsed: ImportResult, bank: Bank | None, on_duplicate: str) -> tuple[list[_Step], list[RowError]]:
    """Match each question of the file against the bank: create, update, unchanged, skip or clash."""
    existing = {q.stem_key: q for q in db.session.execute(
        db.select(Question).filter_by(bank_id=bank.id)).scalars()} if bank is not None else {}
    steps, clashes = [], []
    for spec, (line, unit) in zip(parsed.questions, parsed.places, strict=True):
        key = stem_key(spec.stem)[:255]
        current = existing.get(key)
        if current is None:
            steps.append(_Step(spec, key, "create"))
        elif on_duplicate == "update":
            steps.append(_Step(spec, key, "unchanged" if _unchanged(current, spec) else "update", current))
        elif on_duplicate == "skip":
            steps.append(_Step(spec, key, "skip", current))
        else:
            clashes.append(RowError(line, "题干", "题库中已有相同题目（重复时可选择“跳过”或“更新”，"
                                                  "命令行为 --on-duplicate skip 或 update）", unit))
    return steps, clashes


def _assess(parsed: ImportResult, name: str, on_duplicate: str, dry_run: bool) -> tuple[ImportReport, list[_Step]]:
    """The report of an import of `parsed` into bank `name`, and its steps."""
    bank = find_bank(name)
    report = ImportReport(bank=name, skipped=list(parsed.skipped), warnings=list(parsed.warnings), dry_run=dry_run,
                          by_type=Counter(q.type for q in parsed.questions),
                          by_category=Counter(q.category or UNCATEGORISED for q in parsed.questions),
                          bank_exists=bank is not None)
    steps, clashes = _plan(parsed, bank, on_duplicate)
    report.errors = sorted([*parsed.errors, *_file_errors(parsed), *clashes], key=lambda e: e.line)
    actions = Counter(step.action for step in steps)
    report.created, report.unchanged = actions["create"], actions["unchanged"]
    report.updated = actions["update"] + actions["unchanged"]
    report.duplicates_skipped = actions["skip"]
    return report, steps


@dataclass(frozen=True)
class PreparedImport:
    """A parsed file and where it goes: parsed outside any write lock, since a big xlsx takes seconds."""

    parsed: ImportResult
    bank: str
    filename: str
    on_duplicate: str


def prepare_import(data: bytes, filename: str, bank_name: str | None = None, on_duplicate: str = "error",
                   max_questions: int = 20_000, title: str | None = None) -> PreparedImport:
    """Parse the file within the limits and settle the bank name it goes into."""
    if on_duplicate not in ON_DUPLICATE:
        raise DomainError(f"--on-duplicate 只能是 {'/'.join(ON_DUPLICATE)}", code="bad_option")
    parsed = parse_bank(data, filename, max_questions=max_questions)  # raises TooManyQuestions
    name = (bank_name or "").strip() or parsed.bank_name or Path(filename).stem
    if name in RESERVED_NAMES or any(ch in name for ch in "/\\") or not name.isprintable():
        raise DomainError(f"题库名“{name}”不可用：不能含 / 或 \\，也不能是 {'、'.join(RESERVED_NAMES)}；"
                          "请另填一个题库名", code="bank_name_invalid")
    if len(name) > BANK_NAME_MAX:
        raise DomainError(f"题库名“{name[:20]}…”过长（{len(name)} 个字符，最多 {BANK_NAME_MAX} 个）；"
                          "请另填一个较短的题库名", code="bank_name_too_long")
    title = title if title and title.strip() else parsed.bank_title
    if title:  # a file's own title is held to the same width as --title
        parsed.bank_title = _checked_title(title)
    return PreparedImport(parsed, name, filename, on_duplicate)


def _checked_title(title: str) -> str:
    """A bank title given by the organizer (--title, the console), trimmed and within the column's width."""
    text = " ".join(title.split())
    if len(text) > BANK_TITLE_MAX or not text.isprintable():
        raise DomainError(f"题库标题过长或含不可见字符（最多 {BANK_TITLE_MAX} 个字符）", code="bank_title_invalid")
    return text


def check_import(data: bytes, filename: str, bank_name: str | None = None, on_duplicate: str = "error",
                 max_questions: int = 20_000) -> ImportReport:
    """What importing the file would do, every error included; reads only (the console's preview)."""
    prepared = prepare_import(data, filename, bank_name, on_duplicate, max_questions)
    return _assess(prepared.parsed, prepared.bank, on_duplicate, dry_run=True)[0]


def import_bank_bytes(data: bytes, filename: str, bank_name: str | None = None, dry_run: bool = False,
                      on_duplicate: str = "error", max_questions: int = 20_000, *, actor: str | None = None,
                      now: datetime | None = None, title: str | None = None) -> ImportReport:
    """Parse and store a bank file (audited when `actor` is given); raises ImportFailed listing every
    error, writing nothing."""
    prepared = prepare_import(data, filename, bank_name, on_duplicate, max_questions, title)
    if dry_run:
        report = _assess(prepared.parsed, prepared.bank, on_duplicate, dry_run=True)[0]
        if report.errors:
            raise ImportFailed(report.errors)
        return report
    begin_write(db.session)  # match and write under one write lock: no parallel import in between
    report = stage_import(prepared, actor=actor, now=now)
    db.session.commit()
    question_cache.clear()
    return report


def stage_import(prepared: PreparedImport, *, actor: str | None, now: datetime | None,
                 expected: tuple | None = None) -> ImportReport:
    """Write the import into the caller's write transaction (the caller commits); on any error roll back.

    `expected` is the outcome a preview showed: if the bank changed since, nothing is written."""
    report, steps = _assess(prepared.parsed, prepared.bank, prepared.on_duplicate, dry_run=False)
    if report.errors:
        db.session.rollback()
        raise ImportFailed(report.errors)
    if expected is not None and tuple(expected) != report.outcome:
        db.session.rollback()
        raise DomainError("题库在预览之后有了变化，导入结果会与预览不同；请查看新的预览后再确认", code="preview_stale")
    moment = now or utcnow()
    bank = _get_or_create_bank(prepared.bank, prepared.parsed.bank_title)
    _apply(bank, steps)
    bank.last_import_at = moment
    if actor is not None:  # the console and the CLI name who imports; fixtures and scripts may not
        audit.record("bank_import", actor, None, report.written, moment, target=prepared.bank,
                     detail={"file": prepared.filename[-100:], "created": report.created,
                             "updated": report.written - report.created, "unchanged": report.unchanged,
                             "skipped": report.duplicates_skipped, "policy": prepared.on_duplicate})
    return report


def _get_or_create_bank(name: str, title: str | None) -> Bank:
    bank = find_bank(name)
    if bank is None:
        bank = Bank(name=name, title=title or name)
        db.session.add(bank)
        db.session.flush()
    elif title:
        bank.title = title
    return bank


def _apply(bank: Bank, steps: list[_Step]) -> None:
    """Write the planned steps; rewritten content goes back to 待审核 unless the file carries a review."""
    for step in steps:
        if step.action == "create":
            question = Question(bank_id=bank.id, stem_key=step.key, **_fields(step.spec))
            _store_review(question, step.spec, content_was_changed=True)
            db.session.add(question)
        elif step.action == "update":
            question = step.current
            _store_review(question, step.spec, content_changed(spec_of(question), step.spec))
            for name, value in _fields(step.spec).items():
                setattr(question, name, value)


def import_bank_file(path: Path, bank_name: str | None = None, dry_run: bool = False,
                     on_duplicate: str = "error", max_bytes: int = 10 * 1024 * 1024,
                     max_questions: int = 20_000, *, actor: str | None = None,
                     now: datetime | None = None, title: str | None = None) -> ImportReport:
    """Read a bank file from disk (size-checked) and import it."""
    check_size(path.stat().st_size, max_bytes)
    return import_bank_bytes(path.read_bytes(), path.name, bank_name, dry_run, on_duplicate, max_questions,
                             actor=actor, now=now, title=title)


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a file over the import size limit, saying both sizes."""
    if size > max_bytes:
        raise DomainError(f"文件过大：{size / 1048576:.1f} MB，上限 {max_bytes / 1048576:.1f} MB"
                          "（可用环境变量 IMPORT_MAX_BYTES 调整）", code="file_too_large")


def load_bank_dir(folder: Path, *, actor: str | None = None, now: datetime | None = None) -> list[ImportReport]:
    """Import every JSON bank in a folder, updating questions already there (the demo loader)."""
    files = sorted(folder.glob("*.json"))
    if not files:
        raise DomainError(f"{folder} 中没有 .json 题库文件", code="no_banks")
    reports = []
    for path in files:
        try:
            reports.append(import_bank_file(path, on_duplicate="update", actor=actor, now=now))
        except DomainError as exc:
            exc.message = f"{path.name}：{exc.message}"
            raise
    return reports


def export_bank_bytes(name: str, fmt: str, *, actor: str | None = None, now: datetime | None = None) -> bytes:
    """A bank written in `fmt` (json, csv, xlsx, gift), audited when `actor` is given; re-importing it gives the same questions."""
    bank = find_bank(name)
    if bank is None:
        raise DomainError(f"题库不存在：{name}", code="not_found")
    questions = db.session.execute(
        db.select(Question).filter_by(bank_id=bank.id).order_by(Question.id)).scalars().all()
    data = export_bank([spec_of(q, with_review=True) for q in questions], fmt, bank.name, bank.title)
    if actor is not None:
        audit.record("bank_export", actor, None, len(questions), now or utcnow(), detail={"format": fmt}, target=name)
        db.session.commit()
    return data


def bank_counts() -> list[tuple[str, str, int]]:
    """(name, title, question count) for every bank."""
    return [tuple(row) for row in db.session.execute(
        db.select(Bank.name, Bank.title, db.func.count(Question.id)).outerjoin(Question)
        .group_by(Bank.id).order_by(Bank.name)).all()]
