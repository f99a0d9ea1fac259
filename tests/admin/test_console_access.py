"""Access to the console (CONTRACT §6 Access, Roles): login for every path, 403 by role, CSRF on
every POST, and the navigation each role sees."""

from __future__ import annotations

import re

import pytest

from quizapp.domain.permissions import ALLOWED, ROLES, allowed
from quizapp.extensions import db
from quizapp.models import User
from tests.admin.conftest import make_account, sign_in

ROLE_PAGES = {  # path: the roles that may open it
    "/admin/accounts": {"admin"},
    "/admin/audit": {"admin", "organizer"},
}


def _console_rules(app, method: str):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin.") and method in rule.methods and rule.endpoint != "admin.login":
            yield rule


def _sample_path(rule) -> str:
    values = {name: ("demo" if name == "slug" else "x1") for name in rule.arguments}
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", value, path)
    return path


def test_every_console_path_needs_a_login(app, client):
    paths = [_sample_path(rule) for rule in _console_rules(app, "GET")] + ["/admin/no-such-page"]
    assert "/admin/accounts" in paths
    for path in paths:
        response = client.get(path)
        if path.endswith(".json"):
            assert response.status_code == 401, path
            assert response.get_json()["error"]["code"] == "unauthorized"
        else:
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/admin/login"), path
    assert client.get("/admin/contests/demo/stats.json").status_code == 401


def test_every_console_post_needs_a_login(app, client):
    for rule in _console_rules(app, "POST"):
        response = client.post(_sample_path(rule), data={})
        assert response.status_code in (302, 401), rule.rule
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/admin/login")


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role(app, console, role):
    client = console(role)
    for path, roles in ROLE_PAGES.items():
        response = client.get(path)
        expected = 200 if role in roles else 403
        assert response.status_code == expected, (role, path)
        if expected == 403:
            assert "没有权限" in response.get_data(as_text=True)


def test_403_on_a_json_path_is_json(app):
    from werkzeug.exceptions import Forbidden

    from quizapp.web.errors import handle_http_error

    with app.test_request_context("/admin/contests/demo/stats.json"):
        response = handle_http_error(Forbidden())
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    with app.test_request_context("/admin/accounts"):
        assert handle_http_error(Forbidden()).mimetype == "text/html"


@pytest.mark.parametrize("role, shown, hidden", [
    ("admin", ["账号", "操作日志"], []),
    ("organizer", ["操作日志"], ["账号"]),
    ("staff", [], ["账号", "操作日志"]),
])
def test_navigation_shows_only_what_the_role_may_use(app, console, role, shown, hidden):
    client = console(role)
    landing = client.get("/admin/", follow_redirects=True)
    nav = re.search(r'<nav class="side".*?</nav>', landing.get_data(as_text=True), re.S)
    assert nav, landing.get_data(as_text=True)[:400]
    for label in shown:
        assert f">{label}<" in nav.group()
    for label in hidden:
        assert f">{label}<" not in nav.group()


def test_the_top_bar_names_the_user_and_role(app, console):
    page = console("organizer", username="wang").get("/admin/audit").get_data(as_text=True)
    assert "wang" in page and "组织方" in page and "退出登录" in page


def test_permission_table_is_the_contract():
    assert allowed("admin", "export.full") and allowed("admin", "accounts.manage")
    assert not allowed("organizer", "export.full") and not allowed("organizer", "accounts.manage")
    assert allowed("organizer", "export.masked") and allowed("organizer", "draw.run")
    for action in ("channels.view", "stats.view"):
        assert allowed("staff", action)
    for action in ALLOWED["admin"] - {"channels.view", "stats.view", "contests.view"}:
        assert not allowed("staff", action), action
    assert not allowed("emperor", "contests.view") and not allowed(None, "contests.view")


# --- CSRF ------------------------------------------------------------------------------------


def test_login_without_a_csrf_token_is_refused(csrf_app):
    make_account(csrf_app, "alice", "organizer")
    client = csrf_app.test_client()
    response = client.post("/admin/login", data={"username": "alice", "password": "console-pass-123"})
    assert response.status_code == 400
    assert client.get("/admin/audit").status_code == 302


def test_every_console_post_checks_the_csrf_token(csrf_app):
    make_account(csrf_app, "boss", "admin")
    client = csrf_app.test_client()
    assert sign_in(client, "boss").status_code == 302
    posts = list(_console_rules(csrf_app, "POST"))
    assert any(rule.endpoint == "admin.logout" for rule in posts)
    for rule in posts:
        response = client.post(_sample_path(rule), data={"username": "eve", "password": "x" * 12, "role": "admin"})
        assert response.status_code == 400, rule.rule
    with csrf_app.app_context():
        assert db.session.execute(db.select(User.username)).scalars().all() == ["boss"]
    assert client.get("/admin/audit").status_code == 200  # the logout without a token did nothing
