"""Cheat flags: suspicious attempts that stay out of the prize draw until an organizer clears them."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta

TOO_FAST = "too_fast"
MANY_PHONES = "many_phones"
BURST = "burst"

FLAG_LABELS = {
    TOO_FAST: "平均每题用时过短",
    MANY_PHONES: "同一设备短时间内登记多个手机号",
    BURST: "开始后极短时间内提交全部答案",
}


@dataclass(frozen=True)
class FlagSettings:
    """Per-contest thresholds; a 0 turns that rule off."""

    min_seconds_per_question: float = 2.0
    max_phones_per_client: int = 5
    client_window_minutes: int = 10
    burst_seconds: float = 1.0

    def as_dict(self) -> dict:
        """The settings as stored in Contest.flag_settings."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping | None) -> FlagSettings:
        """Settings from stored JSON; missing keys take the defaults, unknown keys are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in (data or {}).items() if key in known})


@dataclass(frozen=True)
class AttemptFacts:
    """What the rules look at for one finished attempt."""

    question_count: int
    duration_seconds: int
    started_at: datetime
    last_answer_at: datetime | None
    phones_from_client: int  # phones the same client registered around this participant's registration


def attempt_flags(facts: AttemptFacts, settings: FlagSettings) -> list[tuple[str, str]]:
    """The (kind, detail) flags an attempt deserves under the settings."""
    found = []
    per_question = facts.duration_seconds / max(facts.question_count, 1)
    if settings.min_seconds_per_question and per_question < settings.min_seconds_per_question:
        found.append((TOO_FAST, f"平均每题 {per_question:.1f} 秒（下限 {settings.min_seconds_per_question:g} 秒）"))
    if settings.max_phones_per_client and facts.phones_from_client > settings.max_phones_per_client:
        found.append((MANY_PHONES, f"同一设备 {settings.client_window_minutes} 分钟内登记了 "
                                   f"{facts.phones_from_client} 个手机号（上限 {settings.max_phones_per_client}）"))
    if settings.burst_seconds and facts.last_answer_at is not None:
        spread = (facts.last_answer_at - facts.started_at).total_seconds()
        if spread <= settings.burst_seconds:
            found.append((BURST, f"全部答案在开始后 {max(spread, 0):.1f} 秒内提交"))
    return found


def phones_near(sorted_times: Sequence[datetime], moment: datetime, window_minutes: int) -> int:
    """How many registrations (this one included) fall within the window either side of `moment`."""
    window = timedelta(minutes=window_minutes)
    return bisect_right(sorted_times, moment + window) - bisect_left(sorted_times, moment - window)
