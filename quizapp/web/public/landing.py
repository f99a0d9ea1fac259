"""Landing page, registration and starting a round."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...domain.errors import DomainError, ValidationError
from ...extensions import limiter
from ...services import attempts, contests, participants, standings
from ..common import client_hash, client_ip, now, pool_ttl, rng
from ..ratelimits import admission_budget, per_ip, per_phone, phone_key
from ..security import mark_personal
from . import bp, landing_cache
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
    return render_template("public/landing.html", contest=view, form=form, participant=participant,
                           record=record, running=running), status


@bp.get("/c/<slug>")
def landing(slug: str):
    """Contest title, dates, rules, prizes, consent notice and the registration form or start buttons."""
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
    """Register through the form; errors are shown on their fields with status 422."""
    contest = contests.get_contest(slug)
    form = RegistrationForm()
    form.set_regions(list(contest.regions))
    if not form.validate_on_submit():
        return _render_landing(contest, form, 422)
    try:
        _participant, token, created = participants.register(contest, form.payload(), now(),
                                                             client_hash(device_id()), client_ip())
    except ValidationError as exc:
        form.summary_errors = list(form.add_errors(exc.fields).values())
        return _render_landing(contest, form, 422)
    except participants.PhoneRegistered as exc:
        form.summary_errors = [exc.message]
        return _render_landing(contest, form, 409)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("public.landing", slug=slug))
    remember_token(slug, token)
    mark_personal()
    flash(_("登记成功，可以开始答题了") if created else _("欢迎回来，已找到您的登记信息"), "success")
    return redirect(url_for("public.landing", slug=slug))


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
