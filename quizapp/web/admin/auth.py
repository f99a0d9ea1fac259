"""Signing in and out of the console (CONTRACT §6 Login)."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ...domain.errors import DomainError
from ...services import login_throttle, users
from ..common import now
from ..security import mark_personal
from . import bp
from .access import safe_next, start_session
from .forms import LoginForm


def _limits() -> login_throttle.ThrottleLimits:
    config = current_app.config
    # One counter per app: a Redis client keeps its connection pool between requests.
    counter = current_app.extensions.get("login_counter")
    if counter is None:
        counter = current_app.extensions["login_counter"] = login_throttle.make_counter(config.get("REDIS_URL"))
    return login_throttle.ThrottleLimits(per_username=config["ADMIN_LOGIN_PER_USERNAME"],
                                         per_address=config["ADMIN_LOGIN_PER_ADDRESS"], counter=counter)


def _page(form: LoginForm, message: str | None = None, status: int = 200, headers: dict | None = None):
    mark_personal()
    return render_template("admin/login.html", form=form, message=message), status, headers or {}


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; one message for every failure; 429 once the username or address is throttled."""
    form = LoginForm()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("admin.home"))
        form.next.data = request.args.get("next", "")
        return _page(form)
    if not form.validate_on_submit():  # only the CSRF token can fail here
        return _page(form, "页面已过期，请重新登录", 400)
    try:
        user = users.sign_in(form.username.data or "", form.password.data or "", request.remote_addr or "",
                             now(), _limits())
    except login_throttle.LoginThrottled as exc:
        return _page(form, exc.message, 429, {"Retry-After": str(exc.retry_after)})
    except DomainError as exc:
        return _page(form, exc.message, 200)
    session.clear()  # a new session for every sign-in: nothing from before it survives
    login_user(user)
    start_session(user)
    return redirect(safe_next(form.next.data))


@bp.post("/logout")
@login_required
def logout():
    """End the session on the server: the account's session version moves on."""
    users.sign_out(current_user._get_current_object(), now())
    logout_user()
    session.clear()
    return redirect(url_for("admin.login"))
