"""Cheat flags: suspicious attempts that stay out of the prize draw until an organizer clears them.

A reviewer resolves a flag either way, always with a reason: cleared (解除: the person is back in
the draw, unless another flag still holds them) or upheld (维持: they stay out). A flag that is not
cleared, whether unresolved or upheld, keeps its participant out of the draw.
"""

from __future__ import annotations

import ipaddress
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta

from .errors import ValidationError

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


UNRESOLVED, CLEARED, UPHELD = "unresolved", "cleared", "upheld"
STATE_LABELS = {UNRESOLVED: "待审核", CLEARED: "已解除", UPHELD: "已维持"}
CLEAR, UPHOLD = "clear", "uphold"
ACTION_STATES = {CLEAR: CLEARED, UPHOLD: UPHELD}
ACTION_LABELS = {CLEAR: "解除标记（恢复抽奖资格）", UPHOLD: "维持标记（不参加抽奖）"}
REASON_MAX = 200


def flag_state(cleared_at: datetime | None, upheld_at: datetime | None) -> str:
    """unresolved, cleared or upheld; only `cleared` lets the person back into the draw."""
    if cleared_at is not None:
        return CLEARED
    return UPHELD if upheld_at is not None else UNRESOLVED


def review_decision(action: str, reason: str | None) -> tuple[str, str]:
    """The checked (action, reason) of a review: a known action and a reason of 1–200 characters."""
    problems = {}
    if action not in ACTION_STATES:
        problems["action"] = "请选择解除或维持标记"
    text = " ".join((reason or "").split())
    if not text:
        problems["reason"] = "请填写审核理由"
    elif len(text) > REASON_MAX:
        problems["reason"] = f"审核理由不能超过 {REASON_MAX} 个字（现有 {len(text)} 个）"
    if problems:
        raise ValidationError(problems)
    return action, text


@dataclass(frozen=True)
class AnswerTime:
    """When one question's answer was (last) saved, in question order."""

    number: int                 # 1-based position in the paper
    at_seconds: float | None    # seconds from the start of the attempt; None: never answered
    gap_seconds: float | None   # seconds since the save just before it (or the start): time spent on it


def answer_times(started_at: datetime, keys: Sequence[str], saved_at: Mapping[str, datetime]) -> list[AnswerTime]:
    """Seconds from the start to each answer's save, in the paper's question order, with the time spent."""
    offsets = {key: max((saved_at[key] - started_at).total_seconds(), 0.0) for key in keys if key in saved_at}
    ordered = sorted(offsets.values())
    times = []
    for number, key in enumerate(keys, start=1):
        if key not in offsets:
            times.append(AnswerTime(number, None, None))
            continue
        at = offsets[key]
        # Time spent is measured from the previous save in time, not in question order: people skip
        # back and forth, and a negative "time spent" would mislead a reviewer.
        before = bisect_left(ordered, at)
        previous = ordered[before - 1] if before else 0.0
        times.append(AnswerTime(number, round(at, 1), round(at - previous, 1)))
    return times


def mask_ip(address: str | None) -> str:
    """An address with its host part hidden: 203.0.113.* for IPv4, the first 48 bits for IPv6."""
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "—" if not address else "*"
    if parsed.version == 4:
        return ".".join(str(parsed).split(".")[:3]) + ".*"
    groups = parsed.exploded.split(":")[:3]
    return ":".join(group.lstrip("0") or "0" for group in groups) + ":*"


def short_device(client_hash: str | None) -> str:
    """The first 8 characters of a device digest: enough to tell devices apart on a page."""
    return client_hash[:8] if client_hash else ""
