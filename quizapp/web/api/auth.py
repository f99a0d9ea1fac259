"""Bearer-token authentication, JSON bodies and rate-limit keys for the API."""

from __future__ import annotations

import functools

from flask import g, request

from ...domain.errors import DomainError
from ...models import Attempt
from ...services.attempts import attempt_for_token
from ...services.contests import NotFound, get_contest
from ...services.participants import authenticate, hash_token, token_expired
from ..common import now


def bearer_token() -> str | None:
    """The token from `Authorization: Bearer …`, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def require_participant(view):
    """Put the token's participant on g.participant, or answer 401."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        participant = authenticate(bearer_token(), now())
        if participant is None:
            raise DomainError("缺少或无效的参赛凭证（Authorization: Bearer <token>）", code="unauthorized")
        g.participant = participant
        return view(*args, **kwargs)

    return wrapper


def require_attempt(view=None, *, loader=attempt_for_token):
    """Load the caller's own attempt with `loader(token_hash, attempt_id)` (one query); 401 for a bad
    token, 404 for another's attempt. The writing views pass a loader that locks the attempt's row."""
    if view is None:
        return functools.partial(require_attempt, loader=loader)

    @functools.wraps(view)
    def wrapper(attempt_id: str, *args, **kwargs):
        token = bearer_token()
        attempt = loader(hash_token(token), attempt_id) if token else None
        if attempt is not None and isinstance(attempt, Attempt) and token_expired(attempt.contest, now()):
            attempt = None  # an expired token reads nothing more (a save's row has no contest: its round is over)
        if attempt is None:
            if authenticate(token, now()) is None:
                raise DomainError("缺少或无效的参赛凭证（Authorization: Bearer <token>）", code="unauthorized")
            raise NotFound("答题记录不存在")
        return view(attempt, *args, **kwargs)

    return wrapper


def own_contest(slug: str):
    """The contest in the path, which must be the one the caller's token was issued for."""
    if g.participant.contest.slug == slug:
        return g.participant.contest
    get_contest(slug)  # a contest that does not exist is its own 404
    raise NotFound("您尚未登记参加这个竞赛")


def json_body(optional: bool = False) -> dict:
    """The request's JSON object: a body of another media type is a 415, malformed JSON a 400 bad_json."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if optional:
            return {}
        raise DomainError("请求体应为 JSON 对象", code="bad_json")
    # application/json (any parameters) or application/*+json; a form or text body is refused
    # rather than guessed at, so a client sending the wrong type learns it at once.
    if not request.is_json:
        raise DomainError("请求内容须为 JSON（Content-Type: application/json）", code="unsupported_media_type")
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise DomainError("请求体不是有效的 JSON 对象", code="bad_json")
    return data
