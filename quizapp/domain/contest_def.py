"""Parsing and validation of a contest definition (CONTRACT §4) into frozen dataclasses.

Extensions to §4: a rule's `bank` may be a list of bank names; `starts_at`/`ends_at` may be relative
(`today+31d-1s`); `round.reviewed_only` (boolean, default false) draws only questions marked 已审核; `regions` may be a mapping
盟市 → list of 旗县区 (`{"通辽市": ["奈曼旗"], "呼和浩特市": []}`), stored flat as `通辽市/奈曼旗`."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from quizapp.domain.consent import DEFAULT_CONSENT_TEXT
from quizapp.domain.errors import ValidationError
from quizapp.domain.flags import FlagSettings
from quizapp.domain.paper import DrawRule
from quizapp.domain.regions import read_definition as read_regions
from quizapp.domain.timing import parse_moment, zone

DEFAULT_TIMEZONE = "Asia/Shanghai"
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
TEXT_MAX = 32
TITLE_MAX = 200
DEFAULT_PASS_SHARE = 0.6

TYPE_NAMES = {
    "single": "single", "单选": "single", "单选题": "single",
    "multiple": "multiple", "多选": "multiple", "多选题": "multiple",
    "judge": "judge", "判断": "judge", "判断题": "judge",
}  # fmt: skip
PARTIALS = ("none", "proportional")

TOP_KEYS = frozenset({
    "slug", "title", "starts_at", "ends_at", "timezone", "description", "consent_text", "regions", "round",
    "prizes", "flags", "organizer", "contact", "publicity_days", "objection_contact", "retention_days",
})
ROUND_KEYS = frozenset(
    {"time_limit_seconds", "attempts_per_day", "max_attempts", "pass_score", "grace_seconds", "draw", "reviewed_only"}
)
RULE_KEYS = frozenset({"bank", "type", "count", "points", "category", "partial"})
PRIZE_KEYS = frozenset({"tier", "name", "count", "reserve"})
PUBLICITY_DAYS_MAX = 60
RETENTION_DAYS_MAX = 3650
FLAG_KEYS = frozenset({"min_seconds_per_question", "max_phones_per_client", "client_window_minutes", "burst_seconds"})



@dataclass(frozen=True)
class PrizeSpec:
    """One prize tier: its rank (1 = first prize), name and how many winners."""

    tier: int
    name: str
    count: int
    reserve: int = 0  # 候补: drawn after every winner, for prizes not claimed in the 公示 period


@dataclass(frozen=True)
class RoundSpec:
    """How a paper is drawn and taken: time limit, attempt allowances, pass mark, draw rules."""

    time_limit_seconds: int
    attempts_per_day: int
    max_attempts: int
    pass_score: float
    grace_seconds: int
    draw: tuple[DrawRule, ...]
    reviewed_only: bool = False

    @property
    def max_score(self) -> float:
        """The most points a paper can give: the sum of count × points."""
        return _max_score(self.draw)

    @property
    def question_count(self) -> int:
        """How many questions a paper has."""
        return sum(rule.count for rule in self.draw)


@dataclass(frozen=True)
class PublicInfo:
    """Who runs the contest, as posters and the winners' notice name them, and the 公示 period."""

    organizer: str = ""  # 主办单位
    contact: str = ""  # a contact line for the public (phone, office)
    publicity_days: int = 7  # how long the winners' notice stands for objections
    objection_contact: str = ""  # where objections go; empty: the contact line
    retention_days: int = 180  # names and phones are anonymised this many days after the end


@dataclass(frozen=True)
class ContestSpec:
    """A validated contest definition; times are aware UTC datetimes."""

    slug: str
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    description: str
    consent_text: str
    regions: tuple[str, ...]
    round: RoundSpec
    prizes: tuple[PrizeSpec, ...]
    flags: FlagSettings = FlagSettings()
    public: PublicInfo = field(default_factory=PublicInfo)


def _max_score(rules: tuple[DrawRule, ...]) -> float:
    """Sum of count × points, rounded so that 0.1-style points do not leave float noise."""
    return round(sum(rule.count * rule.points for rule in rules), 2)


