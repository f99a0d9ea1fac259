"""Launch-spike admission (issue 11): an honest Retry-After on every 429 and 503, and the 排队中
waiting screen for a participant turned away by the cluster-wide budget or a busy database.

The budgets themselves are Flask-Limiter shared limits (ratelimits.admission_budget); this module
decides how long to wait and what the participant sees meanwhile. Everything that is not a
participant page (the API, the console, JSON paths) goes on to errors.handle_http_error unchanged.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

from flask import Flask, g, make_response, render_template, request, request_finished, url_for
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from limits.strategies import FixedWindowRateLimiter

from ..extensions import limiter
from ..services import contests
from . import errors
from .common import now
from .public.forms import RegistrationForm
from .ratelimits import ADMISSION_SETTINGS, admission_scope
from .request_log import request_id
from .security import mark_personal

# The budget is per second, so a longer wait only leaves capacity idle; 5 s spreads a deep queue.
MAX_ADMISSION_WAIT = 5
# A 503 or a bare 429 that names no wait: come back soon, the screen counts down.
DEFAULT_WAIT = 5
# Participant forms have a handful of fields; a repost never carries more than this.
ECHO_LIMIT = 64
# Fields the waiting screen manages itself instead of echoing.
OWN_FIELDS = ("csrf_token", "retry_count")


def init_app(app: Flask) -> None:
    """Register the 429 and 503 handlers and the final Retry-After fix-up."""
    # By status code, these win over errors.py's generic HTTPException handler.
    app.register_error_handler(429, handle_busy)
    app.register_error_handler(503, handle_busy)
    request_finished.connect(_final_retry_after, app)


def handle_busy(exc):
    """A 429 or 503: the waiting screen on a participant page, else the usual envelope or page."""
    wait = wait_seconds(exc)
    if wait is not None:
        g.admission_retry_after = wait
    if _is_crowd(exc) and wait is not None:
        # handle_http_error takes the message of the exception; say why, and for how long.
        exc.zh_message = _("参加的人很多，正在排队，请 %(n)s 秒后再试", n=wait)
    mode = waiting_mode(exc)
    response = errors.handle_http_error(exc) if mode is None else _waiting_screen(exc, mode, wait)
    if wait is not None:
        response.headers["Retry-After"] = str(wait)
    return response


def wait_seconds(exc) -> int | None:
    """Whole seconds until a retry can succeed, rounded up; None when nothing says (errors.py then decides)."""
    if isinstance(exc, RateLimitExceeded):
        return _limiter_wait(exc)
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, datetime):
        moment = retry_after if retry_after.tzinfo else retry_after.replace(tzinfo=UTC)
        return max(1, math.ceil((moment - datetime.now(UTC)).total_seconds()))
    if isinstance(retry_after, int | float) and retry_after > 0:
        return math.ceil(retry_after)
    return None


def _limiter_wait(exc: RateLimitExceeded) -> int | None:
    """The breached limit's own reset time; for a budget, plus one second per budget already queued."""
    breached = limiter.current_limit
    if breached is None or not breached.breached:
        return None
    try:
        reset, _remaining = breached.window
        wait = max(1, math.ceil(reset - time.time()))
        if not _is_crowd(exc):
            return wait
        return min(wait + _queued_seconds(breached), MAX_ADMISSION_WAIT)
    except Exception:  # noqa: BLE001  (storage trouble must leave a 429 a 429, never a 500)
        return 1 if _is_crowd(exc) else None


def _queued_seconds(breached) -> int:
    """How many whole budgets were turned away before this request in the current window.

    A fixed window keeps counting refused hits, so the 1st..Nth refused of a budget N wait one
    second, the next N two seconds, and so on: a deep queue is spread over the next seconds
    instead of coming back all at once. Other strategies do not count refusals: 0.
    """
    strategy = breached.limiter
    if not isinstance(strategy, FixedWindowRateLimiter):
        return 0
    amount = breached.limit.amount
    over = int(strategy.storage.get(breached.key)) - amount
    return max(over - 1, 0) // amount


