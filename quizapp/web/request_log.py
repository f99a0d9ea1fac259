"""One log line and one metrics observation per request, under a request id.

The line names the route template ("/c/<slug>/play"), never the raw path or the query string: those
can hold a phone number, an attempt id or a console search. The id comes from X-Request-Id when a
trusted proxy set it (TRUSTED_PROXIES > 0), else it is made here; it is sent back in X-Request-Id and
shown on the 500 page, so that a participant can quote it to support.
"""

from __future__ import annotations

import logging
import re
import secrets
import time

from flask import Flask, current_app, g, has_request_context, request

from .. import metrics
from ..logs import configure_logging

log = logging.getLogger("quizapp.request")

REQUEST_ID_HEADER = "X-Request-Id"
# nginx's $request_id is 32 hex digits; allow other proxies' ids, but nothing that could forge a log line.
_INCOMING_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
UNMATCHED_ROUTE = "<unmatched>"
# A load balancer's liveness and readiness probes every few seconds would be most of the log; they are
# still counted, and logged when they fail.
UNLOGGED_ROUTES = frozenset({"/healthz", "/readyz"})


def _incoming_id() -> str | None:
    if int(current_app.config.get("TRUSTED_PROXIES") or 0) <= 0:
        return None  # a client could send any header; only a proxy we trust may name the request
    value = request.headers.get(REQUEST_ID_HEADER, "")
    return value if _INCOMING_ID.fullmatch(value) else None


def request_id() -> str | None:
    """The current request's id (made on first use), or None outside a request."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        g.request_id = _incoming_id() or secrets.token_hex(8)
    return g.request_id


def route_template() -> str:
    """The matched rule ("/api/v1/attempts/<attempt_id>"), or "<unmatched>" for a 404 or refused path."""
    rule = request.url_rule
    return rule.rule if rule is not None else UNMATCHED_ROUTE


def _start() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _finish(response):
    started = g.get("request_started")
    seconds = time.perf_counter() - started if started is not None else 0.0
    route = route_template()
    response.headers[REQUEST_ID_HEADER] = request_id()
    metrics.observe_request(route, request.method, response.status_code, seconds)
    if route in UNLOGGED_ROUTES and response.status_code < 400:
        return response
    duration_ms = round(seconds * 1000, 1)
    log.info("%s %s %d %.1fms", request.method, route, response.status_code, duration_ms,
             extra={"method": request.method, "route": route, "status": response.status_code,
                    "duration_ms": duration_ms})
    return response


def init_app(app: Flask) -> None:
    """Install the hooks first, so that a request refused by a later guard is still timed and logged."""
    configure_logging(app.config.get("LOG_FORMAT", "text"), request_id)
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
