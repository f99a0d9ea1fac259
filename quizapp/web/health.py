"""A bare liveness endpoint for load balancers, and the benchmark's baseline."""

from flask import Blueprint

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Answer without touching the database."""
    return {"status": "ok"}
