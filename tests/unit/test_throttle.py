"""The sign-in throttle's window arithmetic, with injected time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quizapp.domain.throttle import ThrottleState, after_failure, is_blocked, retry_after_seconds

T = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def _fail(times: int, step: timedelta = timedelta(seconds=10)) -> ThrottleState:
    state = ThrottleState()
    for number in range(times):
        state = after_failure(state, T + step * number, WINDOW)
    return state


def test_the_window_opens_at_the_first_failure():
    state = _fail(3)
    assert state == ThrottleState(T, 3)


def test_blocked_at_the_limit_until_the_window_closes():
    state = _fail(10)
    assert not is_blocked(_fail(9), T + timedelta(minutes=2), 10, WINDOW)
    assert is_blocked(state, T + timedelta(minutes=2), 10, WINDOW)
    assert is_blocked(state, T + WINDOW - timedelta(seconds=1), 10, WINDOW)
    assert not is_blocked(state, T + WINDOW, 10, WINDOW)
    assert retry_after_seconds(state, T + timedelta(minutes=5), WINDOW) == 600


def test_a_failure_after_the_window_starts_a_new_count():
    state = after_failure(_fail(10), T + WINDOW, WINDOW)
    assert state == ThrottleState(T + WINDOW, 1)


def test_retry_after_is_at_least_one_second():
    assert retry_after_seconds(_fail(1), T + WINDOW + timedelta(hours=1), WINDOW) == 1
    assert retry_after_seconds(ThrottleState(), T, WINDOW) == 1
