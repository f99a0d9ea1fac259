"""The page side of the optional stronger identity (issue 12): SMS codes from the registration form,
and the WeChat 网页授权 round trip before the landing page.

With IDENTITY_VERIFICATION=none nothing here is reachable (404) and the landing page is unchanged."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...domain.masking import mask_phone
from ...domain.participants import normalize_phone
from ...domain.timing import contest_status
from ...domain.verification import VerificationError
from ...extensions import limiter
from ...models import Contest
from ...services import contests, participants, verification
from ..common import client_ip, now, public_base_url
from ..errors import STATUS_BY_CODE
from ..ratelimits import per_ip, per_phone, phone_key
from ..security import mark_personal
from . import bp
from .session import current_participant, remember_token

NONCE_COOKIE = "wx_nonce"
TICKET_COOKIE = "wx_ticket"
NONCE_AGE = timedelta(minutes=10)
TICKET_AGE = timedelta(minutes=30)  # what verification.read_ticket accepts


# --- SMS codes (IDENTITY_VERIFICATION=sms) ------------------------------------------------------------


def sms_mode() -> bool:
    """Whether registration asks for an SMS code."""
    return verification.mode() == "sms"


def send_code_for(contest: Contest, raw_phone: object) -> tuple[str, int]:
    """Send a code to the phone typed in the form; (the status line to show, seconds until another).

    Raises what verification.send_code raises (ValidationError, CodeThrottled, VerificationError)."""
    sent = verification.send_code(contest, raw_phone, now(), address=client_ip())
    phone = normalize_phone(raw_phone) or ""
    return _("验证码已发送至 %(phone)s", phone=mask_phone(phone)), sent.resend_after_seconds


@bp.post("/c/<slug>/sms-code.json")
@limiter.limit(per_ip)
@limiter.limit(per_phone, key_func=phone_key)
def send_sms_code(slug: str):
    """The 获取验证码 button with JavaScript: same origin, CSRF-checked (Flask-WTF), JSON in the API's
    error envelope (the path ends in .json, so errors.py answers JSON with the API's statuses)."""
    if not sms_mode():
        abort(404)
    contest = contests.get_contest(slug)
    message, wait = send_code_for(contest, request.form.get("phone"))
    mark_personal()
    return {"message": message, "resend_after_seconds": wait}, 202


# --- WeChat (IDENTITY_VERIFICATION=wechat) ----------------------------------------------------------


def in_wechat() -> bool:
    """Whether the request comes from WeChat's own browser (its User-Agent says MicroMessenger)."""
    return "micromessenger" in request.headers.get("User-Agent", "").lower()


def _cookie_path(slug: str) -> str:
    # Only this contest's pages (landing, /wechat, /register) need the cookies.
    return f"/c/{slug}"


def _set_cookie(response, slug: str, name: str, value: str, age: timedelta) -> None:
    response.set_cookie(name, value, max_age=int(age.total_seconds()), path=_cookie_path(slug), httponly=True,
                        samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure)


def forget_ticket(response, slug: str) -> None:
    """Drop the WeChat ticket cookie (the participant is signed in now and needs it no more)."""
    response.delete_cookie(TICKET_COOKIE, path=_cookie_path(slug), httponly=True, samesite="Lax")


def ticket_cookie() -> str | None:
    """The WeChat ticket this browser carries, unread (registration checks it)."""
    return request.cookies.get(TICKET_COOKIE) or None


def _valid_ticket(contest: Contest) -> bool:
    try:
        verification.ticket_openid(contest, ticket_cookie(), now())
    except VerificationError:
        return False
    return True


def wechat_only_page(contest: Contest, snapshot: bool = False):
    """请在微信中打开 (or, for the 朋友圈 snapshot page, 使用完整服务): nothing to fill in."""
    mark_personal()
    view = contests.contest_view(contest, now())
    code = "wechat_snapshot" if snapshot else "wechat_required"
    return render_template("public/wechat_only.html", contest=view, snapshot=snapshot), STATUS_BY_CODE[code]


def wechat_gate(slug: str):
    """In wechat mode, what a visitor of an open contest without a WeChat identity gets instead of the
    landing page (a redirect through WeChat, or the wechat_only page); None when the page may be shown.

    It runs before the landing cache, so the cache never sees such a visitor: no cached page can carry
    a nonce or a ticket (and the ticket is never in a page at all)."""
    if verification.mode() != "wechat":
        return None
    contest = contests.get_contest(slug)
    moment = now()
    # Only the registration form needs the identity; a closed contest's page stays open to all.
    if contest_status(contest.starts_at, contest.ends_at, moment) != "open":
        return None
    if current_participant(contest) is not None or _valid_ticket(contest):
        return None
    if not in_wechat():
        return wechat_only_page(contest)
    back = f"{public_base_url()}{url_for('public.wechat_return', slug=slug)}"
    target, nonce = verification.wechat_login_url(contest, back, moment)
    response = redirect(target)
    _set_cookie(response, slug, NONCE_COOKIE, nonce, NONCE_AGE)
    mark_personal()
    return response


@bp.get("/c/<slug>/wechat")
def wechat_return(slug: str):
    """WeChat sends the browser back here with a one-time code: a participant bound before is signed in;
    anyone else keeps a ticket (HttpOnly cookie) for the registration form."""
    if verification.mode() != "wechat":
        abort(404)
    contest = contests.get_contest(slug)
    moment = now()
    try:
        ticket = verification.wechat_callback(contest, request.args.get("code"), request.args.get("state"),
                                              request.cookies.get(NONCE_COOKIE), moment)
    except VerificationError as exc:
        if exc.code == "wechat_snapshot":
            return wechat_only_page(contest, snapshot=True)
        raise  # errors.py: the message and a link back to the landing page, which starts over
    mark_personal()
    response = redirect(url_for("public.landing", slug=slug))
    # The nonce served this one round trip: a replayed callback URL must fail the state check.
    response.delete_cookie(NONCE_COOKIE, path=_cookie_path(slug), httponly=True, samesite="Lax")
    participant_id = verification.participant_for_openid(contest, verification.ticket_openid(contest, ticket, moment))
    if participant_id is None:
        _set_cookie(response, slug, TICKET_COOKIE, ticket, TICKET_AGE)
        return response
    remember_token(slug, participants.sign_in(participant_id, moment))
    forget_ticket(response, slug)
    flash(_("欢迎回来，已找到您的登记信息"), "success")
    return response
