"""The per-token limit of a round's requests, counted in one storage call per limit.

Flask-Limiter's decorator resolves, parses and filters its limits again on every request; in an
answer save that cost more than the database work (issue 11's profile). This counts the same
RATELIMIT_PER_TOKEN, per token and endpoint, with Flask-Limiter's own strategy and storage: Redis, or
its in-memory fallback while Redis is away (one warning, shared with Flask-Limiter's own state). A
breach is the same 429 with Retry-After (web/admission.py)."""

from __future__ import annotations

import functools
import logging
import math
import time

from flask import current_app, request
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import TooManyRequests

from ..extensions import limiter
from .ratelimits import token_key

log = logging.getLogger("flask-limiter")

# After Redis failed: how long until the storage is tried again, doubling up to the maximum.
FIRST_RECHECK_SECONDS, MAX_RECHECK_SECONDS = 1.0, 60.0
_STATE = "quizapp.token_limit"  # app.extensions key: {"recheck_at": monotonic, "interval": seconds}


@functools.lru_cache(maxsize=16)
def _limits(spec: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(spec))


def token_limited(view):
    """Decorator: refuse (429) a token's request beyond RATELIMIT_PER_TOKEN for this endpoint."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if limiter.enabled:
            count_request(token_key(), request.endpoint or "")
        return view(*args, **kwargs)

    return wrapper


def count_request(key: str, endpoint: str) -> None:
    """Count one request of `key` at `endpoint` against each configured limit; TooManyRequests if over."""
    for item in _limits(current_app.config["RATELIMIT_PER_TOKEN"]):
        if not _hit(item, key, endpoint):
            raise TooManyRequests(retry_after=_wait_seconds(item, key, endpoint))


def _hit(item: RateLimitItem, *identifiers: str) -> bool:
    _maybe_recover()
    try:
        return limiter.limiter.hit(item, "token", *identifiers)
    except Exception:  # noqa: BLE001  (an unreachable Redis must never cost the round)
        if limiter._storage_dead or not current_app.config.get("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"):
            return True
        log.warning("Rate limit storage unreachable - falling back to in-memory storage")
        limiter._storage_dead = True
        _state()["recheck_at"] = time.monotonic() + FIRST_RECHECK_SECONDS
        return limiter.limiter.hit(item, "token", *identifiers)


def _maybe_recover() -> None:
    """While on the fallback, try the real storage again now and then (backing off while it stays away)."""
    if not limiter._storage_dead:
        return
    state = _state()
    if time.monotonic() < state.get("recheck_at", 0.0):
        return
    try:
        recovered = bool(limiter.storage.check())
    except Exception:  # noqa: BLE001
        recovered = False
    interval = min(state.get("interval", FIRST_RECHECK_SECONDS) * 2, MAX_RECHECK_SECONDS)
    state.update(recheck_at=time.monotonic() + interval, interval=interval)
    if recovered:
        log.info("Rate limit storage recovered")
        limiter._storage_dead = False
        state.pop("interval", None)


def _state() -> dict:
    return current_app.extensions.setdefault(_STATE, {})


def _wait_seconds(item: RateLimitItem, *identifiers: str) -> int:
    """Whole seconds until the breached window resets (at least one)."""
    try:
        reset, _remaining = limiter.limiter.get_window_stats(item, "token", *identifiers)
        return max(1, math.ceil(reset - time.time()))
    except Exception:  # noqa: BLE001  (a 429 stays a 429 when the storage fails meanwhile)
        return 1
