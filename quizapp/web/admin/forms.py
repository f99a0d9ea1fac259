"""Console forms: fields and CSRF only; the rules live in the services, whose ValidationError
reasons are copied onto the fields here."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from ...domain.permissions import ROLE_NAMES, ROLES


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms' choice objects (plain tuples are deprecated)."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


class ConsoleForm(FlaskForm):
    """A form that can take a service's field reasons."""

    def add_errors(self, fields: dict[str, str]) -> dict[str, str]:
        """Copy service reasons onto matching fields; return the ones no field shows."""
        rest = {}
        for name, reason in fields.items():
            if name in self._fields:
                self._fields[name].errors = [*self._fields[name].errors, reason]
            else:
                rest[name] = reason
        return rest


class LoginForm(ConsoleForm):
    """Username and password."""

    username = StringField("用户名", render_kw={"autocomplete": "username", "maxlength": 64, "autofocus": True})
    password = PasswordField("密码", render_kw={"autocomplete": "current-password", "maxlength": 200})
    next = HiddenField()


ROLE_CHOICES = options((role, ROLE_NAMES[role]) for role in ROLES)


class AccountCreateForm(ConsoleForm):
    """A new account."""

    username = StringField("用户名", render_kw={"maxlength": 64, "autocomplete": "off"})
    role = SelectField("角色", choices=ROLE_CHOICES, default="organizer")
    region = StringField("限定地区（留空为全部地区）", render_kw={"maxlength": 64})
    password = PasswordField("初始密码（至少 10 位）", render_kw={"autocomplete": "new-password", "maxlength": 200})


class AccountUpdateForm(ConsoleForm):
    """Role and region of an existing account."""

    role = SelectField("角色", choices=ROLE_CHOICES)
    region = StringField("限定地区（留空为全部地区）", render_kw={"maxlength": 64})


class PasswordResetForm(ConsoleForm):
    """A new password for an account."""

    password = PasswordField("新密码（至少 10 位）", render_kw={"autocomplete": "new-password", "maxlength": 200})


class ConfirmForm(ConsoleForm):
    """A bare POST with its CSRF token and a confirmation tick, for actions that need one."""

    confirm = BooleanField("我确认执行此操作")
