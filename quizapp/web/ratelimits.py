"""Rate-limit keys and limits shared by the API and the pages: per phone and per token first, and a
high per-address ceiling so that a whole school on one Wi-Fi gets through."""

from __future__ import annotations

import hashlib

from flask import current_app, request

from ..domain.participants import normalize_phone
from ..extensions import limiter

# The cluster-wide admission budgets (issue 11): config key per kind of request.
ADMISSION_SETTINGS = {"register": "ADMISSION_REGISTER_PER_SECOND", "start": "ADMISSION_START_PER_SECOND"}


def phone_key() -> str:
    """Registration key: the normalised phone of the JSON body or the form, else the client address."""
    data = request.get_json(force=True, silent=True) if request.is_json else request.form
    raw = data.get("phone") if hasattr(data, "get") else None
    phone = normalize_phone(raw) if isinstance(raw, str) else None
    return f"phone:{phone}" if phone else f"ip:{request.remote_addr}"


def token_key() -> str:
    """A digest of the bearer token (never the token itself), else the client address."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    return "token:" + hashlib.sha256(token.encode()).hexdigest()[:24] if token else f"ip:{request.remote_addr}"


def per_phone() -> str:
    """Configured per-phone limit."""
    return current_app.config["RATELIMIT_PER_PHONE"]


def per_token() -> str:
    """Configured per-token limit."""
    return current_app.config["RATELIMIT_PER_TOKEN"]


def per_ip() -> str:
    """Configured per-address ceiling."""
    return current_app.config["RATELIMIT_PER_IP"]


def admission_per_second(kind: str) -> int:
    """The configured budget of `kind` ("register" or "start") per second; 0 means no budget."""
    try:
        return max(int(current_app.config.get(ADMISSION_SETTINGS[kind]) or 0), 0)
    except (TypeError, ValueError):
        return 0


def admission_scope(kind: str) -> str:
    """The Flask-Limiter scope of a budget; a breach of it is a crowd, not one client's excess."""
    return f"admission-{kind}"


def admission_budget(kind: str):
    """Decorator: count the request against the one per-second budget that every client and every
    server shares (the key is a constant), so the database sees at most that many per second."""
    return limiter.shared_limit(
        # "1 per second" stands in while the budget is off: the limit string must parse, but is exempt.
        lambda: f"{max(admission_per_second(kind), 1)} per second",
        scope=admission_scope(kind),
        key_func=lambda: f"admission:{kind}",
        exempt_when=lambda: admission_per_second(kind) <= 0,
    )
