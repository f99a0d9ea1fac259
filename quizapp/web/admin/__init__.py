"""The organizer console at /admin: sign-in, roles, and one module per area over the services."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import (  # noqa: E402,F401  (routes register on import)
    access,
    accounts,
    audit_log,
    auth,
    banks,
    channels,
    contest_preview,
    contests,
    draw,
    exports,
    filters,
    flags,
    home,
    insight,
    report,
)
