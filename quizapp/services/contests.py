"""Loading contests from definitions and reading them for the public."""

from __future__ import annotations

import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..database import begin_write
from ..domain.contest_def import DEFAULT_CONSENT_TEXT, ContestSpec, parse_contest_definition
from ..domain.errors import DomainError
from ..domain.paper import Candidate, DrawRule, check_pools
from ..domain.timing import contest_status, local_day
from ..extensions import db
from ..models import Bank, Contest, Question


class NotFound(DomainError):
    """The thing asked for does not exist (or is not the caller's)."""

    code = "not_found"


def get_contest(slug: str) -> Contest:
    """Return the contest with this slug or raise NotFound."""
    contest = db.session.execute(db.select(Contest).filter_by(slug=slug)).scalar_one_or_none()
    if contest is None:
        raise NotFound(f"竞赛“{slug}”不存在")
    return contest


def draw_rules(contest: Contest) -> list[DrawRule]:
    """The contest's stored draw rules as domain objects."""
    return [
        DrawRule(banks=tuple(r["banks"]), type=r["type"], count=r["count"], points=r["points"],
                 category=r.get("category"), partial=r.get("partial", "none"))
        for r in contest.draw_rules
    ]


_pool_cache: dict[tuple, tuple[float, list[list[Candidate]]]] = {}


def candidate_pools(rules: list[DrawRule], today: date, ttl: float = 0.0) -> list[list[Candidate]]:
    """Candidates for each rule in one query; cached per process for `ttl` seconds."""
    key = (tuple(rules), today)
    hit = _pool_cache.get(key)
    if hit and ttl and time.monotonic() - hit[0] < ttl:
        return hit[1]
    bank_names = sorted({name for rule in rules for name in rule.banks})
    rows = db.session.execute(
        db.select(Question.id, Question.type, Question.category, Question.options, Question.valid_until, Bank.name)
        .join(Bank).where(Bank.name.in_(bank_names)).order_by(Question.id)
    ).all()
    pools: list[list[Candidate]] = [[] for _ in rules]
    for row in rows:
        if row.valid_until is not None and row.valid_until < today:
            continue  # a retired question (the law changed) is never drawn
        for index, rule in enumerate(rules):
            if row.name in rule.banks and row.type == rule.type and rule.category in (None, row.category):
                pools[index].append(Candidate(question_id=row.id, option_count=len(row.options)))
    if ttl:
        _pool_cache[key] = (time.monotonic(), pools)
    return pools


def _rule_dict(rule: DrawRule) -> dict:
    data = {"banks": list(rule.banks), "type": rule.type, "count": rule.count, "points": rule.points,
            "partial": rule.partial}
    if rule.category:
        data["category"] = rule.category
    return data


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
    contest.prizes = [{"tier": p.tier, "name": p.name, "count": p.count} for p in spec.prizes]
    contest.flag_settings = spec.flags.as_dict()


def _check_banks(spec: ContestSpec, today: date) -> None:
    names = {name for rule in spec.round.draw for name in rule.banks}
    known = set(db.session.execute(db.select(Bank.name).where(Bank.name.in_(names))).scalars())
    missing = sorted(names - known)
    if missing:
        raise DomainError(f"题库不存在：{'、'.join(missing)}（请先用 flask bank import 导入）", code="unknown_bank")
    check_pools(list(spec.round.draw), candidate_pools(list(spec.round.draw), today))


def load_contest(data: dict, now: datetime) -> tuple[Contest, bool]:
    """Create or update a contest from its definition (CONTRACT §4); idempotent."""
    spec = parse_contest_definition(data, now=now)
    begin_write(db.session)
    _check_banks(spec, local_day(now, spec.timezone))
    contest = db.session.execute(db.select(Contest).filter_by(slug=spec.slug)).scalar_one_or_none()
    created = contest is None
    if created:
        contest = Contest(slug=spec.slug)
        db.session.add(contest)
    _apply_spec(contest, spec)
    db.session.commit()
    return contest, created


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
        "prizes": [dict(p) for p in contest.prizes],
        "consent_text": contest.consent_text or DEFAULT_CONSENT_TEXT,
    }
