"""The landing page as a first-time visitor sees it, rendered once per contest and channel and kept
for a few seconds: a WeChat push sends thousands of such visitors within minutes.

Only a visitor with nothing personal gets it: no participant token for this contest and no message
waiting in the session. The form's CSRF token is the one personal part; it is rendered as a
placeholder and each request fills in its own. The page also differs by 长辈模式 (the elder cookie
sets a class on <html>), so each mode has its copy: nobody gets the other mode's page."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, session
from flask_wtf.csrf import generate_csrf

from ..page_cache import PageCache
from .elder import elder_mode
from .session import SESSION_KEY

CSRF_PLACEHOLDER = "\x00csrf\x00"  # never in a rendered page: input_guard refuses NUL in any request


def pages() -> PageCache:
    """This app's cache of anonymous landing pages."""
    return current_app.extensions.setdefault("landing_pages", PageCache(max_entries=256))


def anonymous_visitor(slug: str) -> bool:
    """True when this request carries nothing that would make its landing page personal."""
    tokens = session.get(SESSION_KEY) or {}
    return slug not in tokens and not session.get("_flashes")


def cached_page(slug: str, channel: str | None) -> str | None:
    """The cached page for this contest and channel with this request's CSRF token, or None."""
    html = pages().get(_key(slug, channel))
    return html.replace(CSRF_PLACEHOLDER, generate_csrf()) if html is not None else None


def keep_page(slug: str, channel: str | None, html: str, contest, moment: datetime) -> str:
    """Cache a freshly rendered anonymous page (until the contest opens or closes at the latest)."""
    seconds = float(current_app.config.get("LANDING_CACHE_SECONDS", 0))
    token = generate_csrf()
    if seconds > 0 and token in html:
        pages().put(_key(slug, channel), html.replace(token, CSRF_PLACEHOLDER), _seconds_left(contest, moment, seconds))
    return html


def _key(slug: str, channel: str | None) -> tuple:
    return slug, channel, elder_mode()


def _seconds_left(contest, moment: datetime, seconds: float) -> float:
    # The page shows the contest's status: it must not outlive the next change of it.
    for boundary in (contest.starts_at, contest.ends_at):
        left = (boundary - moment) / timedelta(seconds=1)
        if left > 0:
            return min(seconds, left)
    return seconds
