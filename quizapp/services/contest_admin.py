"""The console's contests area: the list, a contest's definition as JSON, saving the form or an
uploaded file through `save_contest` (the same save as `flask contest load`), and pool sizes."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import func

from ..domain.consent import DEFAULT_CONSENT_TEXT
from ..domain.contest_def import DEFAULT_TIMEZONE, parse_contest_definition
from ..domain.contest_form import FormDefinition, definition_from_form, form_errors
from ..domain.errors import DomainError, ValidationError
from ..domain.flags import FlagSettings
from ..domain.paper import TYPES, DrawRule
from ..domain.permissions import EVERYWHERE, RegionScope
from ..domain.regions import as_definition
from ..domain.timing import contest_status, local_day, parse_moment
from ..extensions import db
from ..models import Bank, Contest, Participant, Question
from .contests import SaveResult, candidate_pools, iso_local, max_score, question_count, save_contest
from .scope import within_scope

STATUS_NAMES = {"upcoming": "未开始", "open": "进行中", "closed": "已结束"}
DEFINITION_MAX_BYTES = 1024 * 1024


def contest_rows(now: datetime, scope: RegionScope = EVERYWHERE) -> list[dict]:
    """Every contest, newest window first, with its status and the participants and finished attempts
    inside the account's region scope."""
    participants = {contest_id: count for contest_id, count in db.session.execute(within_scope(
        db.select(Participant.contest_id, func.count()), scope).group_by(Participant.contest_id))}
    # Finished attempts from the participants' running totals: no scan of a million attempts.
    finished = {contest_id: int(count) for contest_id, count in db.session.execute(within_scope(
        db.select(Participant.contest_id, func.coalesce(func.sum(Participant.finished_count), 0)), scope)
        .group_by(Participant.contest_id))}
    contests = db.session.execute(db.select(Contest).order_by(Contest.starts_at.desc(), Contest.slug)).scalars()
    rows = []
    for contest in contests:
        status = contest_status(contest.starts_at, contest.ends_at, now)
        rows.append({"contest": contest, "status": status, "status_name": STATUS_NAMES[status],
                     "participants": participants.get(contest.id, 0), "finished": finished.get(contest.id, 0),
                     "question_count": question_count(contest), "max_score": max_score(contest)})
    return rows


def _number(value: float) -> float | int:
    """5.0 as 5, so that a downloaded definition reads as the organizer wrote it."""
    return int(value) if float(value).is_integer() else value


def _rule(rule: dict) -> dict:
    banks = list(rule["banks"])
    data = {"bank": banks[0] if len(banks) == 1 else banks, "type": rule["type"], "count": rule["count"],
            "points": _number(rule["points"])}
    if rule.get("category"):
        data["category"] = rule["category"]
    if rule["type"] == "multiple":
        data["partial"] = rule.get("partial", "none")
    return data


def definition_of(contest: Contest) -> dict:
    """The contest as a definition (CONTRACT §4) that `flask contest load` and the upload accept again."""
    definition = {
        "slug": contest.slug, "title": contest.title,
        "starts_at": iso_local(contest.starts_at, contest.timezone),
        "ends_at": iso_local(contest.ends_at, contest.timezone),
        "timezone": contest.timezone, "description": contest.description or "",
    }
    # The default notice is left out, so that the contest keeps following it when it improves.
    if contest.consent_text and contest.consent_text != DEFAULT_CONSENT_TEXT:
        definition["consent_text"] = contest.consent_text
    # A hierarchical contest comes back as the mapping 盟市 → 旗县区 it was written as.
    definition["regions"] = as_definition(contest.regions)
    definition["round"] = {
        "time_limit_seconds": contest.time_limit_seconds, "attempts_per_day": contest.attempts_per_day,
        "max_attempts": contest.max_attempts, "pass_score": _number(contest.pass_score),
        "grace_seconds": contest.grace_seconds, "reviewed_only": bool(contest.reviewed_only),
        "draw": [_rule(rule) for rule in contest.draw_rules],
    }
    definition["prizes"] = [dict(prize) for prize in contest.prizes]
    definition["flags"] = FlagSettings.from_dict(contest.flag_settings).as_dict()
    for key in ("organizer", "contact", "objection_contact"):
        if getattr(contest, key):
            definition[key] = getattr(contest, key)
    definition["publicity_days"] = contest.publicity_days
    definition["retention_days"] = contest.retention_days
    return definition


