"""The contest form's live pool counts and a 预览 round in a real (headless) Chromium at 1366×768,
with the app's CSP in force (the script is a static file; no inline code)."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from quizapp.extensions import db
from quizapp.models import utcnow
from quizapp.services.banks import import_bank_bytes
from quizapp.services.contests import load_contest
from quizapp.services.users import create_user
from tests.browser.test_round_browser import ARGS, CHROMIUM
from tests.conftest import contest_definition, make_app, sample_bank

pytestmark = pytest.mark.browser
PASSWORD = "console-pass-123"


@pytest.fixture
def server(database_targets):
    """The app on a free port with CSRF on, the sample bank, an open contest and an organizer."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    app = make_app(database_targets["sqlite"], utcnow, WTF_CSRF_ENABLED=True)
    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(starts_at="today-1d", ends_at="today+30d"), utcnow())
        create_user("organizer-qian", PASSWORD, "organizer", actor="test", now=utcnow())
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        tab = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        tab.errors = []
        tab.on("console", lambda msg: msg.type == "error" and tab.errors.append(msg.text))
        tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
        tab.goto(f"{server}/admin/login")
        tab.fill("#username", "organizer-qian")
        tab.fill("#password", PASSWORD)
        tab.get_by_role("button", name="登录").click()
        tab.wait_for_url(re.compile(r"/admin/contests$"))
        yield tab
        browser.close()


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def pool(page, row: int):
    return page.locator("tr[data-rule-row]").nth(row).locator(".pool")


def test_pool_counts_follow_the_rule_as_it_is_edited(server, page):
    page.goto(f"{server}/admin/contests/demo/edit")
    assert pool(page, 0).inner_text() == "可抽 12 道"  # rendered by the server
    page.select_option("#draw-3-bank", ["drug-law"])
    page.select_option("#draw-3-type", "judge")
    expect(pool(page, 3)).to_have_text("可抽 6 道")
    page.fill("#draw-3-category", "法规")
    page.dispatch_event("#draw-3-category", "change")
    expect(pool(page, 3)).to_have_text("可抽 0 道")
    page.fill("#draw-0-count", "13")
    expect(pool(page, 0)).to_have_class(re.compile(r"\bshort\b"))
    page.check("#reviewed_only")
    expect(pool(page, 0)).to_have_text("可抽 0 道")
    assert page.errors == []


def test_a_preview_round_in_the_browser(server, page):
    page.goto(f"{server}/admin/contests/demo/preview")
    assert page.locator(".preview-banner").inner_text() == "预览模式：不计入成绩"
    page.get_by_role("button", name="开始预览").click()
    questions = page.locator(".preview-questions > li")
    assert questions.count() == 8
    for index in range(questions.count()):
        questions.nth(index).locator("input").first.check()
    page.get_by_role("button", name="交卷并查看结果").click()
    page.wait_for_url(re.compile(r"/admin/contests/demo/preview/[0-9a-f]{32}$"))
    assert page.locator(".review > li").count() == 8
    assert "预览模式：不计入成绩" in page.inner_text("main")
    assert page.errors == []
