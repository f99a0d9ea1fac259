"""regions.js in a real (headless) Chromium at 360 px: the one grouped select becomes 盟市 then 旗县区."""

from __future__ import annotations

import json

import pytest

from quizapp.extensions import db
from quizapp.models import Participant, utcnow
from tests.browser.support import browser_page, require_chromium, serving
from tests.conftest import contest_definition, make_app, sample_bank

pytestmark = pytest.mark.browser

WIDTH = 360
REGIONS = {"呼和浩特市": [], "通辽市": ["奈曼旗", "科尔沁区"], "包头市": ["青山区"]}


@pytest.fixture
def live(database_targets):
    """(base URL, app): a contest with 旗县区 open from yesterday, CSRF on."""
    require_chromium()
    from quizapp.services.banks import import_bank_bytes
    from quizapp.services.contests import load_contest

    app = make_app(database_targets["sqlite"], utcnow, WTF_CSRF_ENABLED=True)
    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(slug="tree", starts_at="today-1d", ends_at="today+30d", regions=REGIONS),
                     utcnow())
    with serving(app) as base:
        yield base, app


def sent_value(page) -> str:
    return page.eval_on_selector("input[type=hidden][name=region]", "input => input.value")


def test_two_cascading_selects_write_the_same_value(live):
    base, app = live
    with browser_page(viewport={"width": WIDTH, "height": 740}, is_mobile=True, has_touch=True) as page:
        page.goto(f"{base}/c/tree")
        assert page.get_by_label("所在盟市").count() == 1
        sub = page.get_by_label("所在旗县区")
        assert not sub.is_visible()  # nothing to choose below until a 盟市 is chosen
        page.get_by_label("所在盟市").select_option("呼和浩特市")
        assert sent_value(page) == "呼和浩特市" and not sub.is_visible()
        page.get_by_label("所在盟市").select_option("通辽市")
        assert sub.is_visible() and sent_value(page) == "通辽市"
        assert sub.locator("option").all_inner_texts() == ["请选择", "奈曼旗", "科尔沁区"]
        sub.select_option("通辽市/科尔沁区")
        assert sent_value(page) == "通辽市/科尔沁区"
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        page.fill("#name", "张三")
        page.fill("#phone", "13812345678")
        page.check("#consent")
        page.check("#age_confirmed")
        page.get_by_role("button", name="登记").click()
        page.wait_for_load_state()
        assert "登记成功" in page.locator(".flash").inner_text()
        assert page.errors == []
    with app.app_context():
        assert db.session.execute(db.select(Participant.region)).scalar_one() == "通辽市/科尔沁区"


def test_text_at_200_percent_still_fits(live):
    base, _app = live
    with browser_page(viewport={"width": WIDTH, "height": 740}, is_mobile=True) as page:
        page.goto(f"{base}/c/tree")
        page.evaluate("document.body.style.fontSize = '36px'")
        page.get_by_label("所在盟市").select_option("通辽市")
        assert page.get_by_label("所在旗县区").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
