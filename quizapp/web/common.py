"""Request-side helpers shared by the API and the pages: the clock and randomness."""

from __future__ import annotations

import random
import secrets
from datetime import datetime

from flask import current_app

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


def pool_ttl() -> float:
    """Seconds a process may reuse candidate question pools (0 in tests)."""
    return float(current_app.config["POOL_CACHE_SECONDS"])
