"""The participant's own account: signing out (the token stops working at once) and deletion (PIPL)."""

from __future__ import annotations

from flask import g

from ...extensions import limiter
from ...services import participants, privacy
from ..common import now
from ..ratelimits import per_token, token_key
from . import bp
from .auth import bearer_token, own_contest, require_participant


@bp.post("/contests/<slug>/logout")
@limiter.limit(per_token, key_func=token_key)
@require_participant
def logout(slug: str):
    """Revoke the caller's token (换人/退出 on a shared phone); 204. Other devices keep theirs."""
    own_contest(slug)
    participants.revoke_token(bearer_token())
    return "", 204


@bp.delete("/contests/<slug>/me")
@limiter.limit(per_token, key_func=token_key)
@require_participant
def delete_me(slug: str):
    """Delete the caller's personal data: `200 {status: "deleted"}` at once (the token goes with it), or
    `202 {status: "pending"}` when a committed draw holds them, carried out after its 公示."""
    own_contest(slug)
    if privacy.request_deletion(g.participant, now()):
        return {"status": "deleted"}, 200
    return {"status": "pending"}, 202
