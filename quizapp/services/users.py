"""Organizer accounts."""

from __future__ import annotations

import re

from werkzeug.security import check_password_hash, generate_password_hash

from ..database import begin_write
from ..domain.errors import ValidationError
from ..extensions import db
from ..models import User

ROLES = ("admin", "organizer", "staff")
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
MIN_PASSWORD = 10


def create_user(username: str, password: str, role: str) -> User:
    """Create an account with a hashed password; refuses weak or duplicate input."""
    if not USERNAME.match(username or ""):
        raise ValidationError("username", "用户名须为 3–64 位字母、数字或 _ . -")
    if role not in ROLES:
        raise ValidationError("role", f"角色须为 {'/'.join(ROLES)}")
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError("password", f"密码至少 {MIN_PASSWORD} 位")
    begin_write(db.session)
    if db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none():
        raise ValidationError("username", f"用户名 {username} 已存在")
    user = User(username=username, password_hash=generate_password_hash(password), role=role)
    db.session.add(user)
    db.session.commit()
    return user


def verify_login(username: str, password: str) -> User | None:
    """The active user whose password matches, else None."""
    user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
    if user and user.active and check_password_hash(user.password_hash, password or ""):
        return user
    return None
