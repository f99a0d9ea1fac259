"""Who is playing in this browser: one participant token per contest, kept in the signed session."""

from __future__ import annotations

import functools

from flask import flash, g, redirect, session, url_for
from flask_babel import gettext as _

from ...models import Contest, Participant
from ...services import contests, participants
from ..common import now

SESSION_KEY = "tokens"


def remember_token(slug: str, token: str) -> None:
    """Keep the participant's token for this contest in the session cookie."""
    tokens = dict(session.get(SESSION_KEY) or {})
    tokens[slug] = token
    session[SESSION_KEY] = tokens
    session.permanent = True  # older players come back days later on the same phone


def forget_token(slug: str) -> None:
    """Drop this contest's token from the browser and revoke it on the server (another person will
    use this phone: a copy of the old cookie must not keep working)."""
    tokens = dict(session.get(SESSION_KEY) or {})
    token = tokens.pop(slug, None)
    if token is not None:
        session[SESSION_KEY] = tokens
        if isinstance(token, str):
            participants.revoke_token(token)


def current_participant(contest: Contest) -> Participant | None:
    """The participant registered in this browser for this contest, if any."""
    token = (session.get(SESSION_KEY) or {}).get(contest.slug)
    if not isinstance(token, str):
        return None
    participant = participants.authenticate(token, now())
    if participant is None or participant.contest_id != contest.id:
        return None
    return participant


def participant_required(view):
    """Put the contest and this browser's participant on g, or send the visitor to the landing page."""

    @functools.wraps(view)
    def wrapper(slug: str, *args, **kwargs):
        g.contest = contests.get_contest(slug)
        g.participant = current_participant(g.contest)
        if g.participant is None:
            flash(_("请先登记参赛信息"), "error")
            return redirect(url_for("public.landing", slug=slug))
        return view(slug, *args, **kwargs)

    return wrapper
