"""Short links (/s/<slug>/<code>), scan counting, channel attribution and the print-ready poster page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quizapp.extensions import db
from quizapp.models import Channel, Participant, Scan
from quizapp.services import channels
from tests.unit.test_qr_decoding import decode_image, decode_pdf, rasterize_svg

from .conftest import Player

ROOT = Path(__file__).resolve().parents[2]
BASE = "http://localhost"  # the test client's host: without PUBLIC_BASE_URL codes point where the request came
HIDDEN_CHANNEL = re.compile(r'name="channel"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="channel"')


@pytest.fixture
def school(app, contest, clock):
    """Two channels of the sample contest."""
    with app.app_context():
        channels.add_channel(contest, "school-01", "五进·进校园·第一中学", clock.now)
        channels.add_channel(contest, "village-02", "五进·进农村·东村", clock.now)
    return "school-01"


def scans(app, code: str) -> int:
    with app.app_context():
        return db.session.execute(
            db.select(db.func.count(Scan.id)).join(Channel).where(Channel.code == code)).scalar_one()


def hidden_channel(html: str) -> str:
    match = HIDDEN_CHANNEL.search(html)
    return next(group for group in match.groups() if group is not None)


def test_short_link_redirects_with_the_channel_and_counts_one_scan_per_browser_and_day(app, school, clock):
    browser = app.test_client()
    response = browser.get("/s/demo/school-01")
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/demo?ch=school-01"
    assert "no-store" in response.headers["Cache-Control"]
    landing = browser.get(response.headers["Location"])
    assert hidden_channel(landing.get_data(as_text=True)) == "school-01"
    assert scans(app, "school-01") == 1
    browser.get("/s/demo/school-01")
    assert scans(app, "school-01") == 1
    app.test_client().get("/s/demo/school-01")
    assert scans(app, "school-01") == 2
    clock.advance(days=1)
    browser.get("/s/demo/school-01")
    assert scans(app, "school-01") == 3
    browser.get("/s/demo/village-02")
    assert (scans(app, "school-01"), scans(app, "village-02")) == (3, 1)


def test_visitor_cookie_is_long_lived_http_only_and_lax(app, school):
    response = app.test_client().get("/s/demo/school-01")
    cookie = next(value for name, value in response.headers.items()
                  if name == "Set-Cookie" and value.startswith("qz_visitor="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert int(re.search(r"Max-Age=(\d+)", cookie).group(1)) >= 365 * 24 * 3600


def test_a_forged_visitor_cookie_is_replaced(app, school):
    browser = app.test_client()
    browser.set_cookie("qz_visitor", "x")
    response = browser.get("/s/demo/school-01")
    assert any(v.startswith("qz_visitor=") for n, v in response.headers.items() if n == "Set-Cookie")
    with app.app_context():
        visitor = db.session.execute(db.select(Scan.visitor)).scalar_one()
    assert visitor != "x" and len(visitor) >= 16


def test_head_requests_and_crawlers_are_not_scans(app, school):
    assert app.test_client().head("/s/demo/school-01").status_code == 302
    crawler = app.test_client().get("/s/demo/school-01", headers={"User-Agent": "Googlebot/2.1"})
    assert crawler.status_code == 302
    assert app.test_client().get("/s/demo/school-01", headers={"User-Agent": ""}).status_code == 302
    assert scans(app, "school-01") == 0


@pytest.mark.parametrize("path,back_link", [("/s/demo/nope", True), ("/s/nope/school-01", False),
                                            ("/s/demo/bad%20code", True)])
def test_unknown_code_or_contest_gets_a_friendly_404(app, school, path, back_link):
    response = app.test_client().get(path)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "这个二维码对应的活动渠道不存在" in html
    assert ('href="/c/demo"' in html) is back_link
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Scan.id))).scalar_one() == 0


def test_participant_keeps_the_channel_that_first_brought_them(app, school):
    who = Player(app)
    who.client.get("/s/demo/school-01")
    who.client.get("/s/demo/village-02")  # a second poster later: the first channel stays
    assert hidden_channel(who.client.get("/c/demo?ch=village-02").get_data(as_text=True)) == "school-01"
    assert hidden_channel(who.client.get("/c/demo").get_data(as_text=True)) == "school-01"  # ?ch= lost
    assert who.register(channel="school-01").status_code == 302
    other = Player(app)
    other.client.get("/s/demo/village-02")
    assert other.register(phone="13812345678", channel="village-02").status_code == 302  # same phone again
    with app.app_context():
        assert db.session.execute(db.select(Participant.channel)).scalars().all() == ["school-01"]


def test_without_a_short_link_the_query_channel_is_used(app, school):
    who = Player(app)
    assert hidden_channel(who.client.get("/c/demo?ch=village-02").get_data(as_text=True)) == "village-02"
    assert hidden_channel(who.client.get("/c/demo?ch=bad%20code").get_data(as_text=True)) == ""


# --- poster page -----------------------------------------------------------------------------


def test_poster_page_is_printable_and_csp_clean(app, school):
    response = app.test_client().get("/c/demo/poster?ch=school-01")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for words in ("测试竞赛", "安全用药 健康为民", "参与方式", f"{BASE}/s/demo/school-01", "五进·进校园·第一中学",
                  "一等奖 1 名"):
        assert words in html, words
    assert "style=" not in html and "<style" not in html and "<script" not in html
    assert 'href="/static/css/poster.' in html  # a hashed name (test_static_assets)
    assert 'src="/c/demo/poster/qr.svg?ch=school-01"' in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_poster_css_prints_one_a4_sheet():
    css = (ROOT / "static" / "css" / "poster.css").read_text(encoding="utf-8")
    assert re.search(r"@page\s*{\s*size:\s*A4", css)
    assert "@media print" in css
    assert "width: 210mm" in css and "height: 297mm" in css


def test_poster_qr_route_is_one_path_svg_that_decodes(app, school):
    response = app.test_client().get("/c/demo/poster/qr.svg?ch=school-01")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.count("<path") == 1
    assert decode_image(rasterize_svg(svg))[0].text == f"{BASE}/s/demo/school-01"
    plain = app.test_client().get("/c/demo/poster/qr.svg").get_data(as_text=True)
    assert decode_image(rasterize_svg(plain))[0].text == f"{BASE}/c/demo"


def test_poster_pdf_download_decodes(app, school):
    response = app.test_client().get("/c/demo/poster.pdf?ch=village-02")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "poster-demo-village-02.pdf" in response.headers["Content-Disposition"]
    assert decode_pdf(response.data).text == f"{BASE}/s/demo/village-02"


@pytest.mark.parametrize("path", ["/c/demo/poster?ch=nope", "/c/nope/poster", "/c/demo/poster/qr.svg?ch=nope",
                                  "/c/demo/poster.pdf?ch=a%20b"])
def test_poster_for_unknown_channel_or_contest_is_404(app, school, path):
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert "不存在" in response.get_data(as_text=True)
