"""Loading contests from definitions and reading them for the public."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..database import begin_write
from ..domain.consent import consent_text_shown
from ..domain.contest_changes import NeedsConfirmation, incomparable_changes
from ..domain.contest_def import ContestSpec, parse_contest_definition
from ..domain.errors import DomainError, ValidationError
from ..domain.paper import Candidate, DrawRule, NotEnoughQuestions, check_pools
from ..domain.regions import tree as region_tree
from ..domain.timing import contest_status, local_day
from ..extensions import db
from ..models import Attempt, Bank, Contest, Question

REVIEWED = "reviewed"  # Question.review_status of a question marked 已审核


class NotFound(DomainError):
    """The thing asked for does not exist (or is not the caller's)."""

    code = "not_found"


class ContestNotFound(NotFound):
    """No contest has this slug: its error page cannot link back to a landing page."""


def get_contest(slug: str) -> Contest:
    """Return the contest with this slug or raise ContestNotFound."""
    contest = db.session.execute(db.select(Contest).filter_by(slug=slug)).scalar_one_or_none()
    if contest is None:
        raise ContestNotFound(f"竞赛“{slug}”不存在")
    return contest


def draw_rules(contest: Contest) -> list[DrawRule]:
    """The contest's stored draw rules as domain objects."""
    return [
        DrawRule(banks=tuple(r["banks"]), type=r["type"], count=r["count"], points=r["points"],
                 category=r.get("category"), partial=r.get("partial", "none"))
        for r in contest.draw_rules
    ]


_pool_cache: dict[tuple, tuple[float, list[list[Candidate]]]] = {}


def candidate_pools(rules: list[DrawRule], today: date, ttl: float = 0.0,
                    reviewed_only: bool = False) -> list[list[Candidate]]:
    """Candidates for each rule in one query (only 已审核 ones when `reviewed_only`); cached for `ttl` seconds."""
    key = (tuple(rules), today, reviewed_only)
    hit = _pool_cache.get(key)
    if hit and ttl and time.monotonic() - hit[0] < ttl:
        return hit[1]
    bank_names = sorted({name for rule in rules for name in rule.banks})
    query = (db.select(Question.id, Question.type, Question.category, Question.options, Question.valid_until, Bank.name)
             .join(Bank).where(Bank.name.in_(bank_names)).order_by(Question.id))
    if reviewed_only:
        query = query.where(Question.review_status == REVIEWED)
    pools: list[list[Candidate]] = [[] for _ in rules]
    for row in db.session.execute(query).all():
        if row.valid_until is not None and row.valid_until < today:
            continue  # a retired question (the law changed) is never drawn
        for index, rule in enumerate(rules):
            if row.name in rule.banks and row.type == rule.type and rule.category in (None, row.category):
                pools[index].append(Candidate(question_id=row.id, option_count=len(row.options)))
    if ttl:
        _pool_cache[key] = (time.monotonic(), pools)
    return pools


def contest_pools(contest: Contest, today: date, ttl: float = 0.0) -> list[list[Candidate]]:
    """The candidate pools of a contest's own rules, honouring its reviewed_only setting."""
    return candidate_pools(draw_rules(contest), today, ttl, reviewed_only=bool(contest.reviewed_only))


def _rule_dict(rule: DrawRule) -> dict:
    data = {"banks": list(rule.banks), "type": rule.type, "count": rule.count, "points": rule.points,
            "partial": rule.partial}
    if rule.category:
        data["category"] = rule.category
    return data


# The columns a definition sets, with the names the audit log shows for those that changed.
SPEC_COLUMNS = {
    "title": "名称", "description": "说明", "consent_text": "个人信息说明", "starts_at": "开始时间",
    "ends_at": "结束时间", "timezone": "时区", "regions": "地区", "time_limit_seconds": "限时",
    "attempts_per_day": "每天次数", "max_attempts": "总次数", "pass_score": "及格分", "grace_seconds": "宽限",
    "draw_rules": "抽题规则", "prizes": "奖项", "flag_settings": "作弊标记阈值", "reviewed_only": "只抽已审核题",
    "organizer": "主办单位", "contact": "联系方式", "publicity_days": "公示天数", "objection_contact": "异议联系方式",
    "retention_days": "个人信息保留天数",
}  # fmt: skip


def _apply_spec(contest: Contest, spec: ContestSpec) -> None:
    contest.title = spec.title
    contest.description = spec.description
    contest.consent_text = spec.consent_text
    contest.starts_at = spec.starts_at
    contest.ends_at = spec.ends_at
    contest.timezone = spec.timezone
    contest.regions = list(spec.regions)
    contest.time_limit_seconds = spec.round.time_limit_seconds
    contest.attempts_per_day = spec.round.attempts_per_day
    contest.max_attempts = spec.round.max_attempts
    contest.pass_score = spec.round.pass_score
    contest.grace_seconds = spec.round.grace_seconds
    contest.draw_rules = [_rule_dict(rule) for rule in spec.round.draw]
    contest.prizes = [_prize_dict(p) for p in spec.prizes]
    contest.flag_settings = spec.flags.as_dict()
    contest.reviewed_only = spec.round.reviewed_only
    contest.organizer, contest.contact = spec.public.organizer, spec.public.contact
    contest.publicity_days, contest.objection_contact = spec.public.publicity_days, spec.public.objection_contact
    contest.retention_days = spec.public.retention_days


def _prize_dict(prize) -> dict:
    data = {"tier": prize.tier, "name": prize.name, "count": prize.count}
    if prize.reserve:  # left out when none, so that stored prizes (and old commitments) stay as they were
        data["reserve"] = prize.reserve
    return data


def _check_banks(spec: ContestSpec, today: date) -> None:
    """Refuse rules naming a missing bank or asking for more questions than can be drawn, by rule path."""
    rules = list(spec.round.draw)
    names = {name for rule in rules for name in rule.banks}
    known = set(db.session.execute(db.select(Bank.name).where(Bank.name.in_(names))).scalars())
    errors = {}
    for index, rule in enumerate(rules):
        missing = [name for name in rule.banks if name not in known]
        if missing:
            errors[f"round.draw[{index}].bank"] = (
                f"题库不存在：{'、'.join(missing)}（请先在“题库”页或用 flask bank import 导入）")
    if errors:
        raise ValidationError(errors)
    try:
        check_pools(rules, candidate_pools(rules, today, reviewed_only=spec.round.reviewed_only))
    except NotEnoughQuestions as exc:
        # Of identical rules the later one is the one left short.
        index = max(i for i, rule in enumerate(rules) if rule == exc.rule)
        note = "（只计已审核的题目）" if spec.round.reviewed_only else ""
        raise ValidationError(f"round.draw[{index}].count", exc.message + note) from None


def attempt_total(contest: Contest) -> int:
    """How many attempts (running or finished) the contest has."""
    return db.session.execute(
        db.select(db.func.count()).select_from(Attempt).where(Attempt.contest_id == contest.id)).scalar_one()


def _incomparable(contest: Contest, spec: ContestSpec) -> list[str]:
    """What in this update makes scores incomparable; nothing to compare before the first attempt."""
    if attempt_total(contest) == 0:
        return []
    return incomparable_changes(draw_rules(contest), contest.pass_score, spec.round.draw, spec.round.pass_score)


@dataclass(frozen=True)
class SaveResult:
    """A saved contest, whether it was new, and the incomparable changes that were confirmed."""

    contest: Contest
    created: bool
    changes: tuple[str, ...] = ()


def save_contest(data: dict, now: datetime, actor: str | None = None, *, confirmed: bool = True,
                 create_only: bool = False) -> SaveResult:
    """Create or update a contest from its definition (CONTRACT §4), audited; idempotent."""
    from . import audit  # audit imports this module (get_contest), so it is imported at call time

    spec = parse_contest_definition(data, now=now)
    begin_write(db.session)
    try:
        contest, changes = _prepare(spec, now, confirmed, create_only)
    except DomainError:
        db.session.rollback()  # let go of the write lock before the caller renders its answer
        raise
    created = contest is None
    if created:
        contest = Contest(slug=spec.slug)
        db.session.add(contest)
    before = {name: getattr(contest, name, None) for name in SPEC_COLUMNS}
    _apply_spec(contest, spec)
    db.session.flush()
    detail = {"fields": [label for name, label in SPEC_COLUMNS.items() if getattr(contest, name) != before[name]]}
    if changes:
        detail["incomparable"] = changes
    audit.record("contest_create" if created else "contest_update", actor or audit.default_actor(), contest, 1,
                 now, detail=detail, target=spec.slug)
    db.session.commit()
    return SaveResult(contest, created, tuple(changes))


def _prepare(spec: ContestSpec, now: datetime, confirmed: bool, create_only: bool) -> tuple[Contest | None, list[str]]:
    """Check the banks and the existing contest; the contest (None if new) and its incomparable changes."""
    _check_banks(spec, local_day(now, spec.timezone))
    contest = db.session.execute(db.select(Contest).filter_by(slug=spec.slug)).scalar_one_or_none()
    if contest is not None and create_only:
        raise ValidationError("slug", f"竞赛标识“{spec.slug}”已被使用，请换一个，或到该竞赛的编辑页修改")
    changes = [] if contest is None else _incomparable(contest, spec)
    if changes and not confirmed:
        raise NeedsConfirmation(changes)
    return contest, changes


def load_contest(data: dict, now: datetime, actor: str | None = None) -> tuple[Contest, bool]:
    """Create or update a contest from its definition (CONTRACT §4); idempotent. Returns (contest, created)."""
    result = save_contest(data, now, actor)
    return result.contest, result.created


def iso_local(moment: datetime | None, tz_name: str) -> str | None:
    """ISO 8601 with the contest time zone's offset, as the API shows every time."""
    return moment.astimezone(ZoneInfo(tz_name)).isoformat() if moment else None


def max_score(contest: Contest) -> float:
    """The round's maximum: the sum of count × points over the draw rules."""
    return float(sum(rule["count"] * rule["points"] for rule in contest.draw_rules))


def question_count(contest: Contest) -> int:
    """How many questions a paper of this contest holds."""
    return sum(rule["count"] for rule in contest.draw_rules)


def contest_view(contest: Contest, now: datetime) -> dict:
    """The public description of a contest (CONTRACT §1 GET contest)."""
    return {
        "slug": contest.slug,
        "title": contest.title,
        "description": contest.description,
        "status": contest_status(contest.starts_at, contest.ends_at, now),
        "starts_at": iso_local(contest.starts_at, contest.timezone),
        "ends_at": iso_local(contest.ends_at, contest.timezone),
        "timezone": contest.timezone,
        "round": {
            "question_count": question_count(contest),
            "time_limit_seconds": contest.time_limit_seconds,
            "attempts_per_day": contest.attempts_per_day,
            "max_attempts": contest.max_attempts,
            "pass_score": contest.pass_score,
            "max_score": max_score(contest),
        },
        "regions": list(contest.regions),
        # Extension: the same regions grouped 盟市 → 旗县区, for a client that offers two selects.
        "region_tree": [{"name": top, "children": children} for top, children in region_tree(contest.regions)],
        "prizes": [dict(p) for p in contest.prizes],
        "consent_text": consent_text_shown(contest.consent_text, contest.retention_days),
        # Extension: how long names and phones are kept after the end (the notice above says it too).
        "retention_days": contest.retention_days,
    }
