"""Contest window, attempt deadlines and grace, and parsing of moments in contest definitions."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from quizapp.domain.errors import ValidationError

UPCOMING = "upcoming"
OPEN = "open"
CLOSED = "closed"

_RELATIVE = re.compile(r"^(today|now)((?:[+-]\d{1,6}[dhms])*)$")
_TERM = re.compile(r"([+-])(\d{1,6})([dhms])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def as_utc(dt: datetime) -> datetime:
    """Return `dt` as an aware UTC datetime; a naive value is taken to be UTC already."""
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def contest_status(starts_at: datetime, ends_at: datetime, now: datetime) -> str:
    """Say whether the contest is "upcoming", "open" (both ends inclusive) or "closed"."""
    moment = as_utc(now)
    if moment < as_utc(starts_at):
        return UPCOMING
    if moment > as_utc(ends_at):
        return CLOSED
    return OPEN


def attempt_deadline(started_at: datetime, time_limit_seconds: int, contest_ends_at: datetime) -> datetime:
    """Return when an attempt must end: start + limit, but never after the contest closes."""
    deadline = as_utc(started_at) + timedelta(seconds=time_limit_seconds)
    return min(deadline, as_utc(contest_ends_at))


def accepts_answer(deadline: datetime, grace_seconds: int, now: datetime) -> bool:
    """Tell whether an answer arriving at `now` still counts (deadline plus network grace)."""
    return as_utc(now) <= as_utc(deadline) + timedelta(seconds=grace_seconds)


def is_expired(deadline: datetime, grace_seconds: int, now: datetime) -> bool:
    """Tell whether the attempt no longer accepts answers."""
    return not accepts_answer(deadline, grace_seconds, now)


def local_day(moment: datetime, tz_name: str) -> date:
    """Return the calendar date of `moment` in the contest's time zone (for per-day limits)."""
    return as_utc(moment).astimezone(ZoneInfo(tz_name)).date()


def local_day_hour(moment: datetime, tz_name: str) -> tuple[date, int]:
    """Return the calendar date and the hour (0–23) of `moment` in the contest's time zone."""
    local = as_utc(moment).astimezone(ZoneInfo(tz_name))
    return local.date(), local.hour


def duration_seconds(started_at: datetime, finished_at: datetime) -> int:
    """Return whole seconds between two moments, rounded down and never negative."""
    delta = as_utc(finished_at) - as_utc(started_at)
    # Integer arithmetic on the timedelta avoids float rounding pushing 9.999999 up to 10.
    whole = delta.days * 86400 + delta.seconds
    return max(0, whole)


def zone(tz_name: str, field: str = "timezone") -> ZoneInfo:
    """Return the ZoneInfo for `tz_name`, raising ValidationError for an unknown zone."""
    if not isinstance(tz_name, str) or not tz_name.strip():
        raise ValidationError(field, "时区不能为空")
    try:
        return ZoneInfo(tz_name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(field, f"未知时区：{tz_name}") from None


def parse_moment(value: str, tz_name: str, now: datetime, *, field: str = "value") -> datetime:
    """Parse an ISO 8601 datetime with offset, or today/now followed by ±N d/h/m/s terms."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, "时间不能为空")
    text = value.strip()
    relative = _RELATIVE.match(text.lower().replace(" ", ""))
    if relative:
        return _relative_moment(relative, zone(tz_name), now)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            field, f"无法识别的时间：{text}（应为带时区的 ISO 8601 时间，或 today+30d 之类）"
        ) from None
    if parsed.tzinfo is None:
        # A bare local time is ambiguous between the server's and the contest's zone.
        raise ValidationError(field, f"时间缺少时区偏移：{text}（例如 2023-11-15T00:00:00+08:00）")
    return as_utc(parsed)


def _relative_moment(match: re.Match[str], tz: ZoneInfo, now: datetime) -> datetime:
    """Resolve today/now followed by any ±N d/h/m/s terms (`today+31d-1s`) in time zone `tz`."""
    anchor, terms = match.groups()
    days, clock = 0, timedelta()
    for sign, amount, unit in _TERM.findall(terms):
        value = int(amount) * (1 if sign == "+" else -1)
        if unit == "d" and anchor == "today":
            days += value  # whole calendar days, so today+30d is local midnight even across DST
        else:
            clock += timedelta(**{_UNITS[unit]: value})
    if anchor == "now":
        return as_utc(now) + timedelta(days=days) + clock
    local_date = as_utc(now).astimezone(tz).date() + timedelta(days=days)
    midnight = datetime(local_date.year, local_date.month, local_date.day, tzinfo=tz)
    return as_utc(midnight) + clock