def blank_definition(now: datetime) -> dict:
    """What the new-contest form starts with: a month from tomorrow and the usual round."""
    tz_name = DEFAULT_TIMEZONE
    window = {key: iso_local(parse_moment(value, tz_name, now), tz_name)
              for key, value in (("starts_at", "today+1d"), ("ends_at", "today+31d-1s"))}
    return {"timezone": tz_name, **window,
            "round": {"time_limit_seconds": 600, "attempts_per_day": 3, "max_attempts": 30, "grace_seconds": 5,
                      "draw": []}}


def _parse_errors(built: FormDefinition, now: datetime) -> dict[str, str]:
    try:
        parse_contest_definition(built.definition, now)
    except ValidationError as exc:
        return dict(exc.fields)
    return {}


def _shortages(built: FormDefinition, values: dict, now: datetime) -> dict[str, str]:
    """Rules asking for more than their own pool holds, so that they are named even while other
    fields still fail to parse (the full check, with rules sharing questions, runs on save)."""
    sizes = form_pool_sizes(values, now)
    errors = {}
    for index, row in enumerate(built.draw_rows):
        count = built.definition["round"]["draw"][index].get("count")
        if isinstance(count, int) and sizes[row] is not None and count > sizes[row]:
            errors[f"round.draw[{index}].count"] = f"题数不足：需要 {count} 道，可用 {sizes[row]} 道"
    return errors


def save_form(values: dict, now: datetime, actor: str, *, slug: str | None = None,
              confirmed: bool = False) -> SaveResult:
    """Save the contest form (a new contest unless `slug` names the one edited); errors by form field."""
    built = definition_from_form(values)
    if slug is not None:
        built.definition["slug"] = slug  # the slug of an existing contest is not editable
    fields = _parse_errors(built, now)
    if built.errors or fields:
        raise ValidationError(form_errors({**_shortages(built, values, now), **fields}, built))
    try:
        return save_contest(built.definition, now, actor, confirmed=confirmed, create_only=slug is None)
    except ValidationError as exc:
        raise ValidationError(form_errors(exc.fields, built)) from None


def read_definition(raw: bytes, name: str) -> dict:
    """A definition file's JSON object; a DomainError names the file and what is wrong with it."""
    if len(raw) > DEFINITION_MAX_BYTES:
        raise DomainError(f"{name} 超过 1 MB，不像是竞赛定义文件", code="validation_error")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise DomainError(f"{name} 不是有效的 UTF-8 JSON：{exc}", code="validation_error") from None
    if not isinstance(data, dict):
        raise DomainError(f"{name} 应是一个 JSON 对象（以 {{ 开头的竞赛定义）", code="validation_error")
    return data


def bank_names() -> list[str]:
    """Every bank's name, for the rule table's bank choices."""
    return list(db.session.execute(db.select(Bank.name).order_by(Bank.name)).scalars())


def categories() -> list[str]:
    """Every category in use, offered while typing a rule's category."""
    return list(db.session.execute(
        db.select(Question.category).where(Question.category != "").distinct().order_by(Question.category)).scalars())


def pool_size(banks: list[str], kind: str, category: str | None, reviewed_only: bool, today: date) -> int | None:
    """How many questions one rule could draw from (None until its banks and type are chosen)."""
    banks = [name for name in banks if name]
    if not banks or kind not in TYPES:
        return None
    rule = DrawRule(banks=tuple(dict.fromkeys(banks)), type=kind, count=0, points=0, category=category or None)
    return len(candidate_pools([rule], today, reviewed_only=reviewed_only)[0])


def day_in(now: datetime, tz_name: str | None) -> date:
    """Today in the zone typed into the form (which retired questions are still drawn depends on it)."""
    try:
        return local_day(now, (tz_name or "").strip() or DEFAULT_TIMEZONE)
    except (KeyError, ValueError):  # an unknown zone, which the form reports itself
        return local_day(now, DEFAULT_TIMEZONE)


def form_pool_sizes(values: dict, now: datetime) -> list[int | None]:
    """The pool size of each rule row of the form, as the live counts show them."""
    today = day_in(now, values.get("timezone"))
    reviewed_only = bool(values.get("reviewed_only"))
    return [pool_size(list(row.get("bank") or []), row.get("type") or "", (row.get("category") or "").strip(),
                      reviewed_only, today) for row in values.get("draw") or []]

