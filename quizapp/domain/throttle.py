"""Counting failed sign-ins in a window that opens at the first failure (plain numbers, injected time)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottleState:
    """Failures counted since `window_start` (None: nothing counted yet)."""

    window_start: datetime | None = None
    failures: int = 0


def _window_open(state: ThrottleState, now: datetime, window: timedelta) -> bool:
    return state.window_start is not None and now - state.window_start < window


def is_blocked(state: ThrottleState, now: datetime, limit: int, window: timedelta) -> bool:
    """True once `limit` failures fall in the open window: every try is refused until it closes."""
    return _window_open(state, now, window) and state.failures >= limit


def after_failure(state: ThrottleState, now: datetime, window: timedelta) -> ThrottleState:
    """The state after one more failure: counted in the open window, or the first of a new one."""
    if _window_open(state, now, window):
        return ThrottleState(state.window_start, state.failures + 1)
    return ThrottleState(now, 1)


def retry_after_seconds(state: ThrottleState, now: datetime, window: timedelta) -> int:
    """Whole seconds until the window closes (at least 1)."""
    if state.window_start is None:
        return 1
    return max(1, math.ceil((state.window_start + window - now).total_seconds()))
