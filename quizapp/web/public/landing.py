"""Landing page, registration and starting a round."""

from __future__ import annotations

from flask import flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...domain.errors import DomainError, ValidationError
from ...domain.verification import CodeThrottled, VerificationError
from ...extensions import limiter
from ...services import attempts, contests, participants, standings, verification
from ..common import client_hash, client_ip, now, pool_ttl, rng
from ..errors import STATUS_BY_CODE
from ..ratelimits import admission_budget, per_ip, per_phone, phone_key
from ..security import mark_personal
from . import bp, identity, landing_cache
from .channels import first_channel
from .device import device_id
from .forms import RegistrationForm, clean_channel
from .session import current_participant, forget_token, participant_required, remember_token


def _render_landing(contest, form: RegistrationForm | None, status: int = 200):
    """The landing page for a visitor (with the form) or a registered participant (with their record)."""
    moment = now()
    view = contests.contest_view(contest, moment)
    participant = current_participant(contest)
    record = standings.my_record(contest, participant, moment) if participant else None
    running = next((a for a in record["attempts"] if a["status"] == "running"), None) if record else None
    if participant is None and form is None:
        # The channel that first brought this browser (short link) wins over ?ch=, which may be lost.
        form = RegistrationForm(channel=clean_channel(first_channel(contest.slug) or request.args.get("ch")))
    if form is not None:
        form.set_regions(view["regions"])
    mark_personal()  # carries a CSRF token or the participant's own record
    mode = verification.mode()
    return render_template("public/landing.html", contest=view, form=form, participant=participant,
                           record=record, running=running, identity_mode=mode,
                           code_minutes=_code_minutes() if mode == "sms" else None), status


def _code_minutes() -> int:
    """How long an SMS code works, in whole minutes, for the hint under the code box."""
    return max(1, int(verification.code_rules().ttl.total_seconds() // 60))


@bp.get("/c/<slug>")
def landing(slug: str):
    """Contest title, dates, rules, prizes, consent notice and the registration form or start buttons."""
    # Before the cache: in wechat mode a visitor without an identity goes through WeChat first.
    gate = identity.wechat_gate(slug)
    if gate is not None:
        return gate
    if not landing_cache.anonymous_visitor(slug):
        return _render_landing(contests.get_contest(slug), None)
    channel = clean_channel(first_channel(slug) or request.args.get("ch"))  # as _render_landing takes it
    mark_personal()  # it carries this visitor's CSRF token
    html = landing_cache.cached_page(slug, channel)
    if html is None:
        contest = contests.get_contest(slug)
        html = landing_cache.keep_page(slug, channel, _render_landing(contest, None)[0], contest, now())
    return html


@bp.post("/c/<slug>/register")
@admission_budget("register")
@limiter.limit(per_ip)
@limiter.limit(per_phone, key_func=phone_key)
def register(slug: str):
    """Register through the form; errors are shown on their fields with the API's status (422, 409 …)."""
    contest = contests.get_contest(slug)
    form = RegistrationForm()
    form.set_regions(list(contest.regions))
    if not form.validate_on_submit():
        return _render_landing(contest, form, 422)
    if "send_code" in request.form and identity.sms_mode():
        return _send_code(contest, form)
    payload = form.payload()
    if verification.mode() == "wechat":
        payload["wechat_ticket"] = identity.ticket_cookie()  # from the HttpOnly cookie, never from the page
    try:
        _participant, token, created = participants.register(contest, payload, now(),
                                                             client_hash(device_id()), client_ip())
    except ValidationError as exc:  # a refused SMS code too: it lands on the code field
        form.summary_errors = list(form.add_errors(exc.fields).values())
        return _render_landing(contest, form, 422)
    except participants.PhoneRegistered as exc:
        form.summary_errors = [exc.message]
        return _render_landing(contest, form, 409)
    except VerificationError as exc:
        if exc.code == "wechat_required":  # the ticket ran out: the landing page goes through WeChat again
            flash(exc.message, "error")
            return redirect(url_for("public.landing", slug=slug))
        form.summary_errors = [exc.message]
        return _render_landing(contest, form, STATUS_BY_CODE.get(exc.code, 400))
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("public.landing", slug=slug))
    remember_token(slug, token)
    mark_personal()
    flash(_("登记成功，可以开始答题了") if created else _("欢迎回来，已找到您的登记信息"), "success")
    response = redirect(url_for("public.landing", slug=slug))
    if "wechat_ticket" in payload:
        identity.forget_ticket(response, slug)  # signed in now: the ticket has done its work
    return response


def _send_code(contest, form: RegistrationForm):
    """获取验证码 without JavaScript: send the code and show the form again as typed (no registration)."""
    form.sending_code = True
    try:
        sent, wait = identity.send_code_for(contest, form.phone.data)
    except ValidationError as exc:
        form.add_errors(exc.fields)
        form.sms_status, form.sms_failed = next(iter(exc.fields.values()), exc.message), True
        return _render_landing(contest, form, 422)
    except DomainError as exc:  # throttled, the provider failed, the contest closed
        form.sms_status, form.sms_failed = exc.message, True
        page, status = _render_landing(contest, form, STATUS_BY_CODE.get(exc.code, 400))
        response = make_response(page, status)
        if isinstance(exc, CodeThrottled) or exc.code == "sms_failed":
            response.headers["Retry-After"] = str(getattr(exc, "retry_after", None) or 60)
        return response
    # Without JavaScript nothing counts down: say once when another code may be asked for.
    form.sms_status = _("%(sent)s，%(n)s 秒后可重新获取", sent=sent, n=wait)
    return _render_landing(contest, form)


@bp.post("/c/<slug>/start")
@admission_budget("start")
@participant_required
def start(slug: str):
    """Start a round (or resume the running one) and go to its first unanswered question."""
    try:
        attempts.start_attempt(g.contest, g.participant, now(), rng(), pool_ttl())
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("public.landing", slug=slug))
    return redirect(url_for("public.play", slug=slug))


@bp.post("/c/<slug>/forget")
def forget(slug: str):
    """Forget this browser's registration (a family member wants to play on the same phone)."""
    contests.get_contest(slug)
    forget_token(slug)
    flash(_("已退出，本机不再保留您的登记信息"), "info")
    return redirect(url_for("public.landing", slug=slug))
