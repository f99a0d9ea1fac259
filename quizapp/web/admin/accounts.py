"""账号: accounts for admins (create, reset a password, change a role or region, disable)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ...domain.errors import DomainError, ValidationError
from ...domain.permissions import MANAGE_ACCOUNTS
from ...services import users
from ..common import now
from . import bp
from .access import requires
from .forms import AccountCreateForm, AccountUpdateForm, ConfirmForm, PasswordResetForm


def _page(create_form: AccountCreateForm | None = None, status: int = 200, forms: dict | None = None):
    accounts = users.list_users()
    forms = forms or {}
    rows = [{"user": user,
             "role_form": forms.get(("update", user.username)) or AccountUpdateForm(prefix=f"u{user.id}", obj=user),
             "password_form": forms.get(("password", user.username)) or PasswordResetForm(prefix=f"p{user.id}"),
             "toggle_form": ConfirmForm(prefix=f"t{user.id}")} for user in accounts]
    return render_template("admin/accounts.html", rows=rows, create_form=create_form or AccountCreateForm(),
                           me=current_user.username), status


def _actor() -> str:
    return current_user.username


@bp.get("/accounts")
@requires(MANAGE_ACCOUNTS)
def accounts():
    """Every account with its role, region, state and last sign-in."""
    return _page()


@bp.post("/accounts")
@requires(MANAGE_ACCOUNTS)
def account_create():
    """Create an account; errors are shown beside their fields."""
    form = AccountCreateForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        user = users.create_user(form.username.data or "", form.password.data or "", form.role.data,
                                 form.region.data, actor=_actor(), now=now())
    except ValidationError as exc:
        form.add_errors(exc.fields)
        return _page(form, 422)
    flash(f"已创建账号 {user.username}", "success")
    return redirect(url_for("admin.accounts"))


def _run(username: str, kind: str, form, apply):
    """Run one account change; field errors re-show the page, other refusals come back as a message."""
    if not form.validate_on_submit():
        return _page(status=400)
    try:
        message = apply()
    except ValidationError as exc:
        form.add_errors(exc.fields)
        return _page(status=422, forms={(kind, username): form})
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.accounts"))
    flash(message, "success")
    return redirect(url_for("admin.accounts"))


@bp.post("/accounts/<username>/update")
@requires(MANAGE_ACCOUNTS)
def account_update(username: str):
    """Change the role or region (the last admin stays an admin)."""
    user = users.get_user(username)
    form = AccountUpdateForm(prefix=f"u{user.id}")

    def apply() -> str:
        users.update_account(username, form.role.data, form.region.data, _actor(), now())
        return f"已更新账号 {username}"

    return _run(username, "update", form, apply)


@bp.post("/accounts/<username>/password")
@requires(MANAGE_ACCOUNTS)
def account_password(username: str):
    """Set a new password; the account's sessions end."""
    user = users.get_user(username)
    form = PasswordResetForm(prefix=f"p{user.id}")

    def apply() -> str:
        users.set_password(username, form.password.data or "", _actor(), now())
        return f"已重设 {username} 的密码，该账号的所有登录会话已失效"

    return _run(username, "password", form, apply)


@bp.post("/accounts/<username>/toggle")
@requires(MANAGE_ACCOUNTS)
def account_toggle(username: str):
    """Disable an active account or enable a disabled one, after the confirmation tick."""
    user = users.get_user(username)
    form = ConfirmForm(prefix=f"t{user.id}")
    if form.validate_on_submit() and not form.confirm.data:
        flash("请先勾选“我确认执行此操作”", "error")
        return redirect(url_for("admin.accounts"))
    enable = not user.active

    def apply() -> str:
        users.set_active(username, enable, _actor(), now())
        return f"已{'启用' if enable else '停用'}账号 {username}"

    return _run(username, "toggle", form, apply)
