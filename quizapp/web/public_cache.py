"""Cache whole public responses (the same for every visitor: the leaderboard) for a few seconds.

A request with a message waiting in its session is served fresh: the message is personal."""

from __future__ import annotations

import functools

from flask import current_app, make_response, request, session

from .page_cache import PageCache


def _cache() -> PageCache:
    return current_app.extensions.setdefault("public_responses", PageCache(max_entries=512))


def cached_public(seconds_setting: str, vary=lambda: None):
    """Keep the view's response body, by path and `vary()` (what changes the answer, normalised: the
    leaderboard's limit and region, a page's display mode; other arguments must not make a flood miss
    the cache), for config[seconds_setting] seconds. Only a 200 is kept: a refused argument (a region
    not in the contest) is answered afresh each time and never fills the cache."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            seconds = float(current_app.config.get(seconds_setting, 0))
            if seconds <= 0 or session.get("_flashes"):
                return view(*args, **kwargs)
            key = (request.path, vary())
            hit = _cache().get(key)
            if hit is None:
                response = make_response(view(*args, **kwargs))
                if response.status_code != 200 or response.direct_passthrough:
                    return response
                hit = (response.get_data(), response.mimetype)
                _cache().put(key, hit, seconds)
            body, mimetype = hit
            return current_app.response_class(body, mimetype=mimetype)

        return wrapper

    return decorator
