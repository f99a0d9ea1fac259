"""获取验证码 (IDENTITY_VERIFICATION=sms) in a real (headless) Chromium at 360×740: the countdown, the
aria-live status, Enter still meaning 登记, and the same form without JavaScript.

Set SHOTS=/some/dir to keep screenshots of each state."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from quizapp.extensions import db
from quizapp.models import Participant, utcnow
from tests.browser.support import browser_page, require_chromium, serving
from tests.conftest import contest_definition, make_app, sample_bank
from tests.fakes.sms_outbox import Outbox

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 360, "height": 740}
PHONE = "13812345678"
BIG_TEXT = "html { font-size: 200% !important; }"



def shot(page, name: str) -> None:
    """Keep a full-page screenshot when SHOTS names a directory."""
    folder = os.environ.get("SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def _app(database_targets, **config):
    from quizapp.services.banks import import_bank_bytes
    from quizapp.services.contests import load_contest

    app = make_app(database_targets["sqlite"], utcnow, WTF_CSRF_ENABLED=True, **config)
    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(starts_at="today-1d", ends_at="today+30d"), utcnow())
    return app


@pytest.fixture
def live(database_targets):
    """(base URL, app, outbox): an open contest in sms mode; another code may be asked for after 3 s."""
    require_chromium()
    app = _app(database_targets, IDENTITY_VERIFICATION="sms", SMS_LIMIT_INTERVAL_SECONDS=3)
    app.extensions["sms_provider"] = box = Outbox()
    with serving(app) as base:
        yield base, app, box


def fill_form(page, code: str | None = None) -> None:
    page.fill("#name", "王秀英")
    page.fill("#phone", PHONE)
    page.select_option("#region", "包头市")
    page.check("#consent")
    page.check("#age_confirmed")
    if code is not None:
        page.fill("#code", code)


def registered(app) -> list[str]:
    with app.app_context():
        return list(db.session.execute(db.select(Participant.name)).scalars())


def test_the_button_counts_down_with_a_live_status_and_the_code_registers(live):
    base, app, box = live
    with browser_page(viewport=VIEWPORT, is_mobile=True, has_touch=True) as page:
        page.goto(f"{base}/c/demo")
        shot(page, "sms-form")
        status, button = page.locator("#sms-status"), page.get_by_role("button", name="获取验证码")
        assert status.get_attribute("aria-live") == "polite" and status.get_attribute("role") == "status"
        page.get_by_label("短信验证码").wait_for()
        fill_form(page)
        button.click()
        expect(page.locator("#sms-status")).to_contain_text("已发送")
        assert status.inner_text() == "验证码已发送至 138****5678，3 秒后可重新获取"
        send = page.locator("#send-code")
        assert send.is_disabled() and re.fullmatch(r"[1-3] 秒后可重新获取", send.inner_text())
        assert page.evaluate("document.activeElement.id") == "code"  # the next thing to type
        assert list(box.codes) == [PHONE] and registered(app) == []  # sent in the background, nothing lost
        assert page.input_value("#name") == "王秀英"
        shot(page, "sms-sent")
        expect(send).to_be_enabled(timeout=6000)
        assert send.inner_text() == "重新获取验证码"
        assert status.inner_text() == "验证码已发送至 138****5678。没有收到可以重新获取"
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
        page.fill("#code", box.codes[PHONE])
        page.keyboard.press("Enter")  # Enter in the code box registers, it does not send another code
        expect(page.locator("main")).to_contain_text("您好，王**")
        assert registered(app) == ["王秀英"]
        assert page.errors == []


def test_a_throttled_or_failed_send_is_said_in_the_status(live):
    base, app, box = live
    with browser_page(viewport=VIEWPORT, is_mobile=True, has_touch=True) as page:
        page.goto(f"{base}/c/demo")
        page.fill("#phone", "123")
        page.locator("#send-code").click()
        expect(page.locator("#sms-status")).to_have_class("error")
        assert page.locator("#sms-status").inner_text() == "请填写正确的 11 位手机号码"
        assert page.evaluate("document.activeElement.id") == "phone" and not page.locator("#send-code").is_disabled()
        page.fill("#phone", PHONE)
        page.locator("#send-code").click()
        expect(page.locator("#sms-status")).to_contain_text("已发送")
        # A second tab (or a reload) asks again within the 3 s: the service's wait is shown.
        other = page.context.new_page()
        other.errors = []
        other.on("pageerror", lambda exc: other.errors.append(str(exc)))
        other.goto(f"{base}/c/demo")
        other.fill("#phone", PHONE)
        other.locator("#send-code").click()
        expect(other.locator("#sms-status")).to_have_class("error")
        assert re.fullmatch(r"获取验证码太频繁，请 [1-3] 秒后再试", other.locator("#sms-status").inner_text())
        assert other.locator("#send-code").is_disabled()
        # Chromium logs every 4xx answer as "Failed to load resource"; any other error is a defect.
        assert [e for e in page.errors + other.errors if "Failed to load resource" not in e] == []


def test_a_wrong_code_is_shown_in_the_summary_and_on_the_field(live):
    base, app, box = live
    with browser_page(viewport=VIEWPORT, is_mobile=True, has_touch=True, bypass_csp=True) as page:
        page.goto(f"{base}/c/demo")
        fill_form(page)
        page.locator("#send-code").click()
        expect(page.locator("#sms-status")).to_contain_text("已发送")
        wrong = f"{(int(box.codes[PHONE]) + 1) % 1000000:06d}"
        page.fill("#code", wrong)
        page.get_by_role("button", name="登记", exact=True).last.click()
        page.wait_for_selector("#register-errors")
        summary = page.locator("#register-errors")
        assert summary.locator("a[href='#code']").count() == 1
        assert page.evaluate("document.activeElement.id") == "register-errors"
        assert page.locator("#code-error").is_visible() and page.locator("#code").get_attribute("aria-invalid")
        shot(page, "sms-wrong-code")
        page.add_style_tag(content=BIG_TEXT)  # 200 % text: still no sideways scrolling
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
        shot(page, "sms-wrong-code-200")
        assert registered(app) == []


def test_without_javascript_the_same_form_sends_the_code_and_enter_still_registers(live):
    base, app, box = live
    with browser_page(viewport=VIEWPORT, is_mobile=True, java_script_enabled=False) as page:
        page.goto(f"{base}/c/demo")
        fill_form(page)
        page.locator("#name").press("Enter")  # the hidden default button: 登记, which asks for the code
        page.wait_for_selector("#register-errors")
        assert page.locator("#register-errors a[href='#code']").count() == 1 and box.codes == {}
        page.get_by_role("button", name="获取验证码").click()
        page.wait_for_load_state()
        assert page.url.endswith("/c/demo/register#sms-status")
        assert page.locator("#sms-status").inner_text() == "验证码已发送至 138****5678，3 秒后可重新获取"
        assert page.input_value("#name") == "王秀英" and page.input_value("#phone") == PHONE
        shot(page, "sms-sent-nojs")
        page.check("#consent")  # checkboxes come back as typed too
        page.fill("#code", box.codes[PHONE])
        page.get_by_role("button", name="登记", exact=True).last.click()
        expect(page.locator("main")).to_contain_text("您好，王**")
        assert registered(app) == ["王秀英"]


def test_the_wechat_only_page_holds_at_360_px_and_200_percent(database_targets):
    require_chromium()
    app = _app(database_targets, IDENTITY_VERIFICATION="wechat", WECHAT_APP_ID="wxfakeappid0001",
               WECHAT_APP_SECRET="s")
    with serving(app) as base, browser_page(viewport=VIEWPORT, is_mobile=True, bypass_csp=True) as page:
        page.goto(f"{base}/c/demo")
        assert page.get_by_role("heading", name="请在微信中打开").is_visible()
        assert page.locator("main input, main select, main textarea").count() == 0
        shot(page, "wechat-only")
        page.add_style_tag(content=BIG_TEXT)
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
        shot(page, "wechat-only-200")
        assert [e for e in page.errors if "Failed to load resource" not in e] == []  # the page is a 403
