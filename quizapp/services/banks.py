"""Importing question-bank files into the database, all or nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..database import begin_write
from ..domain.errors import DomainError
from ..domain.exporters import export_bank
from ..domain.importers import parse_bank
from ..domain.questions import QuestionSpec, RowError, Skipped, stem_key
from ..extensions import db
from ..models import Bank, Question
from .question_cache import questions as question_cache

ON_DUPLICATE = ("error", "skip", "update")


class ImportFailed(DomainError):
    """The file had invalid questions; nothing was imported."""

    code = "import_failed"

    def __init__(self, errors: list[RowError]):
        super().__init__(f"导入失败：{len(errors)} 处错误，未导入任何题目")
        self.errors = errors


@dataclass
class ImportReport:
    """What an import did, or would do with --dry-run."""

    bank: str
    created: int = 0
    updated: int = 0
    duplicates_skipped: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    by_type: Counter = field(default_factory=Counter)
    by_category: Counter = field(default_factory=Counter)


def _fields(spec: QuestionSpec) -> dict:
    return {"type": spec.type, "stem": spec.stem, "options": list(spec.options), "answer": list(spec.answer),
            "explanation": spec.explanation, "source": spec.source, "category": spec.category,
            "difficulty": spec.difficulty, "tags": list(spec.tags), "valid_until": spec.valid_until}


def _duplicates_in_file(questions: list[QuestionSpec]) -> list[RowError]:
    seen: dict[str, int] = {}
    errors = []
    for number, spec in enumerate(questions, start=1):
        key = stem_key(spec.stem)
        if key in seen:
            errors.append(RowError(line=number, column="题干", message=f"与第 {seen[key]} 题重复"))
        seen.setdefault(key, number)
    return errors


def _get_or_create_bank(name: str, title: str | None) -> Bank:
    bank = db.session.execute(db.select(Bank).filter_by(name=name)).scalar_one_or_none()
    if bank is None:
        bank = Bank(name=name, title=title or name)
        db.session.add(bank)
        db.session.flush()
    elif title:
        bank.title = title
    return bank


def import_bank_bytes(data: bytes, filename: str, bank_name: str | None = None, dry_run: bool = False,
                      on_duplicate: str = "error", max_questions: int = 20_000) -> ImportReport:
    """Parse and store a bank file; raises ImportFailed listing every error, writing nothing."""
    if on_duplicate not in ON_DUPLICATE:
        raise DomainError(f"--on-duplicate 只能是 {'/'.join(ON_DUPLICATE)}", code="bad_option")
    parsed = parse_bank(data, filename)
    if len(parsed.questions) + len(parsed.errors) > max_questions:
        raise DomainError(f"题目过多：文件中有 {len(parsed.questions) + len(parsed.errors)} 题，"
                          f"一次最多导入 {max_questions} 题，请拆分文件", code="too_many_rows")
    errors = list(parsed.errors) + _duplicates_in_file(parsed.questions)
    if errors:
        raise ImportFailed(errors)
    name = bank_name or parsed.bank_name or Path(filename).stem
    begin_write(db.session)
    report = ImportReport(bank=name, skipped=list(parsed.skipped), warnings=list(parsed.warnings), dry_run=dry_run,
                          by_type=Counter(q.type for q in parsed.questions),
                          by_category=Counter(q.category or "（未分类）" for q in parsed.questions))
    bank = _get_or_create_bank(name, parsed.bank_title)
    existing = {q.stem_key: q for q in db.session.execute(
        db.select(Question).filter_by(bank_id=bank.id)).scalars()} if bank.id else {}
    clashes = []
    for number, spec in enumerate(parsed.questions, start=1):
        key = stem_key(spec.stem)
        current = existing.get(key)
        if current is None:
            db.session.add(Question(bank_id=bank.id, stem_key=key[:255], **_fields(spec)))
            report.created += 1
        elif on_duplicate == "update":
            for name_, value in _fields(spec).items():
                setattr(current, name_, value)
            report.updated += 1
        elif on_duplicate == "skip":
            report.duplicates_skipped += 1
        else:
            clashes.append(RowError(line=number, column="题干", message="题库中已有相同题目（可用 --on-duplicate skip 或 update）"))
    if clashes:
        db.session.rollback()
        raise ImportFailed(clashes)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        question_cache.clear()
    return report


def import_bank_file(path: Path, bank_name: str | None = None, dry_run: bool = False,
                     on_duplicate: str = "error", max_bytes: int = 10 * 1024 * 1024,
                     max_questions: int = 20_000) -> ImportReport:
    """Read a bank file from disk (size-checked) and import it."""
    size = path.stat().st_size
    if size > max_bytes:
        raise DomainError(f"文件过大：{size / 1048576:.1f} MB，上限 {max_bytes / 1048576:.1f} MB"
                          "（可用环境变量 IMPORT_MAX_BYTES 调整）", code="file_too_large")
    return import_bank_bytes(path.read_bytes(), path.name, bank_name, dry_run, on_duplicate, max_questions)


def load_bank_dir(folder: Path) -> list[ImportReport]:
    """Import every JSON bank in a folder, updating questions already there (the demo loader)."""
    files = sorted(folder.glob("*.json"))
    if not files:
        raise DomainError(f"{folder} 中没有 .json 题库文件", code="no_banks")
    reports = []
    for path in files:
        try:
            reports.append(import_bank_file(path, on_duplicate="update"))
        except DomainError as exc:
            exc.message = f"{path.name}：{exc.message}"
            raise
    return reports


def _spec(question: Question) -> QuestionSpec:
    return QuestionSpec(type=question.type, stem=question.stem, options=tuple(question.options),
                        answer=tuple(question.answer), explanation=question.explanation or "",
                        source=question.source or "", category=question.category or "",
                        difficulty=question.difficulty, tags=tuple(question.tags or ()),
                        valid_until=question.valid_until)


def export_bank_bytes(name: str, fmt: str) -> bytes:
    """A bank written in `fmt` (json, csv, xlsx, gift); re-importing it gives the same questions."""
    bank = db.session.execute(db.select(Bank).filter_by(name=name)).scalar_one_or_none()
    if bank is None:
        raise DomainError(f"题库不存在：{name}", code="not_found")
    questions = db.session.execute(
        db.select(Question).filter_by(bank_id=bank.id).order_by(Question.id)).scalars().all()
    return export_bank([_spec(q) for q in questions], fmt, bank.name, bank.title)


def bank_counts() -> list[tuple[str, str, int]]:
    """(name, title, question count) for every bank."""
    return [tuple(row) for row in db.session.execute(
        db.select(Bank.name, Bank.title, db.func.count(Question.id)).outerjoin(Question)
        .group_by(Bank.id).order_by(Bank.name)).all()]
