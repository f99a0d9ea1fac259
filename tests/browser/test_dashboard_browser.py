"""The statistics dashboard in a real (headless) Chromium under the app's CSP: dashboard.js draws the
five Chart.js charts, refreshes #figures from the page itself, and the page fits at 683 px."""

from __future__ import annotations

import json
import re

import pytest

from quizapp.models import utcnow
from quizapp.services.banks import import_bank_bytes
from quizapp.services.channels import add_channel, get_channel, record_scan
from quizapp.services.contests import get_contest, load_contest
from quizapp.services.users import create_user
from tests.browser.support import browser_page, console_sign_in, require_chromium, serving
from tests.conftest import Api, Clock, contest_definition, make_app, sample_bank
from tests.insight.support import known_activity

pytestmark = pytest.mark.browser
PASSWORD = "console-pass-123"
CHARTS = ("days", "hours", "regions", "funnel", "bands")


def seed(app, clock) -> None:
    """The sample contest open since yesterday, an organizer, a poster channel with three scans and
    the known activity of tests/insight/support.py (4 participants, 3 of them in 包头市) and an admin."""
    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(starts_at="today-1d", ends_at="today+30d"), clock.now)
        create_user("organizer-qian", PASSWORD, "organizer", actor="test", now=clock.now)
        create_user("admin-zhao", PASSWORD, "admin", actor="test", now=clock.now)
        add_channel("demo", "poster1", "校园海报", clock.now)
        contest = get_contest("demo")
        for visitor in ("a", "b", "c"):
            record_scan(contest, get_channel(contest, "poster1"), visitor, clock.now)
    known_activity(app.test_client(), "demo", clock)


@pytest.fixture
def live(database_targets):
    """(base URL, app) with CSRF on and the seeded contest; the app's clock starts at the real time."""
    require_chromium()
    clock = Clock(utcnow())
    app = make_app(database_targets["sqlite"], clock, WTF_CSRF_ENABLED=True)
    seed(app, clock)
    with serving(app) as base:
        yield base, app


def open_dashboard(page, base: str, username: str = "organizer-qian") -> None:
    """Sign in (the organizer by default) and open the demo contest's dashboard."""
    console_sign_in(page, base, username, PASSWORD)
    page.wait_for_url(re.compile(r"/admin/contests$"))
    page.goto(f"{base}/admin/contests/demo/stats")
    page.wait_for_selector(".chart.drawn")


def headline(page, label: str) -> str:
    """The headline figure under its <dt> label."""
    return page.locator(".headline > div").filter(has=page.locator("dt", has_text=re.compile(f"^{label}$"))) \
        .locator("dd").inner_text()


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def test_charts_drawn_under_the_csp_and_a_refresh_updates_the_figures(live):
    base, app = live
    with browser_page(viewport={"width": 1366, "height": 768}) as page:
        open_dashboard(page, base)
        assert headline(page, "参赛人数") == "4"
        for name in CHARTS:
            chart = page.locator(f'.chart[data-chart="{name}"]')
            expect(chart).to_have_class(re.compile(r"\bdrawn\b"))
            assert chart.locator("canvas").evaluate("canvas => canvas.getBoundingClientRect().width") > 0
        assert page.locator("#regions tbody th").first.inner_text() == "包头市"
        Api(app.test_client(), "demo").register("13800000005", "王五", "呼和浩特市")
        # The refresh hook of dashboard.js: a short interval, then a visibilitychange finds the figures stale.
        page.evaluate("document.getElementById('figures').dataset.refreshSeconds = '1'")
        page.wait_for_timeout(1100)
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        expect(page.locator(".headline > div", has_text="参赛人数").locator("dd")).to_have_text("5")
        expect(page.locator('.chart[data-chart="regions"]')).to_have_class(re.compile(r"\bdrawn\b"))
        assert page.locator(".chart.drawn canvas").count() == 5
        assert page.errors == []


def test_a_failed_refresh_keeps_the_figures_and_says_so(live):
    base, _app = live
    with browser_page(viewport={"width": 1366, "height": 768}) as page:
        open_dashboard(page, base)
        page.route(re.compile(r"/admin/contests/demo/stats$"), lambda route: route.fulfill(status=503, body="busy"))
        page.evaluate("document.getElementById('figures').dataset.refreshSeconds = '1'")
        page.wait_for_timeout(1100)
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        expect(page.locator(".freshness .refresh-note")).to_have_text("刷新失败，将在下次重试")
        assert headline(page, "参赛人数") == "4"
        assert page.locator(".chart.drawn").count() == 5
        # The 503 is the browser's own console line for the failed fetch; nothing else may be logged.
        assert [e for e in page.errors if "503" not in e] == []


def test_an_ended_session_stops_the_refresh_with_a_sign_in_link(live):
    base, _app = live
    with browser_page(viewport={"width": 1366, "height": 768}) as page:
        open_dashboard(page, base)
        page.context.clear_cookies()
        page.evaluate("document.getElementById('figures').dataset.refreshSeconds = '1'")
        page.wait_for_timeout(1100)
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        note = page.locator(".freshness .refresh-note")
        expect(note).to_have_text("登录已过期，请重新登录")
        assert "/admin/login" in note.locator("a").get_attribute("href")
        assert page.errors == []


def test_full_export_link_asks_first(live):
    base, _app = live
    with browser_page(viewport={"width": 1366, "height": 768}) as page:
        open_dashboard(page, base, "admin-zhao")  # full exports are for admins only
        questions = []

        def refuse(dialog):
            questions.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", refuse)
        page.locator("a.full").first.click()
        page.wait_for_timeout(300)
        assert questions and "完整导出" in questions[0]
        assert page.url.endswith("/admin/contests/demo/stats")
        assert page.errors == []


def test_no_horizontal_scroll_at_683_px(live):
    base, _app = live
    with browser_page(viewport={"width": 683, "height": 384}) as page:
        open_dashboard(page, base)
        assert page.locator(".chart.drawn").count() == 5
        width = page.evaluate("window.innerWidth")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        chart = page.locator('.chart[data-chart="days"]').bounding_box()
        table = page.locator('#h-days ~ .scroll').bounding_box()
        assert chart["y"] + chart["height"] <= table["y"]  # stacked: the chart above its table
        assert page.errors == []
