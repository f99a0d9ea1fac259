"""统计: a contest's live dashboard, item analysis and their JSON (CONTRACT §6 stats.json, items.json)."""

from __future__ import annotations

import time

from flask import current_app, jsonify, render_template

from ...domain.item_stats import FLAG_NAMES
from ...domain.permissions import EDIT_BANKS, EXPORT_FULL, EXPORT_MASKED, VIEW_STATS
from ...services.contests import get_contest, max_score
from ...services.insight import contest_stats
from ...services.item_analysis import items_document
from ..common import now
from . import bp
from .access import current_scope, requires

REFRESH_SECONDS = 45  # the dashboard reloads its figures this often (the issue asks for 30–60 s)


def _cached(kind: str, contest, compute):
    """Reuse a figure set for STATS_CACHE_SECONDS per process, contest and region scope.

    Several organizers watching one dashboard then cost one computation per interval.
    """
    ttl = float(current_app.config.get("STATS_CACHE_SECONDS", 15))
    scope = current_scope()
    key = (kind, contest.id, scope.region)
    cache = current_app.extensions.setdefault("stats_cache", {})
    hit = cache.get(key)
    if ttl > 0 and hit is not None and time.monotonic() - hit[0] < ttl:
        return hit[1]
    value = compute(contest, scope)
    cache[key] = (time.monotonic(), value)
    return value


def stats_for(contest) -> dict:
    """The contest's statistics inside the account's scope (cached briefly)."""
    return _cached("stats", contest, lambda c, scope: contest_stats(c, now(), scope))


def items_for(contest) -> dict:
    """The contest's item analysis inside the account's scope (cached briefly)."""
    return _cached("items", contest, items_document)


@bp.get("/contests/<slug>/stats.json")
@requires(VIEW_STATS)
def contest_stats_json(slug: str):
    """CONTRACT §6 statistics, times in the contest's time zone."""
    return jsonify(stats_for(get_contest(slug)))


@bp.get("/contests/<slug>/items.json")
@requires(VIEW_STATS)
def contest_items_json(slug: str):
    """CONTRACT §6 item analysis."""
    return jsonify(items_for(get_contest(slug)))


@bp.get("/contests/<slug>/stats")
@requires(VIEW_STATS)
def contest_dashboard(slug: str):
    """The live dashboard: headline figures, days and hours, regions, channels and score bands."""
    contest = get_contest(slug)
    return render_template("admin/insight/dashboard.html", contest=contest, stats=stats_for(contest),
                           max_score=max_score(contest), refresh_seconds=REFRESH_SECONDS,
                           EXPORT_MASKED=EXPORT_MASKED, EXPORT_FULL=EXPORT_FULL)


@bp.get("/contests/<slug>/items")
@requires(VIEW_STATS)
def contest_items(slug: str):
    """Item analysis: each question's rates, discrimination, option spread and review flags."""
    contest = get_contest(slug)
    return render_template("admin/insight/items.html", contest=contest, doc=items_for(contest),
                           flag_names=FLAG_NAMES, EDIT_BANKS=EDIT_BANKS, EXPORT_MASKED=EXPORT_MASKED)
