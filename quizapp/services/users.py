"""Organizer accounts: creation, passwords, roles, regions, disabling, and signing in and out.

Every change is written to the audit log in the same transaction; passwords never are."""

from __future__ import annotations

import re
from datetime import datetime

from werkzeug.security import check_password_hash, generate_password_hash

from ..database import begin_write
from ..domain.errors import DomainError, ValidationError
from ..domain.permissions import ROLES, RegionScope
from ..extensions import db
from ..models import User, utcnow
from . import audit, login_throttle

USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
MIN_PASSWORD = 10
PASSWORD_METHOD = "scrypt"
# Checked against when the username is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method=PASSWORD_METHOD)

__all__ = ["ROLES", "create_user", "set_password", "set_active", "update_account", "sign_in", "sign_out"]


class LoginFailed(DomainError):
    """The one message for an unknown user, a wrong password and a disabled account."""

    code = "login_failed"

    def __init__(self):
        super().__init__("用户名或密码错误")


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError("password", f"密码至少 {MIN_PASSWORD} 位")


def _check_role_region(role: str, region: str | None) -> str | None:
    if role not in ROLES:
        raise ValidationError("role", f"角色须为 {'/'.join(ROLES)}")
    region = (region or "").strip() or None
    if region and len(region) > 64:
        raise ValidationError("region", "地区最长 64 个字符")
    return region


def get_user(username: str) -> User:
    """The account with this username, or a not_found error."""
    user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
    if user is None:
        raise DomainError(f"账号不存在：{username}", code="not_found")
    return user


def list_users() -> list[User]:
    """Every account, by username."""
    return list(db.session.execute(db.select(User).order_by(User.username)).scalars())


def scope_of(user: User) -> RegionScope:
    """The participants an account may see."""
    return RegionScope(user.region or None)


def create_user(username: str, password: str, role: str, region: str | None = None,
                actor: str = "cli", now: datetime | None = None) -> User:
    """Create an account with a scrypt-hashed password; refuses weak or duplicate input."""
    if not USERNAME.match(username or ""):
        raise ValidationError("username", "用户名须为 3–64 位字母、数字或 _ . -")
    region = _check_role_region(role, region)
    _check_password(password)
    begin_write(db.session)
    if db.session.execute(db.select(User.id).filter_by(username=username)).first():
        raise ValidationError("username", f"用户名 {username} 已存在")
    user = User(username=username, password_hash=generate_password_hash(password, method=PASSWORD_METHOD),
                role=role, region=region)
    db.session.add(user)
    audit.record("account_create", actor, None, 1, now or utcnow(), {"role": role, "region": region}, target=username)
    db.session.commit()
    return user


def _active_admins(excluding: int) -> int:
    return db.session.execute(db.select(db.func.count(User.id)).where(
        User.role == "admin", User.active.is_(True), User.id != excluding)).scalar_one()


def _keep_an_admin(user: User, role: str, active: bool) -> None:
    if user.role == "admin" and user.active and (role != "admin" or not active) and not _active_admins(user.id):
        raise DomainError("不能停用或降级最后一个管理员账号：请先指定另一个管理员", code="last_admin")


def set_password(username: str, password: str, actor: str, now: datetime) -> User:
    """Set a new password; every session of the account ends."""
    _check_password(password)
    begin_write(db.session)
    user = get_user(username)
    user.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    user.session_version += 1
    audit.record("account_password", actor, None, 1, now, target=username)
    db.session.commit()
    return user


def set_active(username: str, active: bool, actor: str, now: datetime) -> User:
    """Disable or re-enable an account; disabling ends its sessions. The last admin stays."""
    begin_write(db.session)
    user = get_user(username)
    _keep_an_admin(user, user.role, active)
    if user.active != active:
        user.active = active
        user.session_version += 1
        audit.record("account_enable" if active else "account_disable", actor, None, 1, now, target=username)
    db.session.commit()
    return user


def update_account(username: str, role: str, region: str | None, actor: str, now: datetime) -> User:
    """Change an account's role or region; the last admin cannot be demoted."""
    region = _check_role_region(role, region)
    begin_write(db.session)
    user = get_user(username)
    _keep_an_admin(user, role, user.active)
    changes = {k: v for k, v in (("role", role), ("region", region)) if getattr(user, k) != v}
    if changes:
        user.role, user.region = role, region
        user.session_version += 1  # a session must not keep the rights it had
        audit.record("account_update", actor, None, 1, now, changes, target=username)
    db.session.commit()
    return user


def sign_in(username: str, password: str, address: str, now: datetime,
            limits: login_throttle.ThrottleLimits) -> User:
    """The account, if the password matches and neither the username nor the address is throttled.

    Raises LoginThrottled or LoginFailed; both outcomes are audited."""
    username = (username or "").strip()
    login_throttle.check(username, address, now, limits)
    user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
    good = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if not (user and good and user.active):
        login_throttle.record_failure(username, address, now, limits)
        # A name typed into the wrong field may be a password: log it only when it is an account.
        audit.record("login_failure", username if user else "(未知账号)", None, 0, now)
        db.session.commit()
        raise LoginFailed()
    begin_write(db.session)
    login_throttle.forget_username(username, limits)
    user.last_login_at = now
    audit.record("login", user.username, None, 0, now)
    db.session.commit()
    return user


def sign_out(user: User, now: datetime) -> None:
    """End the account's sessions on the server: cookies issued before stop working."""
    begin_write(db.session)
    user = db.session.merge(user)
    user.session_version += 1
    audit.record("logout", user.username, None, 0, now)
    db.session.commit()


def verify_login(username: str, password: str) -> User | None:
    """The active user whose password matches, else None (no throttle, no audit: for scripts)."""
    user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
    if user and user.active and check_password_hash(user.password_hash, password or ""):
        return user
    return None
