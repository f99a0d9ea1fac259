"""Request-side helpers shared by the API and the pages: the clock and randomness."""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
from datetime import datetime

from flask import current_app, request

from ..domain.addresses import choose_base_url
from ..models import utcnow


def now() -> datetime:
    """The server's clock; tests inject `CLOCK` to move time exactly."""
    clock = current_app.config.get("CLOCK") or utcnow
    return clock()


def rng() -> random.Random:
    """Randomness for drawing papers; tests inject `RNG_FACTORY` for repeatable papers."""
    factory = current_app.config.get("RNG_FACTORY")
    if factory:
        return factory()
    # A fresh generator per request seeded with 128 bits from the OS: as unpredictable as
    # SystemRandom for a paper, without a system call for every shuffle and id.
    return random.Random(secrets.randbits(128))


def public_base_url() -> str:
    """Where QR codes and short URLs point: PUBLIC_BASE_URL, else the scheme and host of this request
    (right behind a proxy only with TRUSTED_PROXIES set, see create_app)."""
    return choose_base_url(current_app.config.get("PUBLIC_BASE_URL"), request.host_url)


def client_hash() -> str:
    """A keyed digest of the caller's address and browser: lets us spot one device registering many
    phones without storing either (the key makes it irreversible over the small IPv4 space)."""
    raw = f"{request.remote_addr}|{request.headers.get('User-Agent', '')}".encode()
    return hmac.new(current_app.secret_key.encode(), raw, hashlib.sha256).hexdigest()[:32]


def leaderboard_ttl() -> float:
    """Seconds a process may reuse a leaderboard (0 in tests)."""
    return float(current_app.config["LEADERBOARD_CACHE_SECONDS"])


def pool_ttl() -> float:
    """Seconds a process may reuse candidate question pools (0 in tests)."""
    return float(current_app.config["POOL_CACHE_SECONDS"])
