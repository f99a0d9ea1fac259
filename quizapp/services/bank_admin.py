"""The console's bank upkeep: overview, browsing, editing, retiring and reviewing questions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from ..database import begin_write
from ..domain.bank_review import PENDING, REVIEWED, content_changed, retire_date
from ..domain.errors import DomainError, ValidationError
from ..domain.questions import LETTERS, TYPES, QuestionSpec, build_question, stem_key
from ..extensions import db
from ..models import Bank, Question
from . import audit
from .banks import MAX_LENGTHS, UNCATEGORISED, find_bank, spec_of
from .question_cache import questions as question_cache

PAGE_SIZE = 50
# The validator names columns as the spreadsheet does; the edit form's fields are named so
# (options-0, options-1 … are the option list's entries).
_FIELD_OF_COLUMN = {"题型": "type", "题干": "stem", "答案": "answer", "解析": "explanation", "出处": "source",
                    "分类": "category", "难度": "difficulty", "有效期至": "valid_until", "选项": "options-0",
                    **{f"选项{letter}": f"options-{i}" for i, letter in enumerate(LETTERS)}}


@dataclass
class BankSummary:
    """One bank on the list page."""

    name: str
    title: str
    last_import_at: datetime | None
    total: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    pending: int = 0
    reviewed: int = 0
    retired: int = 0


def bank_overview(today: date) -> list[BankSummary]:
    """Every bank with its counts by type, category and review status, and how many are retired."""
    banks = {b.id: BankSummary(b.name, b.title, b.last_import_at)
             for b in db.session.execute(db.select(Bank).order_by(Bank.name)).scalars()}
    categories: dict[int, dict[str, int]] = defaultdict(dict)
    rows = db.session.execute(
        db.select(Question.bank_id, Question.type, Question.category, Question.review_status,
                  (Question.valid_until < today).label("retired"), db.func.count())
        .group_by(Question.bank_id, Question.type, Question.category, Question.review_status, "retired")).all()
    for bank_id, qtype, category, status, retired, count in rows:
        summary = banks[bank_id]
        summary.total += count
        summary.by_type[qtype] = summary.by_type.get(qtype, 0) + count
        name = category or UNCATEGORISED
        categories[bank_id][name] = categories[bank_id].get(name, 0) + count
        if status == REVIEWED:
            summary.reviewed += count
        else:
            summary.pending += count
        summary.retired += count if retired else 0
    for bank_id, summary in banks.items():
        summary.by_category = sorted(categories[bank_id].items(), key=lambda item: (-item[1], item[0]))
    return list(banks.values())


def get_bank(name: str) -> Bank:
    """The bank of that name, or a 404-coded error."""
    bank = find_bank(name)
    if bank is None:
        raise DomainError(f"题库不存在：{name}", code="not_found")
    return bank


@dataclass(frozen=True)
class QuestionFilter:
    """The browse page's search: every field optional."""

    text: str = ""
    category: str | None = None  # "" is 未分类
    type: str = ""
    difficulty: str = ""  # "1", "2", "3" or "none"
    review: str = ""      # pending or reviewed
    retired: str = ""     # "yes" or "no"
    page: int = 1


def _conditions(bank: Bank, query: QuestionFilter, today: date) -> list:
    conditions = [Question.bank_id == bank.id]
    if query.text.strip():
        conditions.append(Question.stem.icontains(query.text.strip(), autoescape=True))
    if query.category is not None:
        conditions.append(Question.category == query.category)
    if query.type in TYPES:
        conditions.append(Question.type == query.type)
    if query.difficulty in ("1", "2", "3"):
        conditions.append(Question.difficulty == int(query.difficulty))
    elif query.difficulty == "none":
        conditions.append(Question.difficulty.is_(None))
    if query.review in (PENDING, REVIEWED):
        conditions.append(Question.review_status == query.review)
    if query.retired == "yes":
        conditions.append(Question.valid_until < today)
    elif query.retired == "no":
        conditions.append(db.or_(Question.valid_until.is_(None), Question.valid_until >= today))
    return conditions


def search_questions(bank_name: str, query: QuestionFilter, today: date) -> tuple[Bank, list[Question], int]:
    """One page (PAGE_SIZE, in bank order) of the bank's questions matching the filter, and the total."""
    bank = get_bank(bank_name)
    conditions = _conditions(bank, query, today)
    total = db.session.execute(db.select(db.func.count(Question.id)).where(*conditions)).scalar_one()
    page = max(1, query.page)
    questions = db.session.execute(db.select(Question).where(*conditions).order_by(Question.id)
                                   .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).scalars().all()
    return bank, list(questions), total


def bank_categories(bank: Bank) -> list[str]:
    """The categories used in a bank, sorted ("" for 未分类 included when used)."""
    return list(db.session.execute(db.select(Question.category).where(Question.bank_id == bank.id)
                                   .distinct().order_by(Question.category)).scalars())


