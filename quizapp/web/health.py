"""Probes for load balancers: /healthz (liveness, the benchmark's baseline) and /readyz (readiness).

/healthz touches nothing, so a slow database never makes an orchestrator restart a healthy process.
/readyz asks the database (and Redis when configured) whether this server can take participants now;
a balancer takes the server out of rotation on its 503 and back in when it answers 200 again.
"""

from __future__ import annotations

import logging
import os

from flask import Blueprint, current_app
from sqlalchemy import exc as sa_exc

from ..extensions import db, limiter
from .errors import retry_after_seconds

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 0.5  # a probe that waits longer than the balancer's own timeout helps no one
STATEMENT_TIMEOUT_MS = 1000


@bp.get("/healthz")
def healthz():
    """Answer without touching the database."""
    return {"status": "ok"}


def _sqlite_file_read_only(url) -> bool:
    database = url.database or ""
    if url.query.get("mode") == "ro":
        return True
    path = database.removeprefix("file:").split("?", 1)[0]
    if not path or path == ":memory:" or not os.path.exists(path):
        return False
    return not os.access(path, os.W_OK)


def _read_only(conn) -> bool:
    if conn.dialect.name == "sqlite":
        return bool(conn.exec_driver_sql("PRAGMA query_only").scalar()) or _sqlite_file_read_only(conn.engine.url)
    if conn.dialect.name == "postgresql":
        # On a hot standby and under default_transaction_read_only alike.
        return conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "on"
    return False


def database_state() -> str:
    """"ok", "read_only" or "error" for the app's database, asked over one pooled connection."""
    try:
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
            conn.exec_driver_sql("SELECT 1").scalar()
            return "read_only" if _read_only(conn) else "ok"
    except sa_exc.SQLAlchemyError as exc:
        log.warning("readiness: database check failed: %s", type(exc).__name__)
        return "error"


def _redis_client(url: str):
    import redis

    # Kept per app so that the probe reuses one connection instead of opening one every few seconds.
    clients = current_app.extensions.setdefault("readyz_redis", {})
    if url not in clients:
        clients[url] = redis.Redis.from_url(url, socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
                                            socket_timeout=PROBE_TIMEOUT_SECONDS)
    return clients[url]


def redis_state() -> str:
    """"ok", "error", or "not_configured" when REDIS_URL is empty."""
    url = current_app.config.get("REDIS_URL") or ""
    if not url:
        return "not_configured"
    import redis

    try:
        _redis_client(url).ping()
    except (redis.RedisError, OSError, ValueError) as exc:
        log.warning("readiness: redis check failed: %s", type(exc).__name__)
        return "error"
    return "ok"


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """200 when the database (writable) and Redis (if configured) answer; else 503 naming the failed check."""
    checks = {"database": database_state(), "redis": redis_state()}
    ready = all(state in ("ok", "not_configured") for state in checks.values())
    headers = {"Cache-Control": "no-store"}
    if not ready:
        headers["Retry-After"] = str(retry_after_seconds())
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return body, 200 if ready else 503, headers
