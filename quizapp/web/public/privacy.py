"""申请删除个人信息, from 我的成绩: a confirmation page, then the request (PIPL)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from ...services import contests, privacy
from ..common import now
from ..security import mark_personal
from . import bp
from .session import forget_token, participant_required


@bp.get("/c/<slug>/me/delete")
@participant_required
def delete_me(slug: str):
    """Say what deleting does (and, when a draw holds the person, when it will happen) and ask to confirm."""
    mark_personal()
    view = contests.contest_view(g.contest, now())
    return render_template("public/delete_me.html", contest=view, participant=g.participant)


@bp.post("/c/<slug>/me/delete")
@participant_required
def delete_me_confirmed(slug: str):
    """Carry out the request: anonymised at once, or recorded until the draw's 公示 is over."""
    done = privacy.request_deletion(g.participant, now())
    if done:
        forget_token(slug)  # the tokens are gone with the data; the browser forgets its copy
        flash(_("您的个人信息已删除，本机也已退出登记。感谢参与！"), "success")
        return redirect(url_for("public.landing", slug=slug))
    flash(_("已收到您的删除申请。抽奖名单已经锁定，将在中奖公示期满后删除。"), "info")
    return redirect(url_for("public.me", slug=slug))
