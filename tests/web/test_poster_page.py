"""The poster through the app: poster_spec from the contest and channel, the print page, the logo route, the PDF."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from PIL import Image

from quizapp.domain.consent import DEFAULT_CONSENT_TEXT
from quizapp.domain.poster import DATA_USE_TEXT, steps_text
from quizapp.domain.poster_text import DATA_USE_OWN
from quizapp.extensions import db
from quizapp.models import Channel, Contest, ContestLogo
from quizapp.services import channels, contests
from tests.conftest import contest_definition, sample_bank
from tests.unit.test_qr_decoding import decode_pdf, pdf_tool

ORGANIZER = "内蒙古自治区药品监督管理局"
CONTACT = "咨询电话 0471-1234567（工作日 9:00–17:00）"
BASE = "http://localhost"


def png(width: int = 240, height: int = 120) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 60, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def load(app, clock, **overrides) -> None:
    from quizapp.services.banks import import_bank_bytes

    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        contests.load_contest(contest_definition(**overrides), clock.now)
        channels.add_channel("demo", "village-02", "五进·进农村·东村", clock.now)
        channel = db.session.execute(db.select(Channel).filter_by(code="village-02")).scalar_one()
        channel.event_date, channel.place = date(2026, 11, 20), "东村村委会广场"
        db.session.commit()


def set_logo(app, data: bytes) -> None:
    with app.app_context():
        contest = db.session.execute(db.select(Contest).filter_by(slug="demo")).scalar_one()
        db.session.add(ContestLogo(contest_id=contest.id, data=data, width=240, height=120))
        db.session.commit()


@pytest.fixture
def organized(app, clock):
    """The sample contest with an organizer and a contact line, and a channel with its event's day and place."""
    load(app, clock, organizer=ORGANIZER, contact=CONTACT)
    return app


@pytest.fixture
def anonymous(app, clock):
    """The same contest without organizer or contact."""
    load(app, clock)
    return app


# --- poster_spec -------------------------------------------------------------------------------


def test_poster_spec_carries_organizer_contact_event_and_logo(organized):
    with organized.app_context():
        contest = contests.get_contest("demo")
        channel = channels.get_channel(contest, "village-02")
        spec = channels.poster_spec(contest, channel, "https://yjj.example.cn")
        assert (spec.organizer, spec.contact) == (ORGANIZER, CONTACT)
        assert (spec.event_date, spec.place) == ("2026年11月20日（星期五）", "东村村委会广场")
        assert spec.url == "https://yjj.example.cn/s/demo/village-02"
        assert spec.data_use == DATA_USE_TEXT and spec.logo is None
        assert channels.logo_of(contest) is None
        contest_wide = channels.poster_spec(contest, None, "https://yjj.example.cn")
        assert (contest_wide.channel_name, contest_wide.event_date, contest_wide.place) == ("", "", "")
    set_logo(organized, png())
    with organized.app_context():
        contest = contests.get_contest("demo")
        assert channels.logo_of(contest).data == png()
        assert channels.poster_spec(contest, None, BASE).logo == png()


def test_a_contest_with_its_own_consent_text_gets_the_generic_data_use_line(app, clock):
    load(app, clock, consent_text="本竞赛由某某单位组织，信息保存一年。")
    with app.app_context():
        spec = channels.poster_spec(contests.get_contest("demo"), None, BASE)
    assert spec.data_use == DATA_USE_OWN


def test_the_default_consent_text_matches_the_data_use_line():
    # The poster's promise must stay true to what participants agree to: same data, same uses, masking.
    for words in ("姓名", "手机号码", "所在地区", "发放奖品", "脱敏"):
        assert words in DEFAULT_CONSENT_TEXT, words
    for words in ("姓名", "手机号码", "所在地区", "奖品发放", "脱敏"):
        assert words in DATA_USE_TEXT, words


# --- the print page ------------------------------------------------------------------------------


def test_print_page_shows_organizer_contact_event_data_use_and_steps(organized):
    html = organized.test_client().get("/c/demo/poster?ch=village-02").get_data(as_text=True)
    for words in (f"主办单位：{ORGANIZER}", CONTACT, "五进·进农村·东村", "2026年11月20日（星期五）",
                  "东村村委会广场", DATA_USE_TEXT, *steps_text(8, 10, 30, True), f"{BASE}/s/demo/village-02"):
        assert words in html, words
    assert 'class="logo"' not in html
    assert "还没有填写主办单位" not in html
    assert "style=" not in html and "<style" not in html and "<script" not in html


def test_print_page_warns_staff_when_the_organizer_is_missing(anonymous):
    html = anonymous.test_client().get("/c/demo/poster?ch=village-02").get_data(as_text=True)
    assert "还没有填写主办单位" in html
    assert "主办单位：" not in html
    assert 'class="org"' in html and "安全用药 健康为民" in html  # the footer band keeps the slogan


def test_logo_route_serves_the_png_and_the_page_shows_it(organized):
    client = organized.test_client()
    missing = client.get("/c/demo/logo.png")
    assert missing.status_code == 404
    assert client.get("/c/nope/logo.png").status_code == 404
    set_logo(organized, png())
    response = client.get("/c/demo/logo.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data == png()
    html = client.get("/c/demo/poster").get_data(as_text=True)
    assert 'class="logo" src="/c/demo/logo.png?v=' in html
    assert 'width="240" height="120"' in html
    assert f'alt="{ORGANIZER}标志"' in html


def test_pdf_download_has_the_logo_image_and_the_new_texts(organized):
    client = organized.test_client()
    plain = client.get("/c/demo/poster.pdf?ch=village-02").data
    assert len(pdf_tool("pdfimages", plain, "-list").splitlines()) == 2  # header and rule: no image
    set_logo(organized, png())
    data = client.get("/c/demo/poster.pdf?ch=village-02").data
    assert len(pdf_tool("pdfimages", data, "-list").splitlines()) == 3  # header, rule, one image
    text = pdf_tool("pdftotext", data).replace("\n", "")
    for words in (ORGANIZER, CONTACT, "东村村委会广场", "五进·进农村·东村"):
        assert words in text, words
    assert decode_pdf(data).text == f"{BASE}/s/demo/village-02"


def test_a_stored_logo_that_is_not_a_png_is_left_off_rather_than_breaking_the_poster(organized):
    set_logo(organized, b"GIF89a" + b"\0" * 40)
    response = organized.test_client().get("/c/demo/poster.pdf")
    assert response.status_code == 200
    assert len(pdf_tool("pdfimages", response.data, "-list").splitlines()) == 2
    assert 'class="logo"' not in organized.test_client().get("/c/demo/poster").get_data(as_text=True)
