"""Rules of a bank's upkeep: which changes need a new review, and what "retired" means."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .questions import QuestionSpec

# What a reviewer checks: the question as participants see it and its correct answer. Category,
# difficulty, tags and the validity date only file the question; changing them keeps the review.
REVIEW_FIELDS = ("type", "stem", "options", "answer", "explanation", "source")
PENDING = "pending"
REVIEWED = "reviewed"
REVIEW_NAMES = {PENDING: "待审核", REVIEWED: "已审核"}


def content_changed(old: QuestionSpec, new: QuestionSpec) -> bool:
    """Whether `new` differs from `old` in anything a reviewer approved."""
    return any(getattr(old, name) != getattr(new, name) for name in REVIEW_FIELDS)


def local_today(now: datetime, tz_name: str) -> date:
    """Today's date in the given time zone."""
    return now.astimezone(ZoneInfo(tz_name)).date()


def retire_date(now: datetime, tz_name: str) -> date:
    """The valid_until that retires a question at once: yesterday in the time zone (today is past it)."""
    return local_today(now, tz_name) - timedelta(days=1)


def is_retired(valid_until: date | None, today: date) -> bool:
    """A question past its validity date is retired: never drawn into a paper."""
    return valid_until is not None and valid_until < today