def _path(prefix: str, key: Any) -> str:
    """Join a path prefix and a key: round + draw -> round.draw."""
    return f"{prefix}.{key}" if prefix else str(key)


class _Reader:
    """Reads typed fields out of mappings, collecting every error by path instead of stopping."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, path: str, reason: str) -> None:
        """Record an error; the first reason for a path wins."""
        self.errors.setdefault(path, reason)

    def mapping(self, value: Any, path: str, allowed: frozenset[str]) -> Mapping | None:
        """Check that value is an object and refuse keys outside `allowed`."""
        if not isinstance(value, Mapping):
            self.fail(path or "definition", "必须是一个对象")
            return None
        for key in value:
            if key not in allowed:
                self.fail(_path(path, key), "未知字段")
        return value

    def integer(self, obj: Mapping, key: str, prefix: str, default: int | None, low: int) -> int:
        """Read an integer ≥ low; booleans are refused even though Python treats them as ints."""
        value = obj.get(key)
        path = _path(prefix, key)
        if value is None:
            if default is None:
                self.fail(path, "必填")
                return low
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, "必须是整数")
            return low
        if value < low:
            self.fail(path, f"不能小于 {low}")
            return low
        return value

    def number(self, obj: Mapping, key: str, prefix: str) -> float | None:
        """Read a finite number, or None when absent; booleans are refused."""
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.fail(_path(prefix, key), "必须是数字")
            return None
        return float(value)

    def text(self, obj: Mapping, key: str, prefix: str, required: bool, limit: int = 0) -> str:
        """Read a trimmed string; `limit` 0 means no length limit."""
        value = obj.get(key)
        path = _path(prefix, key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(path, "必填")
            return ""
        if not isinstance(value, str):
            self.fail(path, "必须是字符串")
            return ""
        if limit and len(value.strip()) > limit:
            self.fail(path, f"不能超过 {limit} 个字符")
        return value.strip()


def parse_contest_definition(data: Mapping, now: datetime) -> ContestSpec:
    """Validate a contest definition; raise one ValidationError listing every problem by path."""
    reader = _Reader()
    top = reader.mapping(data, "", TOP_KEYS)
    if top is None:
        raise ValidationError(reader.errors)
    slug = reader.text(top, "slug", "", required=True)
    if slug and not SLUG_PATTERN.fullmatch(slug):
        reader.fail("slug", "只能使用小写字母、数字和连字符，2–64 个字符，且不能以连字符开头")
    title = reader.text(top, "title", "", required=True, limit=TITLE_MAX)
    tz_name = _read_timezone(reader, top)
    starts_at, ends_at = _read_window(reader, top, tz_name, now)
    regions = _read_regions(reader, top.get("regions"))
    round_spec = _read_round(reader, top.get("round"))
    prizes = _read_prizes(reader, top.get("prizes"))
    flags = _read_flags(reader, top.get("flags"))
    public = _read_public(reader, top)
    description = reader.text(top, "description", "", required=False)
    consent_text = reader.text(top, "consent_text", "", required=False) or DEFAULT_CONSENT_TEXT
    if reader.errors or round_spec is None or starts_at is None or ends_at is None:
        raise ValidationError(reader.errors)
    return ContestSpec(
        slug=slug, title=title, starts_at=starts_at, ends_at=ends_at, timezone=tz_name,
        description=description, consent_text=consent_text, regions=regions,
        round=round_spec, prizes=prizes, flags=flags, public=public,
    )  # fmt: skip


def _read_public(reader: _Reader, top: Mapping) -> PublicInfo:
    """Read the optional organizer, contact line, 公示 period (1–60 days), objection contact and the
    retention period of personal data (1–3650 days after the end)."""
    days = reader.integer(top, "publicity_days", "", PublicInfo.publicity_days, 1)
    if days > PUBLICITY_DAYS_MAX:
        reader.fail("publicity_days", f"不能大于 {PUBLICITY_DAYS_MAX}")
    keep = reader.integer(top, "retention_days", "", PublicInfo.retention_days, 1)
    if keep > RETENTION_DAYS_MAX:
        reader.fail("retention_days", f"不能大于 {RETENTION_DAYS_MAX}")
    return PublicInfo(organizer=reader.text(top, "organizer", "", required=False, limit=100),
                      contact=reader.text(top, "contact", "", required=False, limit=200),
                      publicity_days=days, retention_days=keep,
                      objection_contact=reader.text(top, "objection_contact", "", required=False, limit=200))


def _read_timezone(reader: _Reader, top: Mapping) -> str:
    """Return the contest's time zone name; an unknown zone is an error (default used meanwhile)."""
    tz_name = reader.text(top, "timezone", "", required=False) or DEFAULT_TIMEZONE
    try:
        zone(tz_name)
    except ValidationError as exc:
        reader.errors.update(exc.fields)
        return DEFAULT_TIMEZONE
    return tz_name


