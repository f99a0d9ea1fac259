"""Console fixtures: accounts of each role and test clients signed in as them."""

from __future__ import annotations

import re

import pytest

from quizapp.services.users import create_user
from tests.conftest import Clock

PASSWORD = "console-pass-123"


def make_account(app, username: str, role: str, region: str | None = None, clock: Clock | None = None):
    """Create an account (password PASSWORD) in the app's database."""
    with app.app_context():
        create_user(username, PASSWORD, role, region, actor="test", now=clock.now if clock else None)


def csrf_token(client, path: str = "/admin/login") -> str:
    """The CSRF token of a console form page."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, username: str, password: str = PASSWORD, **extra):
    """Post the sign-in form (with a CSRF token when the app checks them)."""
    data = {"username": username, "password": password, **extra}
    if client.application.config.get("WTF_CSRF_ENABLED", True):
        data["csrf_token"] = csrf_token(client)
    return client.post("/admin/login", data=data)


@pytest.fixture
def console(app, clock):
    """console(role, region=None) → a test client signed in as a new account of that role."""
    count = {"n": 0}

    def signed_in(role: str = "organizer", region: str | None = None, username: str | None = None):
        count["n"] += 1
        username = username or f"{role}{count['n']}"
        make_account(app, username, role, region, clock)
        client = app.test_client()
        response = sign_in(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return signed_in


@pytest.fixture
def csrf_app(database_targets, clock):
    """An app on SQLite that checks CSRF tokens, as production does."""
    from tests.conftest import make_app

    return make_app(database_targets["sqlite"], clock, WTF_CSRF_ENABLED=True)
