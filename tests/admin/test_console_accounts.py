"""账号 page: admins create accounts, reset passwords, change roles and regions, disable accounts;
the last admin can never be removed; every change is audited."""

from __future__ import annotations

from quizapp.extensions import db
from quizapp.models import AuditLog, User
from quizapp.services.users import verify_login
from tests.admin.conftest import sign_in


def _user(app, username: str) -> User | None:
    with app.app_context():
        return db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()


def _audit(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(r.action, r.actor, r.target) for r in db.session.execute(
            db.select(AuditLog).where(AuditLog.action.like("account%")).order_by(AuditLog.id)).scalars()]


def test_admin_creates_an_account_with_a_region(app, console):
    client = console("admin", username="boss")
    response = client.post("/admin/accounts", data={"username": "zhao", "role": "staff", "region": "包头市",
                                                    "password": "a good password"})
    assert response.status_code == 302
    page = client.get("/admin/accounts").get_data(as_text=True)
    assert "已创建账号 zhao" in page and "包头市" in page
    user = _user(app, "zhao")
    assert user.role == "staff" and user.region == "包头市"
    assert "a good password" not in user.password_hash and user.password_hash.startswith("scrypt:")
    assert ("account_create", "boss", "zhao") in _audit(app)


def test_create_errors_are_shown_beside_their_fields(app, console):
    client = console("admin")
    response = client.post("/admin/accounts", data={"username": "x", "role": "organizer", "password": "short"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="username-error"' in page and "用户名须为" in page
    assert _user(app, "x") is None
    response = client.post("/admin/accounts", data={"username": "okname", "role": "organizer", "password": "short"})
    assert 'id="password-error"' in response.get_data(as_text=True) and "至少 10 位" in response.get_data(as_text=True)


def test_reset_password_and_change_role(app, console, clock):
    client = console("admin", username="boss")
    client.post("/admin/accounts", data={"username": "liu", "role": "organizer", "password": "first password"})
    user = _user(app, "liu")
    assert client.post("/admin/accounts/liu/password", data={f"p{user.id}-password": "second password"}).status_code == 302
    with app.app_context():
        assert verify_login("liu", "second password") and not verify_login("liu", "first password")
    assert client.post("/admin/accounts/liu/update", data={f"u{user.id}-role": "staff",
                                                          f"u{user.id}-region": "呼和浩特市"}).status_code == 302
    assert (_user(app, "liu").role, _user(app, "liu").region) == ("staff", "呼和浩特市")
    actions = [a for a, _, t in _audit(app) if t == "liu"]
    assert actions == ["account_create", "account_password", "account_update"]


def test_a_short_reset_password_is_shown_on_its_row(app, console):
    client = console("admin")
    client.post("/admin/accounts", data={"username": "liu", "role": "organizer", "password": "first password"})
    user = _user(app, "liu")
    response = client.post("/admin/accounts/liu/password", data={f"p{user.id}-password": "short"})
    assert response.status_code == 422
    assert f'id="p{user.id}-password-error"' in response.get_data(as_text=True)


def test_disable_needs_the_confirmation_tick(app, console):
    client = console("admin", username="boss")
    client.post("/admin/accounts", data={"username": "liu", "role": "organizer", "password": "first password"})
    other = app.test_client()
    sign_in(other, "liu", "first password")
    user = _user(app, "liu")
    response = client.post("/admin/accounts/liu/toggle", data={}, follow_redirects=True)
    assert "请先勾选" in response.get_data(as_text=True) and _user(app, "liu").active
    client.post("/admin/accounts/liu/toggle", data={f"t{user.id}-confirm": "y"})
    assert not _user(app, "liu").active
    assert other.get("/admin/audit").status_code == 302  # signed out at once
    client.post("/admin/accounts/liu/toggle", data={f"t{user.id}-confirm": "y"})
    assert _user(app, "liu").active


def test_the_last_admin_can_be_neither_disabled_nor_demoted(app, console):
    client = console("admin", username="boss")
    boss = _user(app, "boss")
    page = client.post("/admin/accounts/boss/toggle", data={f"t{boss.id}-confirm": "y"},
                       follow_redirects=True).get_data(as_text=True)
    assert "最后一个管理员" in page and _user(app, "boss").active
    page = client.post("/admin/accounts/boss/update", data={f"u{boss.id}-role": "organizer"},
                       follow_redirects=True).get_data(as_text=True)
    assert "最后一个管理员" in page and _user(app, "boss").role == "admin"
    client.post("/admin/accounts", data={"username": "boss2", "role": "admin", "password": "another password"})
    assert client.post("/admin/accounts/boss/update", data={f"u{boss.id}-role": "organizer"}).status_code == 302
    assert _user(app, "boss").role == "organizer"


def test_a_disabled_admin_does_not_count_as_the_other_admin(app, console):
    client = console("admin", username="boss")
    client.post("/admin/accounts", data={"username": "boss2", "role": "admin", "password": "another password"})
    boss2 = _user(app, "boss2")
    client.post("/admin/accounts/boss2/toggle", data={f"t{boss2.id}-confirm": "y"})
    boss = _user(app, "boss")
    client.post("/admin/accounts/boss/toggle", data={f"t{boss.id}-confirm": "y"})
    assert _user(app, "boss").active


def test_organizers_cannot_change_accounts(app, console):
    client = console("organizer", username="org")
    assert client.post("/admin/accounts", data={"username": "evil", "role": "admin",
                                                "password": "a good password"}).status_code == 403
    assert _user(app, "evil") is None
    org = _user(app, "org")
    assert client.post("/admin/accounts/org/update", data={f"u{org.id}-role": "admin"}).status_code == 403
    assert _user(app, "org").role == "organizer"


def test_unknown_account_is_a_404(app, console):
    client = console("admin")
    response = client.post("/admin/accounts/nobody/password", data={})
    assert response.status_code == 404
