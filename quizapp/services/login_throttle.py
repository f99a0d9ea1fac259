"""Failed sign-ins per username and per address, kept in the database so that every worker and
server counts the same failures."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..database import begin_write
from ..domain.errors import DomainError
from ..domain.throttle import ThrottleState, after_failure, is_blocked, retry_after_seconds
from ..extensions import db
from ..models import LoginThrottle

WINDOW = timedelta(minutes=15)


class LoginThrottled(DomainError):
    """Too many failed sign-ins: refused until the window closes, even with the right password."""

    code = "login_throttled"

    def __init__(self, retry_after: int):
        minutes = max(1, round(retry_after / 60))
        super().__init__(f"登录失败次数过多，请约 {minutes} 分钟后再试")
        self.retry_after = retry_after


@dataclass(frozen=True)
class ThrottleLimits:
    """Failures allowed in one window, per username and per address."""

    per_username: int = 10
    per_address: int = 100


def _keys(username: str, address: str) -> list[tuple[str, str]]:
    # Usernames are case-folded so that ADMIN and admin share one count; addresses are hashed
    # so that the table holds no raw IP.
    user_key = "user:" + (username or "").strip().casefold()[:90]
    addr_key = "addr:" + hashlib.sha256((address or "").encode()).hexdigest()[:32]
    return [(user_key, "per_username"), (addr_key, "per_address")]


def _state(key: str, for_update: bool = False) -> tuple[LoginThrottle | None, ThrottleState]:
    query = db.select(LoginThrottle).filter_by(key=key)
    row = db.session.execute(query.with_for_update() if for_update else query).scalar_one_or_none()
    return row, ThrottleState(row.window_start, row.failures) if row else ThrottleState()


def check(username: str, address: str, now: datetime, limits: ThrottleLimits) -> None:
    """Raise LoginThrottled when this username or address has used up its failures."""
    for key, limit_name in _keys(username, address):
        _, state = _state(key)
        if is_blocked(state, now, getattr(limits, limit_name), WINDOW):
            raise LoginThrottled(retry_after_seconds(state, now, WINDOW))


def record_failure(username: str, address: str, now: datetime) -> None:
    """Count one failure against the username and the address, in the caller's transaction."""
    begin_write(db.session)
    for key, _ in _keys(username, address):
        row, state = _state(key, for_update=True)
        state = after_failure(state, now, WINDOW)
        if row is None:
            db.session.add(LoginThrottle(key=key, window_start=state.window_start, failures=state.failures))
        else:
            row.window_start, row.failures = state.window_start, state.failures


def forget_username(username: str) -> None:
    """A good sign-in clears its username's count (never the address's), in the caller's transaction."""
    key = _keys(username, "")[0][0]
    db.session.execute(db.delete(LoginThrottle).where(LoginThrottle.key == key))
