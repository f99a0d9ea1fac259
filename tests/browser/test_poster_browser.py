"""The poster print page in a real (headless) Chromium: a phone at 360 px, a desktop, and print to A4."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from PIL import Image

from quizapp.extensions import db
from quizapp.models import Channel, Contest, ContestLogo, utcnow
from tests.browser.support import browser_page, require_chromium, serving
from tests.conftest import contest_definition, make_app, sample_bank
from tests.unit.test_qr_decoding import decode_image, pdf_tool, render_pdf

pytestmark = pytest.mark.browser

ORGANIZER = "内蒙古自治区药品监督管理局"
CONTACT = "咨询电话 0471-1234567（工作日 9:00–17:00）"
PT = 96 / 72  # CSS px per pt
DPI = 150


def logo_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 150), (200, 20, 20)).save(buffer, "PNG")
    return buffer.getvalue()


def serve(database_targets, title: str = "2026年内蒙古自治区药品安全网络知识竞赛"):
    """The app with a contest (organizer, contact, logo) and a channel with its event's day and place."""
    require_chromium()
    from quizapp.services import channels
    from quizapp.services.banks import import_bank_bytes
    from quizapp.services.contests import load_contest

    app = make_app(database_targets["sqlite"], utcnow)
    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(slug="live", title=title, starts_at="today-1d", ends_at="today+30d",
                                        organizer=ORGANIZER, contact=CONTACT), utcnow())
        channels.add_channel("live", "village-02", "五进·进农村·东村", utcnow())
        channel = db.session.execute(db.select(Channel)).scalar_one()
        channel.event_date, channel.place = date(2026, 11, 20), "东村村委会广场"
        contest = db.session.execute(db.select(Contest)).scalar_one()
        db.session.add(ContestLogo(contest_id=contest.id, data=logo_png(), width=300, height=150))
        db.session.commit()
    return serving(app)


@pytest.fixture
def live_server(database_targets):
    with serve(database_targets) as base:
        yield base


def font_px(page, selector: str) -> float:
    return page.evaluate(f"parseFloat(getComputedStyle(document.querySelector({selector!r})).fontSize)")


def test_phone_width_has_no_sideways_scroll_and_large_text(live_server):
    with browser_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True) as page:
        page.goto(f"{live_server}/c/live/poster?ch=village-02")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
        assert font_px(page, ".steps li") >= 16
        assert font_px(page, ".facts .text") >= 16
        assert font_px(page, ".url") >= 16
        assert page.evaluate("document.querySelector('img.logo').naturalWidth") == 300  # the route served it
        assert page.evaluate("document.querySelector('img.qr').naturalWidth") > 0
        for words in (ORGANIZER, CONTACT, "五进·进农村·东村", "东村村委会广场", "个人信息保护"):
            assert words in page.inner_text("main"), words
        assert page.errors == []


def test_desktop_shows_an_a4_sheet(live_server):
    with browser_page(viewport={"width": 1366, "height": 900}) as page:
        page.goto(f"{live_server}/c/live/poster?ch=village-02")
        box = page.locator(".sheet").bounding_box()
        assert abs(box["width"] - 210 / 25.4 * 96) < 2 and abs(box["height"] - 297 / 25.4 * 96) < 2
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 1366
        assert page.errors == []


def printed(page, base: str) -> bytes:
    page.goto(f"{base}/c/live/poster?ch=village-02")
    page.emulate_media(media="print")
    return page.pdf(format="A4", print_background=True)


def assert_footer_inside_the_sheet(page) -> None:
    sheet, footer = page.locator(".sheet").bounding_box(), page.locator(".org").bounding_box()
    assert footer["y"] + footer["height"] <= sheet["y"] + sheet["height"] + 0.5


def test_print_is_one_a4_page_with_a_qr_over_6_cm_and_16_pt_steps(live_server):
    with browser_page(viewport={"width": 1366, "height": 900}) as page:
        data = printed(page, live_server)
        assert font_px(page, ".steps li") >= 16 * PT - 0.01
        assert_footer_inside_the_sheet(page)
    info = pdf_tool("pdfinfo", data)
    assert re.search(r"Pages:\s+1\b", info) and "(A4)" in info
    text = pdf_tool("pdftotext", data).replace("\n", "")
    for words in (ORGANIZER, CONTACT, "五进·进农村·东村", "东村村委会广场", "个人信息保护", "登记姓名、手机号码和所在地区"):
        assert words in text, words
    code = decode_image(render_pdf(data, dpi=DPI)[0])
    assert [c.text for c in code] == [f"{live_server}/s/live/village-02"]
    width_cm = abs(code[0].position.top_right.x - code[0].position.top_left.x) / DPI * 2.54
    assert width_cm >= 6.0, width_cm
    assert len(pdf_tool("pdfimages", data, "-list").splitlines()) > 2  # the logo is printed


def test_a_long_title_still_prints_on_one_page_with_the_footer(database_targets):
    title = "关于开展2026年内蒙古自治区“安全用药月”药品安全网络知识竞赛活动暨五进宣传"
    with serve(database_targets, title=title) as base, browser_page(viewport={"width": 1366, "height": 900}) as page:
        data = printed(page, base)
        assert_footer_inside_the_sheet(page)
    assert re.search(r"Pages:\s+1\b", pdf_tool("pdfinfo", data))
    assert ORGANIZER in pdf_tool("pdftotext", data)
