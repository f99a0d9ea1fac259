"""The contest form's live pool counts and a 预览 round in a real (headless) Chromium at 1366×768,
with the app's CSP in force (the script is a static file; no inline code)."""

from __future__ import annotations

import json
import re

import pytest

from quizapp.models import utcnow
from quizapp.services.banks import import_bank_bytes
from quizapp.services.contests import load_contest
from quizapp.services.users import create_user
from tests.browser.support import browser_page, console_sign_in, require_chromium, serving
from tests.conftest import contest_definition, make_app, sample_bank

pytestmark = pytest.mark.browser
PASSWORD = "console-pass-123"


@pytest.fixture
def server(database_targets):
    """The app on a free port with CSRF on, the sample bank, an open contest and an organizer."""
    require_chromium()
    app = make_app(database_targets["sqlite"], utcnow, WTF_CSRF_ENABLED=True)
    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(starts_at="today-1d", ends_at="today+30d"), utcnow())
        create_user("organizer-qian", PASSWORD, "organizer", actor="test", now=utcnow())
    with serving(app) as base:
        yield base


@pytest.fixture
def page(server):
    with browser_page(viewport={"width": 1366, "height": 768}) as tab:
        console_sign_in(tab, server, "organizer-qian", PASSWORD)
        tab.wait_for_url(re.compile(r"/admin/contests$"))
        yield tab


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
