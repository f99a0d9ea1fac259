"""The device cookie: a random first-party id (`qz_device`) that the many-phones rule counts.

Why a cookie and not the address and browser: a school's 40 students on one Wi-Fi, all with the
same phone model, share both, and would all be flagged. The cookie is set on the first personal HTML
page of the public blueprint a browser gets (the landing page with the registration form at the
latest); the registration form then sends it back. Only a keyed
digest of it is stored (web/common.client_hash). A browser that refuses cookies registers with no
device at all, which is never counted as one device.
"""

from __future__ import annotations

import re
import secrets

from flask import current_app, g, request

from ..common import valid_device_id
from . import bp

DEVICE_COOKIE = "qz_device"
# Stricter than the API header: our own ids are 22 characters of token_urlsafe(16).
DEVICE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
DEVICE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers still honour


def device_id() -> str | None:
    """This browser's device id from its cookie, or None (absent or malformed)."""
    value = valid_device_id(request.cookies.get(DEVICE_COOKIE))
    return value if value and DEVICE_PATTERN.fullmatch(value) else None


@bp.after_request
def set_device_cookie(response):
    """Give a browser without a (well-formed) device cookie a fresh random one on a personal HTML page."""
    # Only on pages no cache may keep (the landing page with its form, registration, the round, a short
    # link): a shared cache must never hand one device id to many people, and the public pages
    # (leaderboard, winners, poster) stay cacheable.
    personal = g.get("personal") or request.method != "GET"
    if response.mimetype != "text/html" or not personal or device_id() is not None:
        return response
    response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(16), max_age=DEVICE_MAX_AGE, httponly=True,
                        samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response
