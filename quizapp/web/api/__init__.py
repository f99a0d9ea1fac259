"""JSON API v1 for participants (CONTRACT §1)."""

from flask import Blueprint

from ...extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies, authenticate the API: no CSRF exposure

from . import account, attempts, contests, openapi  # noqa: E402,F401  (routes register on import)