def _is_crowd(exc) -> bool:
    """Whether a 429 comes from an admission budget (a crowd) rather than one client's own excess."""
    scope = getattr(getattr(exc, "limit", None), "scope", None)
    return isinstance(exc, RateLimitExceeded) and scope in {admission_scope(kind) for kind in ADMISSION_SETTINGS}


def waiting_mode(exc) -> str | None:
    """Which waiting screen a participant page gets ("register", "repost", "reload"), or None for none."""
    if request.blueprint != "public" or errors.wants_json():
        return None
    posted = request.method == "POST"
    if exc.code == 429:
        if posted and request.endpoint == "public.register":
            return "register"
        return "repost" if posted and request.endpoint == "public.start" else None
    # A 503 may mean the database is away: this screen must not need it, so a post is echoed as sent.
    return "repost" if posted else "reload"


def _waiting_screen(exc, mode: str, wait: int | None):
    """Render templates/public/waiting.html with the status of `exc` and its own headers."""
    view = _contest_view() if exc.code == 429 else None
    form = _registration_form(view) if mode == "register" and view else None
    if mode == "register" and form is None:
        mode = "repost"  # the contest could not be read: resend what was typed, unseen but intact
    tries = _tries()
    busy = exc.code == 503
    context = {"mode": mode, "wait": wait or DEFAULT_WAIT, "tries": tries, "reason": _reason(exc),
               "message": getattr(exc, "zh_message", None) if busy else None, "status": exc.code,
               "request_id": request_id() if busy else None,
               "contest": view, "form": form, "fields": _echo_fields(), "action": _same_url(),
               "retry_url": _same_url(), "next_url": _same_url(retry_count=tries + 1)}
    mark_personal()  # it may carry a name and phone, and "busy" must not be cached
    response = make_response(render_template("public/waiting.html", **context), exc.code)
    for name, value in exc.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


def _reason(exc) -> str:
    if exc.code == 503:
        return "busy"
    return "crowd" if _is_crowd(exc) else "throttled"


def _contest_view() -> dict | None:
    """The contest's public view for the page header and form; None if it cannot be read."""
    slug = (request.view_args or {}).get("slug")
    try:
        return contests.contest_view(contests.get_contest(slug), now()) if slug else None
    except Exception:  # noqa: BLE001  (an unknown slug or a database hiccup: the screen goes without)
        return None


def _registration_form(view: dict) -> RegistrationForm | None:
    """The registration form filled from what was posted, without validation errors."""
    form = RegistrationForm()  # a FlaskForm reads request.form by itself
    form.set_regions(view["regions"])
    return form


def _tries() -> int:
    """How many automatic retries led here (waiting.js counts them in the retry_count field)."""
    raw = request.values.get("retry_count", "")
    return min(int(raw), 99) if raw.isdigit() else 0


def _echo_fields() -> list[tuple[str, str]]:
    """The posted fields to send again, in order (repeated names kept), without the screen's own."""
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in OWN_FIELDS]
    return fields[:ECHO_LIMIT]


def _same_url(**extra) -> str:
    """This request's own route and query, without a retry count unless one is given."""
    # A query name like _external would steer url_for itself: such names are dropped.
    args = {k: v for k, v in request.args.lists() if k not in OWN_FIELDS and not k.startswith("_")}
    args.update({k: [str(v)] for k, v in extra.items()})
    return url_for(request.endpoint, **{**args, **(request.view_args or {})})


def _final_retry_after(sender, response, **_extra) -> None:
    """Write the decided Retry-After last.

    Flask-Limiter's after_request hook rewrites Retry-After on every limited route, truncated to whole
    seconds (0 for a one-second window) and at least the limit's reset; it runs after any
    after_request function of ours, but request_finished comes later still.
    """
    wait = g.get("admission_retry_after")
    if wait is not None and response.status_code in (429, 503):
        response.headers["Retry-After"] = str(wait)
