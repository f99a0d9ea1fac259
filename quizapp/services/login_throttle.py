"""Failed sign-ins per username and per address, counted where every worker and server sees the
same failures: in Redis when REDIS_URL is configured, else in the database. Redis unreachable
falls back to the database with one warning, never a refused or crashed sign-in."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ..database import begin_write
from ..domain.errors import DomainError
from ..domain.throttle import ThrottleState, after_failure, is_blocked, retry_after_seconds
from ..extensions import db
from ..models import LoginThrottle

WINDOW = timedelta(minutes=15)
log = logging.getLogger(__name__)


class LoginThrottled(DomainError):
    """Too many failed sign-ins: refused until the window closes, even with the right password."""

    code = "login_throttled"

    def __init__(self, retry_after: int):
        minutes = max(1, round(retry_after / 60))
        super().__init__(f"登录失败次数过多，请约 {minutes} 分钟后再试")
        self.retry_after = retry_after


class DatabaseCounter:
    """Counts in the login_throttle table, inside the caller's transaction."""

    def state(self, key: str) -> ThrottleState:
        """The failures counted for a key."""
        row = db.session.get(LoginThrottle, key)
        return ThrottleState(row.window_start, row.failures) if row else ThrottleState()

    def add_failure(self, key: str, now: datetime) -> None:
        """Count one failure (the row is locked, so parallel failures are all counted)."""
        begin_write(db.session)
        row = db.session.execute(db.select(LoginThrottle).filter_by(key=key).with_for_update()).scalar_one_or_none()
        state = after_failure(ThrottleState(row.window_start, row.failures) if row else ThrottleState(), now, WINDOW)
        if row is None:
            db.session.add(LoginThrottle(key=key, window_start=state.window_start, failures=state.failures))
        else:
            row.window_start, row.failures = state.window_start, state.failures

    def forget(self, key: str) -> None:
        """Drop a key's count."""
        db.session.execute(db.delete(LoginThrottle).where(LoginThrottle.key == key))


# One round trip: open a new window at the first failure (or after the old one closed), else count.
_ADD_FAILURE = """
local start = tonumber(redis.call('HGET', KEYS[1], 'start'))
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
if (not start) or now - start >= window then
  redis.call('HSET', KEYS[1], 'start', ARGV[1], 'failures', 1)
else
  redis.call('HINCRBY', KEYS[1], 'failures', 1)
end
redis.call('EXPIRE', KEYS[1], math.ceil(window) * 2)
return 1
"""


class RedisCounter:
    """Counts in Redis hashes; any Redis error is answered from the database instead."""

    def __init__(self, url: str, prefix: str = "quizapp:login:"):
        import redis

        self.client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        self.prefix = prefix
        self.fallback = DatabaseCounter()
        self.warned = False

    def _fall_back(self, exc: Exception) -> DatabaseCounter:
        if not self.warned:
            log.warning("login throttle: Redis unreachable (%s); counting in the database", type(exc).__name__)
            self.warned = True
        return self.fallback

    def state(self, key: str) -> ThrottleState:
        """The failures counted for a key."""
        try:
            values = self.client.hgetall(self.prefix + key)
        except Exception as exc:  # noqa: BLE001  (any Redis fault: the database answers)
            return self._fall_back(exc).state(key)
        if not values:
            return ThrottleState()
        start = datetime.fromtimestamp(float(values[b"start"]), UTC)
        return ThrottleState(start, int(values[b"failures"]))

    def add_failure(self, key: str, now: datetime) -> None:
        """Count one failure atomically."""
        try:
            self.client.eval(_ADD_FAILURE, 1, self.prefix + key, repr(now.timestamp()), WINDOW.total_seconds())
        except Exception as exc:  # noqa: BLE001
            self._fall_back(exc).add_failure(key, now)

    def forget(self, key: str) -> None:
        """Drop a key's count."""
        try:
            self.client.delete(self.prefix + key)
        except Exception as exc:  # noqa: BLE001
            self._fall_back(exc).forget(key)


@dataclass(frozen=True)
class ThrottleLimits:
    """Failures allowed in one window, per username and per address, and where they are counted."""

    per_username: int = 10
    per_address: int = 100
    counter: DatabaseCounter | RedisCounter = field(default_factory=DatabaseCounter)


def make_counter(redis_url: str | None) -> DatabaseCounter | RedisCounter:
    """Redis when configured, else the database."""
    return RedisCounter(redis_url) if redis_url else DatabaseCounter()


def _keys(username: str, address: str) -> list[tuple[str, str]]:
    # Usernames are case-folded so that ADMIN and admin share one count; addresses are hashed
    # so that no raw IP is stored.
    user_key = "user:" + (username or "").strip().casefold()[:90]
    addr_key = "addr:" + hashlib.sha256((address or "").encode()).hexdigest()[:32]
    return [(user_key, "per_username"), (addr_key, "per_address")]


def check(username: str, address: str, now: datetime, limits: ThrottleLimits) -> None:
    """Raise LoginThrottled when this username or address has used up its failures."""
    for key, limit_name in _keys(username, address):
        state = limits.counter.state(key)
        if is_blocked(state, now, getattr(limits, limit_name), WINDOW):
            raise LoginThrottled(retry_after_seconds(state, now, WINDOW))


def record_failure(username: str, address: str, now: datetime, limits: ThrottleLimits) -> None:
    """Count one failure against the username and the address."""
    for key, _ in _keys(username, address):
        limits.counter.add_failure(key, now)


def forget_username(username: str, limits: ThrottleLimits) -> None:
    """A good sign-in clears its username's count (never the address's)."""
    limits.counter.forget(_keys(username, "")[0][0])
