"""The 排队中 screen in a real (headless) Chromium at 360 px: registering while the launch budget is
used up queues the person, and waiting.js lets them in by itself without retyping anything."""

from __future__ import annotations

import re

import pytest

from tests.api.test_rate_limits import random_phone
from tests.browser.support import browser_page, live_contest_app, require_chromium, serving

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 360, 740
SCREENSHOT = "/tmp/waiting-360.png"


@pytest.fixture
def crowded(database_targets):
    """(app, base URL): CSRF on, real clock, rate limits on with a budget of one registration a second."""
    require_chromium()
    app = live_contest_app(database_targets["sqlite"], RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                   ADMISSION_REGISTER_PER_SECOND=1)
    with serving(app) as base:
        yield app, base


def use_up_the_budget(app, crowd: int) -> None:
    """Other people register first: one gets in, the rest of the crowd queues ahead of the browser."""
    people = []
    for _ in range(crowd):  # each a browser of their own, with the form's CSRF token
        client = app.test_client()
        people.append((client, re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/c/live").text)[1]))
    for client, token in people:
        client.post("/c/live/register", data={"csrf_token": token, "name": "路人", "phone": random_phone(),
                                               "region": "呼和浩特市", "consent": "y", "age_confirmed": "y"})


def test_a_queued_registration_gets_in_by_itself(crowded):
    app, base = crowded
    with browser_page(viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True, has_touch=True) as page:
        page.goto(f"{base}/c/live")
        page.fill("#name", "王阿姨")
        page.fill("#phone", "138 1234 5678")
        page.select_option("#region", "包头市")
        page.locator("label.option", has=page.locator("#consent")).click()
        page.locator("label.option", has=page.locator("#age_confirmed")).click()
        # Three ahead in this second: the server asks the browser for a few seconds (1 + queue depth).
        use_up_the_budget(app, 4)
        page.get_by_role("button", name="登记", exact=True).click()

        page.get_by_role("heading", name="排队中").wait_for()
        status = page.locator("#waiting-status")
        assert re.fullmatch(r"\d 秒后自动重试，请不要关闭本页", status.inner_text().strip()), status.inner_text()
        assert status.get_attribute("aria-live") == "polite"
        # What was typed is still there, and nothing on the screen is wider than the phone.
        assert page.input_value("#name") == "王阿姨" and page.input_value("#phone") == "138 1234 5678"
        assert page.input_value("#region") == "包头市" and page.is_checked("#consent")
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        page.screenshot(path=SCREENSHOT)

        # No key pressed: the countdown runs out, the same form goes again and this time gets in.
        page.get_by_text("登记成功").wait_for(timeout=15000)
        assert page.get_by_role("heading", name="您好，王**").is_visible()  # masked, even to its owner
        # The form's #register-errors fragment rides along the redirect; there is no summary to focus now.
        assert page.url.split("#")[0] == f"{base}/c/live"
        # A refused document load is reported by Chromium itself; any script error would be ours.
        assert [e for e in page.errors if "status of 429" not in e] == []


def test_a_busy_autosave_is_sent_again_after_retry_after(crowded):
    """round.js: a 503 (or 429) on the background save of a choice is retried, not dropped."""
    _app, base = crowded
    with browser_page(viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True, has_touch=True) as page:
        page.goto(f"{base}/c/live")
        page.fill("#name", "李大爷")
        page.fill("#phone", random_phone())
        page.select_option("#region", "包头市")
        page.locator("label.option", has=page.locator("#consent")).click()
        page.locator("label.option", has=page.locator("#age_confirmed")).click()
        page.get_by_role("button", name="登记", exact=True).click()
        page.get_by_role("button", name="开始答题").click()
        page.wait_for_url(re.compile(r"/c/live/play"))

        refused = []

        def busy_once(route):
            # The first background save meets a busy database; the later ones reach the server.
            if route.request.method == "POST" and not refused:
                refused.append(route.request.url)
                route.fulfill(status=503, headers={"Retry-After": "1"}, body="busy")
            else:
                route.continue_()

        page.route(re.compile(r".*/c/live/play$"), busy_once)
        picked = page.locator("label.option").nth(1)
        picked_id = picked.locator("input").get_attribute("value")
        with page.expect_response(lambda r: r.request.method == "POST" and r.status == 204, timeout=10000):
            picked.click()
        assert len(refused) == 1
        page.unroute(re.compile(r".*/c/live/play$"))
        page.goto(f"{base}/c/live/play?q=1")  # without ?q= the page would open the first unanswered one
        assert page.locator(f"input[value='{picked_id}']").is_checked()
        assert [e for e in page.errors if "status of 503" not in e] == []
