"""Signing in (CONTRACT §6 Login): one message for every failure, the throttle, new sessions, logout."""

from __future__ import annotations

from datetime import timedelta

from quizapp.extensions import db
from quizapp.models import AuditLog, LoginThrottle, User
from tests.admin.conftest import PASSWORD, make_account, sign_in
from tests.conftest import make_app

GENERIC = "用户名或密码错误"


def _actions(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(row.action, row.actor) for row in db.session.execute(
            db.select(AuditLog).order_by(AuditLog.id)).scalars()]


def test_good_login_redirects_into_the_console(app, client, clock):
    make_account(app, "alice", "organizer")
    response = sign_in(client, "alice")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin")
    assert client.get("/admin/audit").status_code == 200
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(username="alice")).scalar_one()
        assert user.last_login_at == clock.now
    assert ("login", "alice") in _actions(app)


def test_unknown_user_and_wrong_password_get_the_same_page(app, client):
    make_account(app, "alice", "organizer")
    wrong_password = sign_in(client, "alice", "not the password")
    unknown_user = sign_in(client, "mallory", "not the password")
    assert wrong_password.status_code == unknown_user.status_code == 200
    for response in (wrong_password, unknown_user):
        assert GENERIC in response.get_data(as_text=True)
    strip = lambda r: r.get_data(as_text=True).replace("alice", "X").replace("mallory", "X")  # noqa: E731
    assert strip(wrong_password).split("csrf")[0] == strip(unknown_user).split("csrf")[0]
    assert client.get("/admin/audit").status_code == 302  # still signed out


def test_disabled_account_gets_the_generic_message(app, client):
    make_account(app, "alice", "organizer")
    make_account(app, "boss", "admin")
    from quizapp.services.users import set_active

    with app.app_context():
        set_active("alice", False, "boss", app.config["CLOCK"]())
    response = sign_in(client, "alice")
    assert response.status_code == 200 and GENERIC in response.get_data(as_text=True)


def test_failed_login_of_an_unknown_name_is_audited_without_the_name(app, client):
    sign_in(client, "my-secret-password-typed-here", "x")
    actions = _actions(app)
    assert actions == [("login_failure", "(未知账号)")]


def test_ten_failures_lock_the_username_for_the_rest_of_the_window(app, client, clock):
    make_account(app, "alice", "organizer")
    for _ in range(10):
        assert sign_in(client, "alice", "wrong password").status_code == 200
        clock.advance(seconds=30)
    locked = sign_in(client, "alice", PASSWORD)  # the right password, still refused
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert "登录失败次数过多" in locked.get_data(as_text=True)
    assert sign_in(client, "ALICE", PASSWORD).status_code == 429  # case does not open a second count
    clock.advance(minutes=10, seconds=1)  # 15 minutes after the first failure
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_nine_failures_then_success_clears_the_count(app, client, clock):
    make_account(app, "alice", "organizer")
    for _ in range(9):
        sign_in(client, "alice", "wrong password")
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.post("/admin/logout")
    for _ in range(9):
        sign_in(client, "alice", "wrong password")
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_the_address_throttle_spans_usernames(database_targets, clock):
    app = make_app(database_targets["sqlite"], clock, ADMIN_LOGIN_PER_ADDRESS=5)
    make_account(app, "alice", "organizer")
    client = app.test_client()
    for number in range(5):
        sign_in(client, f"guess{number}", "wrong password")
    assert sign_in(client, "alice", PASSWORD).status_code == 429
    other_address = app.test_client()
    other_address.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert sign_in(other_address, "alice", PASSWORD).status_code == 302


def test_the_throttle_is_shared_by_every_worker(app, clock, database_targets):
    make_account(app, "alice", "organizer")
    other_worker = make_app(database_targets[app.config["BACKEND"]], clock)
    # make_app empties the tables; create the account again and count failures on both "workers"
    make_account(other_worker, "alice", "organizer")
    for number in range(10):
        sign_in((app if number % 2 else other_worker).test_client(), "alice", "wrong password")
    assert sign_in(app.test_client(), "alice", PASSWORD).status_code == 429
    with app.app_context():
        row = db.session.execute(db.select(LoginThrottle).where(LoginThrottle.key == "user:alice")).scalar_one()
        assert row.failures == 10
        assert row.window_start <= clock.now < row.window_start + timedelta(minutes=15)


def test_login_starts_a_new_session(app, client):
    make_account(app, "alice", "organizer")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, "alice")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_next_stays_inside_the_console(app, client):
    make_account(app, "alice", "organizer")
    assert sign_in(client, "alice", next="/admin/audit").headers["Location"] == "/admin/audit"
    client.post("/admin/logout")
    for outside in ("https://evil.example/admin", "//evil.example/admin", "/c/demo"):
        location = sign_in(client, "alice", next=outside).headers["Location"]
        assert location == "/admin/", location
        client.post("/admin/logout")


def test_logout_ends_the_session_on_the_server(app, client):
    make_account(app, "alice", "organizer")
    sign_in(client, "alice")
    stolen = client.get_cookie("session").value
    assert client.post("/admin/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/admin/audit")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert replay.get("/admin/contests/demo/stats.json").status_code == 401
    assert ("logout", "alice") in _actions(app)


def test_password_is_never_in_the_audit_log(app, client):
    make_account(app, "alice", "organizer")
    sign_in(client, "alice", "wrong password 12345")
    sign_in(client, "alice")
    with app.app_context():
        for row in db.session.execute(db.select(AuditLog)).scalars():
            text = f"{row.actor} {row.target} {row.detail}"
            assert PASSWORD not in text and "wrong password 12345" not in text
