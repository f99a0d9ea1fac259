"""The registration page as the identity rules change it: error summary, 409, masked greeting, sign-out."""

from __future__ import annotations

import re

from quizapp.extensions import db
from quizapp.models import Participant, ParticipantToken
from tests.web.conftest import Player


def summary(html: str) -> str:
    start = html.index('id="register-errors"')
    return html[start:html.index("</div>", start)]


def test_a_missed_consent_box_gets_a_focused_summary_at_the_top_of_the_form(app, contest):
    response = Player(app).client.post("/c/demo/register", data={"name": "王秀英", "phone": "13812345678",
                                                                 "region": "包头市", "age_confirmed": "y"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    box = summary(html)
    assert 'role="alert"' in html and 'tabindex="-1"' in html and "js/form_errors." in html  # it takes the focus
    assert "请修改以下 1 处" in box and 'href="#consent"' in box and "个人信息" in box
    assert 'action="/c/demo/register#register-errors"' in html  # without JS too, the page opens on it
    # The summary comes before the first field, so that it is what the person sees and hears first.
    assert html.index('id="register-errors"') < html.index('id="name"')
    assert 'value="王秀英"' in html  # what was typed stays


def test_every_problem_is_listed_with_a_link_to_its_field(app, contest):
    response = Player(app).client.post("/c/demo/register", data={"name": "", "phone": "123", "region": ""})
    box = summary(response.get_data(as_text=True))
    assert "请修改以下 5 处" in box
    for target in ("#name", "#phone", "#region", "#consent", "#age_confirmed"):
        assert f'href="{target}"' in box


def test_someone_elses_phone_is_refused_without_their_name(app, contest):
    owner = Player(app)
    assert owner.register(phone="13812345678", name="王秀英", region="呼和浩特市").status_code == 302
    other = Player(app)
    response = other.register(phone="13812345678", name="李四")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "已经登记过" in summary(html)
    assert "秀英" not in html and "王*" not in html and "开始答题" not in html
    assert other.client.get("/c/demo/me").status_code == 302  # no session: back to the landing page


def test_the_greeting_and_my_record_mask_the_name(app, contest):
    player = Player(app)
    player.register(phone="13812345678", name="王秀英")
    html = player.client.get("/c/demo").get_data(as_text=True)
    assert "您好，王**" in html and "王秀英" not in html
    assert "王秀英" not in player.client.get("/c/demo/me").get_data(as_text=True)


def test_sign_out_revokes_the_token_so_a_copied_cookie_stops_working(app, contest):
    player = Player(app)
    player.register()
    cookie = player.client.get_cookie("session").value
    assert player.client.post("/c/demo/forget").status_code == 302
    with app.app_context():
        assert db.session.query(ParticipantToken).count() == 0
    thief = Player(app)
    thief.client.set_cookie("session", cookie)
    html = thief.client.get("/c/demo").get_data(as_text=True)
    assert 'id="register-form"' in html and "您好" not in html


def test_deletion_from_my_record_asks_first_then_anonymises(app, contest):
    player = Player(app)
    player.register(name="王秀英")
    me = player.client.get("/c/demo/me").get_data(as_text=True)
    assert "申请删除我的个人信息" in me and "保留至竞赛结束后 180 日" in me
    page = player.client.get("/c/demo/me/delete").get_data(as_text=True)
    assert "确认删除我的个人信息" in page and re.search(r'name="csrf_token"', page)
    done = player.client.post("/c/demo/me/delete", follow_redirects=True)
    assert "已删除" in done.get_data(as_text=True) and 'id="register-form"' in done.get_data(as_text=True)
    with app.app_context():
        person = db.session.execute(db.select(Participant)).scalar_one()
        assert person.name == "已删除" and person.anonymised_at is not None


def test_publish_consent_is_optional_on_the_page(app, contest):
    html = Player(app).client.get("/c/demo").get_data(as_text=True)
    assert 'id="publish_consent"' in html and "选填" in html and 'id="age_confirmed"' in html
    player = Player(app)
    player.register(phone="13900000000", publish_consent="y")
    with app.app_context():
        assert db.session.execute(db.select(Participant.publish_consent)).scalar_one() is True
