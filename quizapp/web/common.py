"""Request-side helpers shared by the API and the pages: the clock and randomness."""

from __future__ import annotations

import hashlib
import hmac
import random
import re
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


# A device id is random and ours (a cookie we set, or an API client's own id), never derived from
# the address or the browser: 40 students on one school Wi-Fi with the same phone model are 40 devices.
DEVICE_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")
CLIENT_ID_HEADER = "X-Client-Id"


def valid_device_id(value: str | None) -> str | None:
    """`value` if it is a well-formed device id (8–64 of A–Z a–z 0–9 _ -), else None."""
    return value if isinstance(value, str) and DEVICE_ID_PATTERN.fullmatch(value) else None


def api_client_id() -> str | None:
    """The API caller's stable client id from the X-Client-Id header; a malformed one is ignored."""
    return valid_device_id(request.headers.get(CLIENT_ID_HEADER, "").strip())


def client_hash(device_id: str | None) -> str | None:
    """A keyed digest of a device id (None without one): counts phones per device without storing the id."""
    if not device_id:
        return None  # no evidence: such registrations are never counted as one device
    key = current_app.secret_key
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, b"device:" + device_id.encode(), hashlib.sha256).hexdigest()


def client_ip() -> str | None:
    """The caller's address (ProxyFix applies TRUSTED_PROXIES): evidence for a reviewer, never a rule."""
    return (request.remote_addr or "")[:45] or None


def pool_ttl() -> float:
    """Seconds a process may reuse candidate question pools (0 in tests)."""
    return float(current_app.config["POOL_CACHE_SECONDS"])
