"""长辈模式 (elder mode): larger text, stronger contrast and bigger tap targets, chosen per browser.

China's 适老化 rules for public websites ask for such a mode. The choice is a plain cookie that the
server reads, so the first paint of every page is already right and the switch is a small POST form
that works without JavaScript (static/js/elder.js only spares the reload).

Why the form carries no session CSRF token: the switch sits on every participant page, including
the leaderboard and winners pages that are the same for everyone and cached whole; a per-visitor
token would make them personal. Instead the post must come from this site, which the browser states
in Origin (or, failing that, Referer). That is the check Flask-WTF itself adds over HTTPS; forging
either header is beyond a cross-site page, and the worst a forged switch could do is change the
text size.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, g, redirect, request
from werkzeug.exceptions import BadRequest

from ...extensions import csrf
from . import bp

ELDER_COOKIE = "qz_elder"
ELDER_MAX_AGE = 365 * 24 * 3600  # older players come back on the same phone next year
MAX_NEXT_LENGTH = 2000


def elder_mode() -> bool:
    """True when this browser asked for 长辈模式 (and notes that the response depends on it)."""
    g.elder_read = True
    return request.cookies.get(ELDER_COOKIE) == "1"


def safe_next(target) -> str | None:
    """`target` when it is a path on this site (no scheme, host, backslash or control character), else None."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > MAX_NEXT_LENGTH:
        return None
    # "//evil.example" and "/\evil.example" are read by browsers as another host.
    if target.startswith("//") or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _same_origin(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" == request.host_url.rstrip("/")


def _referrer_path() -> str | None:
    """The path of the page the form was on, when the browser says and it is ours."""
    if not _same_origin(request.referrer):
        return None
    parts = urlsplit(request.referrer)
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


def current_page() -> str:
    """Where the switch should lead back to: this page, or for a page answering a POST the page posted from."""
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?") if request.query_string else request.path
    return _referrer_path() or "/"


def elder_switch() -> dict:
    """What base.html needs to draw the switch: whether the mode is on and the page to come back to."""
    return {"on": elder_mode(), "next": current_page()}


@bp.post("/elder-mode")
@csrf.exempt  # checked by origin instead: see the module docstring
def set_elder_mode():
    """Turn 长辈模式 on (elder=1) or off and go back to `next` (a path on this site only)."""
    origin = request.headers.get("Origin")
    if not (_same_origin(origin) if origin else _same_origin(request.referrer)):
        raise BadRequest("CSRF: the elder-mode switch must be posted from this site")
    on = request.form.get("elder") == "1"
    if request.form.get("js") == "1":  # elder.js switches the page in place: nothing to load again
        response = current_app.response_class(status=204)
    else:
        response = redirect(safe_next(request.form.get("next")) or _referrer_path() or "/", 303)
    if on:
        response.set_cookie(ELDER_COOKIE, "1", max_age=ELDER_MAX_AGE, samesite="Lax", httponly=True,
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax", httponly=True,
                               secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.app_context_processor
def elder_context() -> dict:
    """`elder_switch()` for every template (called only by the pages that draw the switch)."""
    return {"elder_switch": elder_switch}


@bp.after_app_request
def vary_on_cookie(response):
    """A page drawn from the elder cookie differs by it: no shared cache may hand it to the other mode."""
    if g.get("elder_read"):
        response.vary.add("Cookie")
    return response
