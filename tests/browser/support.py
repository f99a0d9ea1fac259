"""Shared browser-test plumbing: the app on a free local port, and a Chromium page that collects
console errors. Debian's chromium only, never a downloaded browser build."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from quizapp.extensions import db

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def live_contest_app(target: dict, **extra):
    """The app with CSRF on and the real clock, and the contest `live` open from yesterday for 30 days."""
    from quizapp.models import utcnow
    from tests.conftest import app_with_contest, contest_definition

    live = contest_definition(slug="live", starts_at="today-1d", ends_at="today+30d")
    return app_with_contest(target, utcnow, live, WTF_CSRF_ENABLED=True, **extra)


def require_chromium() -> None:
    """Skip the test when Debian's chromium is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")


@contextlib.contextmanager
def serving(app):
    """Serve `app` on a free port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@contextlib.contextmanager
def browser_page(**context_options):
    """A new Chromium page; `page.errors` collects console errors and uncaught exceptions."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_context(locale="zh-CN", **context_options).new_page()
            page.errors = []
            page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
            page.on("pageerror", lambda exc: page.errors.append(str(exc)))
            yield page
        finally:
            browser.close()


def console_sign_in(page, base: str, username: str, password: str) -> None:
    """Sign in through the console's form."""
    page.goto(f"{base}/admin/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.get_by_role("button", name="登录").click()
