"""Contest, registration, record, leaderboard and winners endpoints."""

from __future__ import annotations

from flask import abort, g, request

from ...extensions import limiter
from ...services import contests, participants, standings, verification
from ...services import draw as draw_service
from ..common import api_client_id, client_hash, client_ip, now
from ..public_cache import cached_public
from ..ratelimits import admission_budget, per_ip, per_phone, per_token, phone_key, token_key
from ..security import mark_personal
from . import bp
from .auth import json_body, own_contest, require_participant


@bp.get("/contests/<slug>")
def get_contest(slug: str):
    """Public description of a contest."""
    return contests.contest_view(contests.get_contest(slug), now())


@bp.post("/contests/<slug>/participants")
@admission_budget("register")
@limiter.limit(per_ip)
@limiter.limit(per_phone, key_func=phone_key)
def register(slug: str):
    """Register, or get a fresh token for the phone already registered."""
    contest = contests.get_contest(slug)
    body = json_body()
    # The device is the caller's X-Client-Id only: without one, nothing counts this phone as one device's.
    participant, token, created = participants.register(contest, body, now(), client_hash(api_client_id()),
                                                        client_ip())
    mark_personal()
    return {"participant_id": participant.id, "token": token}, 201 if created else 200


@bp.post("/contests/<slug>/sms-codes")
@limiter.limit(per_ip)
@limiter.limit(per_phone, key_func=phone_key)
def send_sms_code(slug: str):
    """Send a 6-digit code to the phone, for a registration that IDENTITY_VERIFICATION=sms requires."""
    if verification.mode() != "sms":
        abort(404)
    contest = contests.get_contest(slug)
    sent = verification.send_code(contest, json_body().get("phone"), now(), address=client_ip())
    return {"expires_at": contests.iso_local(sent.expires_at, contest.timezone),
            "resend_after_seconds": sent.resend_after_seconds}, 202


@bp.get("/contests/<slug>/me")
@limiter.limit(per_token, key_func=token_key)
@require_participant
def me(slug: str):
    """The caller's attempts, best score and allowance."""
    contest = own_contest(slug)
    mark_personal()
    return standings.my_record(contest, g.participant, now())


def _board_size() -> int:
    """?limit=N clamped to 1..200; 20 when absent or not a number."""
    limit = request.args.get("limit", "20")
    return min(max(int(limit), 1), 200) if limit.isdigit() else 20


def _board_key() -> tuple[int, str]:
    """What changes the board: its size and the ?region= asked for (as typed; a bad one is a 422, never kept)."""
    return _board_size(), request.args.get("region", "").strip()


# No per-address limit: the board is served from memory for LEADERBOARD_CACHE_SECONDS, which costs
# less than counting the request in Redis would (a flood of it is what nginx's limit_req is for).
@bp.get("/contests/<slug>/leaderboard")
@cached_public("LEADERBOARD_CACHE_SECONDS", vary=_board_key)
def leaderboard(slug: str):
    """Best attempt per participant, names masked; `?region=` ranks one region's participants among themselves."""
    contest = contests.get_contest(slug)
    region = standings.board_region(contest.regions, request.args.get("region"))  # else 422 fields.region
    return standings.leaderboard(contest, _board_size(), now(), region=region)  # the response is cached


@bp.get("/contests/<slug>/winners")
@limiter.limit(per_ip)
def winners(slug: str):
    """The public notice of the prize draw; `?full=1` adds the entrant list the verifier needs."""
    full = request.args.get("full", "").lower() in ("1", "true", "yes")
    return draw_service.public_notice(slug, full)