def get_question(bank_name: str, question_id: int | str) -> Question:
    """A question of that bank (its number as int or text), or a 404-coded error."""
    bank = get_bank(bank_name)
    number = str(question_id)
    question = db.session.get(Question, int(number)) if number.isdigit() and len(number) < 12 else None
    if question is None or question.bank_id != bank.id:
        raise DomainError(f"题库 {bank_name} 中没有第 {question_id} 号题", code="not_found")
    return question


def _validated(raw: Mapping[str, object], question: Question) -> QuestionSpec:
    """The edited fields through the importers' own validator; ValidationError names each bad field."""
    fields = {name: raw.get(name) for name in ("type", "stem", "answer", "explanation", "source", "category",
                                                "difficulty", "tags", "valid_until")}
    fields["options"] = [str(o or "") for o in raw.get("options") or []]
    spec, errors = build_question(fields, line=0)
    problems: dict[str, str] = {}
    for error in errors:
        problems.setdefault(_FIELD_OF_COLUMN.get(error.column, "stem"), error.message)
    if spec is not None:
        for name, column, limit in MAX_LENGTHS:
            if len(getattr(spec, name)) > limit:
                problems[name] = f"{column}最多 {limit} 个字符，这里有 {len(getattr(spec, name))} 个"
        twin = _same_stem(question, spec)
        if twin is not None:
            problems["stem"] = f"本题库的第 {twin} 号题已有相同题干；请改写题干或编辑那道题"
    if problems:
        raise ValidationError(problems, message="题目有误，请按提示修改")
    return spec


def _same_stem(question: Question, spec: QuestionSpec) -> int | None:
    key = stem_key(spec.stem)[:255]
    return db.session.execute(db.select(Question.id).where(
        Question.bank_id == question.bank_id, Question.stem_key == key, Question.id != question.id)).scalar()


def edit_question(bank_name: str, question_id: int | str, raw: Mapping[str, object], actor: str,
                  now: datetime) -> tuple[Question, bool]:
    """Save an edit validated as an import would; changed content goes back to 待审核. (question, changed)."""
    question = get_question(bank_name, question_id)
    spec = _validated(raw, question)
    old = spec_of(question)
    if spec == old:
        return question, False
    begin_write(db.session)
    question = get_question(bank_name, question_id)
    changed = [name for name in QuestionSpec.__dataclass_fields__ if getattr(old, name) != getattr(spec, name)]
    review_reset = content_changed(old, spec) and question.review_status != PENDING
    if content_changed(old, spec):
        question.review_status, question.reviewed_by, question.reviewed_at = PENDING, None, None
    _store(question, spec)
    audit.record("question_edit", actor, None, 1, now, {"fields": ",".join(changed), "review_reset": review_reset},
                 target=f"{bank_name}#{question.id}")
    db.session.commit()
    question_cache.clear()
    return question, True


def _store(question: Question, spec: QuestionSpec) -> None:
    question.type, question.stem, question.stem_key = spec.type, spec.stem, stem_key(spec.stem)[:255]
    question.options, question.answer = list(spec.options), list(spec.answer)
    question.explanation, question.source, question.category = spec.explanation, spec.source, spec.category
    question.difficulty, question.tags, question.valid_until = spec.difficulty, list(spec.tags), spec.valid_until


def set_retired(bank_name: str, question_id: int | str, retired: bool, actor: str, now: datetime,
                tz_name: str) -> Question:
    """Retire (valid until yesterday in the time zone, so never drawn again) or restore a question."""
    begin_write(db.session)
    question = get_question(bank_name, question_id)
    before = question.valid_until
    question.valid_until = retire_date(now, tz_name) if retired else None
    audit.record("question_retire" if retired else "question_restore", actor, None, 1, now,
                 {"valid_until_before": before.isoformat() if before else ""}, target=f"{bank_name}#{question.id}")
    db.session.commit()
    question_cache.clear()
    return question


def mark_reviewed(bank_name: str, question_ids: list[int], actor: str, now: datetime) -> int:
    """Mark these questions of the bank 已审核 by `actor` now; returns how many were still 待审核."""
    bank = get_bank(bank_name)
    if not question_ids:
        raise DomainError("请先勾选要标为已审核的题目", code="nothing_selected")
    begin_write(db.session)
    pending = db.session.execute(db.select(Question).where(
        Question.bank_id == bank.id, Question.id.in_(question_ids), Question.review_status != REVIEWED)).scalars().all()
    for question in pending:
        question.review_status, question.reviewed_by, question.reviewed_at = REVIEWED, actor[:64], now
    if pending:
        audit.record("question_review", actor, None, len(pending), now,
                     {"ids": ",".join(str(q.id) for q in pending)[:500]}, target=bank_name)
    db.session.commit()
    return len(pending)
