"""Rate-limit keys and limits shared by the API and the pages: per phone and per token first, and a
high per-address ceiling so that a whole school on one Wi-Fi gets through."""

from __future__ import annotations

import hashlib

from flask import current_app, request

from ..domain.participants import normalize_phone


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
