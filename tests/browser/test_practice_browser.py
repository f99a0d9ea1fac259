"""练习模式 in a real (headless) Chromium at 360×740: question, feedback right and wrong, the summary;
then at 200 % text with JavaScript off, since the practice pages are plain forms."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from quizapp.extensions import db
from quizapp.models import Question
from tests.browser.support import browser_page, live_contest_app, require_chromium, serving

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 360, 740


@pytest.fixture
def live(database_targets):
    """(app, base URL): CSRF on, the real clock, a contest open from yesterday for 30 days."""
    require_chromium()
    app = live_contest_app(database_targets["sqlite"])
    with serving(app) as base:
        yield app, base


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: PRACTICE_SHOTS when set (to look at them), else the test's own folder."""
    folder = Path(os.environ.get("PRACTICE_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def right_texts(app, page) -> list[str]:
    """The correct options' texts of the question on screen, read from the bank."""
    stem = page.locator(".question .stem").inner_text().strip()
    with app.app_context():
        question = db.session.execute(db.select(Question).filter_by(stem=stem)).scalar_one()
        return [question.options[i] for i in question.answer]


def option(page, label: str):
    return page.locator("label.option").filter(has=page.locator(".text", has_text=re.compile(f"^{re.escape(label)}$")))


def answer(app, page, right: bool) -> None:
    """Tick the right option(s), or one wrong one, and press 确定."""
    wanted = right_texts(app, page)
    if right:
        for label in wanted:
            option(page, label).click()
    else:
        page.locator("label.option").filter(has_not=page.locator(".text", has_text=re.compile(
            "^(" + "|".join(map(re.escape, wanted)) + ")$"))).first.click()
    page.get_by_role("button", name="确定", exact=True).click()
    page.wait_for_load_state()


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_practice_round_at_phone_size(live, shots):
    app, base = live
    with browser_page(viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True, has_touch=True) as page:
        page.goto(f"{base}/c/live/practice")
        assert fits(page)
        page.get_by_role("button", name="开始练习").click()
        page.wait_for_url(re.compile(r"/c/live/practice$"))
        assert page.locator(".progress").inner_text().strip() == "1 / 8"
        assert page.locator(".opt.is-right, .verdict").count() == 0 and fits(page)
        page.screenshot(path=str(shots / "1-question.png"))

        answer(app, page, right=True)
        verdict = page.get_by_role("heading", name="✓ 回答正确")
        assert verdict.is_visible() and verdict.bounding_box()["y"] < HEIGHT  # seen without scrolling
        assert page.locator(".opt.is-right").count() >= 1 and page.get_by_text("解析：").is_visible()
        assert page.get_by_text("出处：").is_visible() and fits(page)
        page.screenshot(path=str(shots / "2-feedback-right.png"), full_page=True)
        page.get_by_role("button", name="下一题").click()
        assert page.locator(".progress").inner_text().strip() == "2 / 8"

        answer(app, page, right=False)
        assert page.get_by_role("heading", name="✗ 回答错误").is_visible()
        assert page.locator(".opt.is-chosen:not(.is-right)").count() == 1 and fits(page)
        page.screenshot(path=str(shots / "3-feedback-wrong.png"), full_page=True)
        for _ in range(6):
            page.get_by_role("button", name="下一题").click()
            answer(app, page, right=True)
        page.get_by_role("button", name="查看练习结果").click()
        assert page.get_by_role("heading", name="本组练习完成").is_visible()
        assert "共 8 道题，答对 7 道。" in page.locator("main").inner_text() and fits(page)
        assert page.get_by_role("link", name="参加正式答题").is_visible()
        page.screenshot(path=str(shots / "4-summary.png"), full_page=True)
        page.get_by_role("button", name="再练一组").click()
        assert page.locator(".progress").inner_text().strip() == "1 / 8"
        assert page.errors == []


def bigger_text(route) -> None:
    """Serve site.css with every font size doubled (rem and the body's 18 px): 200 % text."""
    response = route.fetch()
    route.fulfill(response=response, body=response.text() + "\nhtml { font-size: 200% !important; }"
                  "\nbody { font-size: 36px !important; }\n")


def test_practice_at_200_percent_text_without_javascript(live, shots):
    app, base = live
    with browser_page(viewport={"width": WIDTH, "height": HEIGHT}, java_script_enabled=False) as page:
        page.set_default_timeout(20_000)
        page.route(re.compile(r"/static/css/site\.[^/]*css"), bigger_text)  # the name carries a content hash
        page.goto(f"{base}/c/live/practice")
        assert page.evaluate("getComputedStyle(document.body).fontSize") == "36px"
        page.get_by_role("button", name="开始练习").click()
        assert page.locator(".progress").inner_text().strip() == "1 / 8" and fits(page)
        page.screenshot(path=str(shots / "5-question-200.png"), full_page=True)
        # Keyboard: the first option's radio takes focus and Space ticks it.
        first = page.locator("label.option input").first
        first.focus()
        page.keyboard.press("Space")
        assert first.is_checked()
        page.get_by_role("button", name="确定", exact=True).click()
        assert page.locator("h1.verdict").is_visible() and fits(page)
        page.screenshot(path=str(shots / "6-feedback-200.png"), full_page=True)
        page.get_by_role("button", name="下一题").click()
        assert page.locator(".progress").inner_text().strip() == "2 / 8"
        assert page.errors == []
