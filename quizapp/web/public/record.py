"""Result with explanations, my record, and the public leaderboard."""

from __future__ import annotations

from datetime import date, datetime

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...domain.errors import ValidationError
from ...domain.timing import local_day
from ...services import attempts, contests, presenters, standings
from ..common import now
from ..public_cache import cached_public
from ..security import mark_personal
from . import bp
from .elder import elder_mode
from .session import participant_required

LEADERBOARD_SIZE = 50


def retry_state(view: dict, record: dict, today: date) -> dict:
    """Whether 再答一次 is offered after a result and, when it is not, why (shown in its place);
    `today` is the contest time zone's date."""
    left = record["attempts_left_today"]
    if view["status"] != "open":
        return {"allowed": False, "reason": _("竞赛已结束，不能再答题。") if view["status"] == "closed"
                else _("竞赛尚未开始。")}
    if left > 0:
        return {"allowed": True, "left": left}
    total_cap = view["round"]["max_attempts"]
    if len(record["attempts"]) >= total_cap:
        return {"allowed": False, "reason": _("您已用完全部 %(n)s 次答题机会。", n=total_cap)}
    per_day = view["round"]["attempts_per_day"]
    if datetime.fromisoformat(view["ends_at"]).date() <= today:  # no tomorrow to promise
        return {"allowed": False, "reason": _("今天的 %(n)s 次答题机会已用完，竞赛今天结束。", n=per_day)}
    return {"allowed": False, "reason": _("今天的 %(n)s 次答题机会已用完，明天可以再来。", n=per_day)}


def result_summary(payload: dict) -> dict:
    """The counts the summary shows: wrong = every question not fully right (partial and unanswered too)."""
    wrong = [r for r in payload["results"] if not r["correct"]]
    return {"wrong": len(wrong), "unanswered": sum(1 for r in wrong if not r["chosen_option_ids"]),
            "right": len(payload["results"]) - len(wrong)}


@bp.get("/c/<slug>/result/<attempt_id>")
@participant_required
def result(slug: str, attempt_id: str):
    """Summary first (score, right and wrong, time, the draw), then every question explained; ?wrong=1: only wrong ones."""
    attempt = attempts.attempt_for(g.participant, attempt_id)  # another's attempt: NotFound (404)
    moment = now()
    attempt = attempts.close_if_expired(attempt, moment)
    if attempt.status != "finished":
        return redirect(url_for("public.play", slug=slug))
    payload = presenters.result_payload(attempt, g.contest)
    view = contests.contest_view(g.contest, moment)
    record = standings.my_record(g.contest, g.participant, moment)
    mark_personal()
    # Numbered as on the paper, so that "第 7 题" means the same question in both views.
    numbered = list(enumerate(payload["results"], start=1))
    wrong_only = request.args.get("wrong") == "1"
    shown = [(n, r) for n, r in numbered if not r["correct"]] if wrong_only else numbered
    return render_template("public/result.html", contest=view, result=payload, record=record, shown=shown,
                           wrong_only=wrong_only, summary=result_summary(payload), retry=retry_state(view, record, local_day(moment, g.contest.timezone)))


@bp.get("/c/<slug>/me")
@participant_required
def me(slug: str):
    """我的成绩: attempts, best score, eligibility and attempts left today."""
    moment = now()
    record = standings.my_record(g.contest, g.participant, moment)
    view = contests.contest_view(g.contest, moment)
    mark_personal()
    return render_template("public/me.html", contest=view, record=record, participant=g.participant)


def _page_key() -> tuple[str, bool]:
    """What the cached board page differs by: the ?region= as typed (a bad one is a 422, never kept) and
    长辈模式, which base.html draws from a cookie (reading it also adds Vary: Cookie to the answer)."""
    return request.args.get("region", "").strip(), elder_mode()


@bp.get("/c/<slug>/leaderboard")
@cached_public("LEADERBOARD_CACHE_SECONDS", vary=_page_key)
def leaderboard(slug: str):
    """排行榜: best attempt per participant, names masked by the service; ?region= ranks one region alone."""
    contest = contests.get_contest(slug)
    moment = now()
    view = contests.contest_view(contest, moment)
    try:
        region = standings.board_region(contest.regions, request.args.get("region"))
    except ValidationError as refused:
        # No board for a region that is not the contest's: the selector and the reason, nothing to rank.
        return render_template("public/leaderboard.html", contest=view, entries=[], region=None,
                               region_error=refused.fields["region"]), 422
    board = standings.leaderboard(contest, LEADERBOARD_SIZE, moment, region=region)  # the page is cached
    return render_template("public/leaderboard.html", contest=view, entries=board["entries"], region=region,
                           region_error=None)
