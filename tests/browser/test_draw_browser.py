"""The guided draw in a real (headless) Chromium, CSRF on: from the checks to the published notice."""

from __future__ import annotations

import json
import re

import pytest

from quizapp.services.banks import import_bank_bytes
from quizapp.services.contests import load_contest
from quizapp.services.users import create_user
from tests.browser.support import browser_page, console_sign_in, require_chromium, serving
from tests.conftest import T0, Clock, contest_definition, make_app, sample_bank
from tests.services.test_draw_support import AFTER_END, phone, play

pytestmark = pytest.mark.browser
PASSWORD = "console-pass-123"
ENTROPY = "2026年12月17日福彩3D 5 8 2"


@pytest.fixture
def ended(database_targets):
    """(base URL, app): five passing participants, prizes with a reserve, the clock after the end."""
    require_chromium()
    clock = Clock(T0)
    app = make_app(database_targets["sqlite"], clock, WTF_CSRF_ENABLED=False)
    definition = contest_definition()
    definition["prizes"] = [{"tier": 1, "name": "一等奖", "count": 1, "reserve": 1},
                            {"tier": 2, "name": "二等奖", "count": 2}]
    definition.update(organizer="包头市市场监督管理局", contact="0472-1234567", publicity_days=7)
    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(definition, clock.now)
        create_user("admin-zhao", PASSWORD, "admin", actor="test", now=clock.now)
    client = app.test_client()
    for i in range(5):
        play(app, client, clock, phone(i), name=f"王小{i}")
    clock.now = AFTER_END
    app.config["WTF_CSRF_ENABLED"] = True  # the browser posts real tokens from here on
    with serving(app) as base:
        yield base, app


def tick_and_press(page, section: str, tick: str, button: str) -> None:
    """Tick the step's confirmation box and press its button."""
    area = page.locator(section)
    area.get_by_label(tick).check()
    area.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def test_guided_draw_from_checks_to_published_notice(ended):
    base, _app = ended
    with browser_page(viewport={"width": 1366, "height": 900}) as page:
        console_sign_in(page, base, "admin-zhao", PASSWORD)
        page.wait_for_url(re.compile(r"/admin/contests$"))
        page.get_by_role("navigation", name="管理后台导航").get_by_role("link", name="抽奖").click()
        page.get_by_role("link", name="进入抽奖").click()
        checks = page.locator("#checks").inner_text()
        assert "竞赛已结束" in checks and "目前符合抽奖条件：5 人；奖项共 3 名，另抽候补 1 名" in checks

        page.locator("#commitment").get_by_role("button", name="锁定抽奖名单").click()
        assert "请先勾选确认" in page.locator("#commitment").inner_text()  # nothing without the tick
        page.errors.clear()  # that refusal was a 400, as it should be
        tick_and_press(page, "#commitment", "我已核对以上检查结果，确认锁定抽奖名单", "锁定抽奖名单")
        announcement = page.locator("#commitment-text").input_value()
        assert "名单校验码（SHA-256）" in announcement and "抽奖承诺" not in announcement
        assert page.get_by_role("button", name="复制公告").is_visible()  # shown once copy.js runs

        page.fill("#public_entropy", ENTROPY)
        tick_and_press(page, "#run", "该随机数已公开发布，且与锁定名单时声明的来源一致", "开奖")
        assert "请核验后发布公示" in page.locator(".flash-success").inner_text()
        page.locator("#result").get_by_role("button", name="核验：按公开数据重算").click()
        page.wait_for_load_state()
        assert "核验通过" in page.locator(".flash-success").inner_text()
        tick_and_press(page, "#result", "核验已通过，确认发布中奖公示", "发布中奖公示")
        assert "公示期 7 天" in page.locator("#result").inner_text()
        assert page.errors == []

        page.goto(f"{base}/c/demo/winners")
        notice = page.locator("main").inner_text()
        assert "包头市市场监督管理局" in notice and "公示期 7 天" in notice and "0472-1234567" in notice
        # Nobody here agreed to have the name published (PIPL Art. 25): codes and regions only.
        assert "一等奖候补第 1 位" in notice and "王小" not in notice and "王*" not in notice
        assert ENTROPY in notice