def _read_window(
    reader: _Reader, top: Mapping, tz_name: str, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """Parse starts_at and ends_at (absolute or relative) and check their order."""
    moments: dict[str, datetime | None] = {}
    for key in ("starts_at", "ends_at"):
        moments[key] = None
        value = top.get(key)
        if value is None:
            reader.fail(key, "必填")
            continue
        try:
            moments[key] = parse_moment(value, tz_name, now, field=key)
        except ValidationError as exc:
            reader.errors.update(exc.fields)
    starts_at, ends_at = moments["starts_at"], moments["ends_at"]
    if starts_at and ends_at and ends_at <= starts_at:
        reader.fail("ends_at", "结束时间必须晚于开始时间")
    return starts_at, ends_at


def _read_regions(reader: _Reader, value: Any) -> tuple[str, ...]:
    """Read the optional regions: a list of unique names, or (our extension) a mapping 盟市 → 旗县区
    list, flattened to `盟市/旗县区` strings (see domain/regions.py)."""
    regions, errors = read_regions(value)
    for path, reason in errors.items():
        reader.fail(path, reason)
    return regions


def _read_round(reader: _Reader, value: Any) -> RoundSpec | None:
    """Read the round: allowances with defaults, the draw rules, and the pass mark."""
    if value is None:
        reader.fail("round", "必填")
        return None
    obj = reader.mapping(value, "round", ROUND_KEYS)
    if obj is None:
        return None
    time_limit = reader.integer(obj, "time_limit_seconds", "round", 600, 1)
    per_day = reader.integer(obj, "attempts_per_day", "round", 3, 1)
    max_attempts = reader.integer(obj, "max_attempts", "round", 30, 1)
    grace = reader.integer(obj, "grace_seconds", "round", 5, 0)
    before = len(reader.errors)
    draw = _read_draw(reader, obj.get("draw"))
    # With a broken rule the sum is not the real maximum, so the pass mark is not compared.
    draw_ok = len(reader.errors) == before
    max_score = _max_score(draw)
    pass_score = reader.number(obj, "pass_score", "round")
    if pass_score is None:
        pass_score = round(max_score * DEFAULT_PASS_SHARE, 2)
    elif pass_score < 0:
        reader.fail("round.pass_score", "不能为负数")
    elif draw_ok and pass_score > max_score:
        reader.fail("round.pass_score", f"及格分 {pass_score:g} 超过了满分 {max_score:g}")
    reviewed_only = obj.get("reviewed_only", False)
    if not isinstance(reviewed_only, bool):
        reader.fail("round.reviewed_only", "必须是 true 或 false")
        reviewed_only = False
    return RoundSpec(time_limit, per_day, max_attempts, pass_score, grace, draw, reviewed_only)


def _read_draw(reader: _Reader, value: Any) -> tuple[DrawRule, ...]:
    """Read the non-empty list of draw rules."""
    if not isinstance(value, list) or not value:
        reader.fail("round.draw", "必填，且至少需要一条抽题规则")
        return ()
    rules = (_read_rule(reader, item, f"round.draw[{index}]") for index, item in enumerate(value))
    return tuple(rule for rule in rules if rule is not None)


def _read_rule(reader: _Reader, value: Any, path: str) -> DrawRule | None:
    """Read one draw rule; return None when it has errors."""
    obj = reader.mapping(value, path, RULE_KEYS)
    if obj is None:
        return None
    before = len(reader.errors)
    banks = _read_banks(reader, obj.get("bank"), _path(path, "bank"))
    raw_type = obj.get("type")
    kind = TYPE_NAMES.get(raw_type.strip().lower()) if isinstance(raw_type, str) else None
    if kind is None:
        reader.fail(_path(path, "type"), "必须是 single、multiple 或 judge（或 单选、多选、判断）")
    count = reader.integer(obj, "count", path, None, 1)
    points = reader.number(obj, "points", path)
    if points is None or points <= 0:
        reader.fail(_path(path, "points"), "必填，且必须是大于 0 的数字")
    category = reader.text(obj, "category", path, required=False) or None
    partial = "none" if obj.get("partial") is None else obj.get("partial")
    if partial not in PARTIALS:
        reader.fail(_path(path, "partial"), "必须是 none 或 proportional")
    elif partial == "proportional" and kind != "multiple":
        reader.fail(_path(path, "partial"), "只有多选题可以按比例给分")
    if len(reader.errors) > before or kind is None or points is None:
        return None
    return DrawRule(banks, kind, count, points, category, partial)


def _read_banks(reader: _Reader, value: Any, path: str) -> tuple[str, ...]:
    """Read `bank`: one bank name, or (our extension) a list of names."""
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names:
        reader.fail(path, "必填：题库名称，或题库名称列表")
        return ()
    if not all(isinstance(name, str) and name.strip() for name in names):
        reader.fail(path, "题库名称必须是非空字符串")
        return ()
    # dict.fromkeys drops repeats but keeps the order the organiser wrote.
    return tuple(dict.fromkeys(name.strip() for name in names))


def _read_prizes(reader: _Reader, value: Any) -> tuple[PrizeSpec, ...]:
    """Read the optional prize tiers: unique positive tiers, a name, count ≥ 1."""
    if value is None:
        return ()
    if not isinstance(value, list):
        reader.fail("prizes", "必须是列表")
        return ()
    prizes: list[PrizeSpec] = []
    for index, item in enumerate(value):
        path = f"prizes[{index}]"
        obj = reader.mapping(item, path, PRIZE_KEYS)
        if obj is None:
            continue
        before = len(reader.errors)
        tier = reader.integer(obj, "tier", path, None, 1)
        name = reader.text(obj, "name", path, required=True, limit=TEXT_MAX)
        count = reader.integer(obj, "count", path, None, 1)
        reserve = reader.integer(obj, "reserve", path, 0, 0)
        if len(reader.errors) > before:
            continue
        if tier in {prize.tier for prize in prizes}:
            reader.fail(_path(path, "tier"), f"奖项等级 {tier} 重复")
        else:
            prizes.append(PrizeSpec(tier, name, count, reserve))
    return tuple(sorted(prizes, key=lambda prize: prize.tier))


def _read_flags(reader: _Reader, value: Any) -> FlagSettings:
    """Read the optional cheat-flag thresholds; each defaults, and 0 turns its rule off."""
    defaults = FlagSettings()
    if value is None:
        return defaults
    obj = reader.mapping(value, "flags", FLAG_KEYS)
    if obj is None:
        return defaults
    seconds = {}
    for key in ("min_seconds_per_question", "burst_seconds"):
        number = reader.number(obj, key, "flags")
        if number is not None and number < 0:
            reader.fail(_path("flags", key), "不能为负数")
        seconds[key] = getattr(defaults, key) if number is None or number < 0 else number
    return FlagSettings(
        max_phones_per_client=reader.integer(obj, "max_phones_per_client", "flags", defaults.max_phones_per_client, 0),
        client_window_minutes=reader.integer(obj, "client_window_minutes", "flags", defaults.client_window_minutes, 1),
        **seconds,
    )
