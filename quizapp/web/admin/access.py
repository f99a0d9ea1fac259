"""Who may open a console page: a live session (version, idle and absolute timeouts) and the role
table of domain/permissions. Every /admin view but the sign-in page passes through here."""

from __future__ import annotations

import functools
from datetime import timedelta
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, request, session, url_for
from flask_login import current_user, logout_user

from ...domain.errors import DomainError
from ...domain.permissions import (
    EDIT_BANKS,
    MANAGE_ACCOUNTS,
    VIEW_AUDIT,
    VIEW_BANKS,
    VIEW_CHANNELS,
    VIEW_CONTESTS,
    VIEW_DRAW,
    allowed,
    role_name,
)
from ...extensions import db, login_manager
from ...models import User
from ...services.users import scope_of
from ..common import now
from ..security import mark_personal
from . import bp

OPEN_ENDPOINTS = {"admin.login"}
# The left navigation: label, endpoint, the action that shows it. Areas whose pages are not built
# yet (their endpoint is absent) are left out rather than linked to a dead page.
NAV = (
    ("竞赛", "admin.contests", VIEW_CONTESTS),
    ("题库", "admin.banks", VIEW_BANKS),
    ("渠道与海报", "admin.channels", VIEW_CHANNELS),
    ("抽奖", "admin.draw", VIEW_DRAW),
    ("账号", "admin.accounts", MANAGE_ACCOUNTS),
    ("操作日志", "admin.audit", VIEW_AUDIT),
)


@login_manager.user_loader
def load_user(session_id: str):
    """The account behind a session id "id:version"; a stale version (logged out) is no one."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.session_version == int(version) else None


@login_manager.unauthorized_handler
def unauthorized():
    """Anonymous: 401 for a .json path, else off to the sign-in page with the way back."""
    if request.path.endswith(".json"):
        raise DomainError("请先登录管理后台", code="unauthorized")
    return redirect(url_for("admin.login", next=request.full_path if request.args else request.path))


def _session_expired(moment: float) -> bool:
    idle = timedelta(minutes=current_app.config["ADMIN_IDLE_MINUTES"]).total_seconds()
    lifetime = timedelta(hours=current_app.config["ADMIN_SESSION_HOURS"]).total_seconds()
    seen, started = session.get("admin_seen_at", 0), session.get("admin_login_at", 0)
    return moment - seen > idle or moment - started > lifetime


def start_session(user: User) -> None:
    """Mark the new session's start for the idle and absolute timeouts."""
    moment = now().timestamp()
    session["admin_login_at"] = session["admin_seen_at"] = moment


def _in_console(path: str) -> bool:
    return path == "/admin" or path.startswith("/admin/")


@bp.before_app_request
def require_login():
    """Every /admin path, even one that does not exist, needs a live session; an expired one ends here."""
    if not _in_console(request.path):
        return None
    mark_personal()  # console pages show accounts, uploads and participants: never cached
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    moment = now().timestamp()
    if _session_expired(moment):
        logout_user()
        session.clear()
        return login_manager.unauthorized()
    session["admin_seen_at"] = moment
    return None


def may(action: str) -> bool:
    """Whether the signed-in account may perform `action`."""
    return current_user.is_authenticated and allowed(current_user.role, action)


def requires(action: str):
    """Decorator: a 403 (page, or JSON for .json paths) unless the account's role allows `action`."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not may(action):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def current_scope():
    """The region scope of the signed-in account, for services that filter participants."""
    return scope_of(current_user)


def safe_next(target: str | None) -> str:
    """A redirect target inside the console only (no open redirect to another host)."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin") or parts.path.startswith("//"):
        return url_for("admin.home")
    return target


def navigation() -> list[dict]:
    """The left navigation the signed-in role may use, with the current area marked."""
    views = current_app.view_functions
    here = views.get(request.endpoint or "")
    # The module that serves this page names its area too: admin.channel_edit lives in channels.py.
    here_module = here.__module__.rsplit(".", 1)[-1] if here else ""
    items = []
    for label, endpoint, action in NAV:
        if endpoint in views and may(action):
            area = endpoint.split(".", 1)[1]
            current = (request.endpoint or "").split(".", 1)[-1].startswith(area) or here_module.startswith(area)
            items.append({"label": label, "url": url_for(endpoint), "current": current})
    return items


@bp.app_context_processor
def console_context() -> dict:
    """Layout helpers for admin templates."""
    if not request.path.startswith("/admin"):
        return {}
    return {"nav_items": navigation, "may": may, "role_name": role_name, "EDIT_BANKS": EDIT_BANKS,
            "has_page": lambda endpoint: endpoint in current_app.view_functions}
