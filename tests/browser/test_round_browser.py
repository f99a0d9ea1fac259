"""A whole round in a real (headless) Chromium at phone size with a WeChat user agent."""

from __future__ import annotations

import re

import pytest

from tests.browser.support import browser_page, live_contest_app, require_chromium, serving

pytestmark = pytest.mark.browser

WECHAT_UA = ("Mozilla/5.0 (Linux; Android 12; V2049A Build/SP1A.210812.003; wv) AppleWebKit/537.36 "
             "(KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 "
             "MMWEBSDK/20230202 MicroMessenger/8.0.33.2320(0x2800213B) WeChat/arm64 Weixin NetType/4G "
             "Language/zh_CN ABI/arm64")
WIDTH = 375


@pytest.fixture
def live_server(database_targets):
    """The app on a free local port, CSRF on, real clock, a contest open from yesterday for 30 days."""
    require_chromium()
    app = live_contest_app(database_targets["sqlite"])
    with serving(app) as base:
        yield base


@pytest.fixture
def phone_page():
    """A 375×667 touch page that claims to be WeChat's browser; console errors are collected."""
    with browser_page(viewport={"width": WIDTH, "height": 667}, user_agent=WECHAT_UA,
                      is_mobile=True, has_touch=True) as page:
        yield page


def no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, page.url


def progress(page) -> str:
    return page.locator(".progress").inner_text().strip()


def answer_and_next(page) -> None:
    """Tick the first option and press the primary button (保存并下一题 or 交卷)."""
    page.locator("label.option").first.click()
    page.locator(".actions button.primary").click()
    page.wait_for_load_state()


def test_round_in_wechat_sized_chromium(live_server, phone_page):
    page = phone_page
    page.goto(f"{live_server}/c/live?ch=poster")
    no_horizontal_scroll(page)
    page.fill("#name", "王小明")
    page.fill("#phone", "138 1234 5678")
    page.select_option("#region", "包头市")
    page.locator("label.option", has=page.locator("#consent")).click()
    page.locator("label.option", has=page.locator("#age_confirmed")).click()
    page.get_by_role("button", name="登记", exact=True).click()
    page.get_by_text("登记成功").wait_for()
    page.get_by_role("button", name="开始答题").click()
    page.wait_for_url(re.compile(r"/c/live/play"))
    assert progress(page) == "1 / 8"
    assert re.fullmatch(r"(09:5\d|10:00)", page.locator("#countdown").inner_text())
    no_horizontal_scroll(page)

    for _ in range(2):
        answer_and_next(page)
    chosen = page.locator("label.option").nth(1)
    chosen.click()
    chosen_id = chosen.locator("input").get_attribute("value")
    page.get_by_role("button", name="保存并下一题").click()
    page.wait_for_url(re.compile(r"q=4"))
    stem = page.locator(".stem").inner_text()

    # A choice is saved the moment it is made: reload without pressing any button.
    picked = page.locator("label.option").nth(0)
    picked_id = picked.locator("input").get_attribute("value")
    with page.expect_response(lambda r: r.request.method == "POST" and r.status == 204):
        picked.click()

    page.reload()  # a dropped connection or a reload resumes the same round at the same place
    assert progress(page) == "4 / 8" and page.locator(".stem").inner_text() == stem
    assert page.locator(f"input[value='{picked_id}']").is_checked()
    page.get_by_role("button", name="上一题").click()
    page.wait_for_url(re.compile(r"q=3"))
    assert page.locator(f"input[value='{chosen_id}']").is_checked()
    assert page.locator(".cell.answered").count() == 4  # 1–3 by button, 4 by the background save

    page.get_by_role("button", name="保存并下一题").click()
    page.wait_for_url(re.compile(r"q=4"))
    while page.get_by_role("button", name="保存并下一题").count():
        answer_and_next(page)
    assert progress(page) == "8 / 8"
    answer_and_next(page)  # the primary button on the last question is 交卷
    page.get_by_text("确定交卷吗").wait_for()
    page.get_by_role("button", name="确定交卷").click()
    page.wait_for_url(re.compile(r"/c/live/result/"))
    assert re.search(r"\d+\s*/\s*50", page.locator(".score .big").inner_text())
    assert page.locator(".explain").count() == 8 and "解析" in page.locator(".explain").first.inner_text()
    assert page.locator(".source").count() == 8
    no_horizontal_scroll(page)
    assert page.errors == []

    # The narrowest phones in use are 360 px wide: every participant page must fit without sideways scroll.
    page.set_viewport_size({"width": 360, "height": 640})
    result_url = page.url
    for path in (result_url, f"{live_server}/c/live", f"{live_server}/c/live/me", f"{live_server}/c/live/leaderboard"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        body_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert body_px >= 18, (path, body_px)  # large text for older players
