"""Console sessions: idle timeout, absolute lifetime, and cookies that die with a password change or
a disabled account; cookie flags."""

from __future__ import annotations

from quizapp.services.users import set_active, set_password, update_account
from tests.admin.conftest import make_account, sign_in
from tests.conftest import make_app


def _signed_in(app, username="alice", role="organizer"):
    make_account(app, username, role)
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


def _is_signed_in(client) -> bool:
    return client.get("/admin/audit").status_code == 200


def test_idle_timeout_ends_the_session(app, clock):
    client = _signed_in(app)
    clock.advance(minutes=29)
    assert _is_signed_in(client)
    clock.advance(minutes=29)  # each request moves the idle clock on
    assert _is_signed_in(client)
    clock.advance(minutes=30, seconds=1)
    response = client.get("/admin/audit")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    clock.advance(seconds=1)
    assert not _is_signed_in(client)  # the session was ended, not just refused once


def test_absolute_lifetime_ends_even_an_active_session(app, clock):
    client = _signed_in(app)
    for _ in range(11 * 3):  # 11 hours of a request every 20 minutes
        clock.advance(minutes=20)
        assert _is_signed_in(client)
    clock.advance(minutes=61)
    assert not _is_signed_in(client)


def test_timeouts_are_configurable(database_targets, clock):
    app = make_app(database_targets["sqlite"], clock, ADMIN_IDLE_MINUTES=5)
    client = _signed_in(app)
    clock.advance(minutes=6)
    assert not _is_signed_in(client)


def test_password_change_disabling_and_role_change_end_other_sessions(app, clock):
    make_account(app, "boss", "admin")
    for change in ("password", "disable", "role"):
        username = f"user-{change}"
        client = _signed_in(app, username)
        with app.app_context():
            if change == "password":
                set_password(username, "a brand new password", "boss", clock.now)
            elif change == "disable":
                set_active(username, False, "boss", clock.now)
            else:
                update_account(username, "staff", None, "boss", clock.now)
        assert not _is_signed_in(client), change


def test_session_cookie_flags(database_targets, clock):
    app = make_app(database_targets["sqlite"], clock, SESSION_COOKIE_SECURE=True)
    make_account(app, "alice", "organizer")
    client = app.test_client()
    response = sign_in(client, "alice")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_console_pages_are_not_cached(app):
    client = _signed_in(app)
    assert client.get("/admin/audit").headers.get("Cache-Control") == "no-store"
    assert app.test_client().get("/admin/login").headers.get("Cache-Control") == "no-store"
