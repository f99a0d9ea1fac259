"""The participant pages of the optional stronger identity (issue 12): SMS codes on the registration
form, with and without JavaScript, and the WeChat round trip before the landing page."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from quizapp.extensions import db
from quizapp.models import Participant
from quizapp.models.verification import WechatBinding
from tests.fakes.sms_outbox import Broken, Outbox
from tests.fakes.wechat import FakeWechat
from tests.web.conftest import Player

WECHAT_UA = ("Mozilla/5.0 (Linux; Android 13; V2171A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0 "
             "Mobile Safari/537.36 XWEB/1160117 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F35) "
             "WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64")
PHONE = "13812345678"




@pytest.fixture
def outbox(app):
    app.config["IDENTITY_VERIFICATION"] = "sms"
    app.extensions["sms_provider"] = box = Outbox()
    return box


def participants(app) -> list[Participant]:
    with app.app_context():
        rows = db.session.execute(db.select(Participant)).scalars().all()
        db.session.expunge_all()
        return rows


def summary(html: str) -> str:
    start = html.index('id="register-errors"')
    return html[start:html.index("</div>", start)]


def status_line(html: str) -> str:
    return re.search(r'id="sms-status"[^>]*>([^<]*)<', html).group(1)


# --- none (the default) ---------------------------------------------------------------------------


def test_without_a_mode_the_pages_have_no_code_field_and_no_identity_routes(app, contest):
    player = Player(app)
    html = player.client.get("/c/demo").get_data(as_text=True)
    assert "获取验证码" not in html and 'name="code"' not in html and "sms_code.js" not in html
    assert "send_code" not in html and " hidden tabindex" not in html
    assert player.client.post("/c/demo/sms-code.json", data={"phone": PHONE}).status_code == 404
    assert player.client.get("/c/demo/wechat?code=x&state=y").status_code == 404
    registered = player.register()
    assert registered.status_code == 302  # no code asked for
    assert "wx_" not in registered.headers.get("Set-Cookie", "")  # and no WeChat cookie touched
    # Even inside WeChat nothing redirects.
    assert Player(app).client.get("/c/demo", headers={"User-Agent": WECHAT_UA}).status_code == 200


# --- sms ------------------------------------------------------------------------------------------


def test_the_sms_form_has_the_button_and_an_accessible_code_box(app, contest, outbox):
    html = Player(app).client.get("/c/demo").get_data(as_text=True)
    assert re.search(r'<button type="submit" name="send_code" value="1"[^>]*id="send-code"', html)
    assert 'formaction="/c/demo/register#sms-status"' in html
    assert re.search(r'id="sms-status" role="status" aria-live="polite"', html)
    box = re.search(r"<input[^>]*id=\"code\"[^>]*>", html).group(0)
    assert 'inputmode="numeric"' in box and 'autocomplete="one-time-code"' in box and 'maxlength="6"' in box
    assert '<label for="code">短信验证码</label>' in html and "6 位数字，5 分钟内有效" in html
    # The button sits after the phone box and before the code box; Enter keeps submitting 登记.
    assert html.index('id="phone"') < html.index('id="send-code"') < html.index('id="code"')
    assert html.index('hidden tabindex="-1" aria-hidden="true">登记<') < html.index('id="send-code"')
    assert "js/sms_code." in html


def test_the_page_endpoint_sends_a_code_and_answers_like_the_api(app, contest, outbox):
    client = Player(app).client
    sent = client.post("/c/demo/sms-code.json", data={"phone": "138 1234 5678"})
    assert sent.status_code == 202
    assert sent.get_json() == {"message": "验证码已发送至 138****5678", "resend_after_seconds": 60}
    assert set(outbox.codes) == {PHONE}
    again = client.post("/c/demo/sms-code.json", data={"phone": PHONE})
    assert again.status_code == 429 and again.headers["Retry-After"] == "60"
    assert again.get_json()["error"] == {"code": "sms_throttled", "message": "获取验证码太频繁，请 60 秒后再试"}
    bad = client.post("/c/demo/sms-code.json", data={"phone": "12345"})
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"phone"}
    app.extensions["sms_provider"] = Broken()
    failed = client.post("/c/demo/sms-code.json", data={"phone": "13900001111"})
    assert failed.status_code == 503 and failed.get_json()["error"]["message"] == "短信发送失败，请稍后再试"


def test_the_page_endpoint_refuses_a_post_without_the_pages_csrf_token(app, contest, outbox):
    app.config["WTF_CSRF_ENABLED"] = True
    client = Player(app).client
    refused = client.post("/c/demo/sms-code.json", data={"phone": PHONE})
    assert refused.status_code == 400 and refused.is_json and outbox.codes == {}
    html = client.get("/c/demo").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    assert client.post("/c/demo/sms-code.json", data={"phone": PHONE, "csrf_token": token}).status_code == 202
    assert PHONE in outbox.codes


def test_without_js_the_button_sends_the_code_and_keeps_what_was_typed(app, contest, outbox):
    player = Player(app)
    response = player.register(name="王秀英", send_code="1")
    assert response.status_code == 200 and participants(app) == []  # nothing registered yet
    html = response.get_data(as_text=True)
    assert status_line(html) == "验证码已发送至 138****5678，60 秒后可重新获取"
    assert 'value="王秀英"' in html and f'value="{PHONE}"' in html and 'id="register-errors"' not in html
    assert PHONE in outbox.codes
    throttled = player.register(name="王秀英", send_code="1")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "60"
    assert status_line(throttled.get_data(as_text=True)) == "获取验证码太频繁，请 60 秒后再试"
    assert 'class="error" id="sms-status"' in throttled.get_data(as_text=True)


def test_without_js_a_provider_failure_is_a_503_with_its_message(app, contest, outbox):
    app.extensions["sms_provider"] = Broken()
    response = Player(app).register(name="王秀英", send_code="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert status_line(html) == "短信发送失败，请稍后再试" and 'value="王秀英"' in html
    assert participants(app) == []


def test_without_js_a_bad_phone_is_shown_on_the_phone_field_and_nothing_is_sent(app, contest, outbox):
    response = Player(app).register(phone="123", send_code="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and outbox.codes == {}
    assert "验证码没有发出，请修改以下 1 处" in summary(html) and 'href="#phone"' in summary(html)
    assert re.search(r'<input aria-describedby="phone-error" aria-invalid="true"[^>]*id="phone"', html)


def test_a_wrong_code_is_an_error_on_the_code_field_and_the_right_one_registers(app, contest, outbox):
    player = Player(app)
    player.register(send_code="1")
    code = outbox.codes[PHONE]
    missing = player.register()
    assert missing.status_code == 422 and 'href="#code"' in summary(missing.get_data(as_text=True))
    wrong = player.register(name="王秀英", code=f"{(int(code) + 1) % 1000000:06d}")
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and participants(app) == []
    box = summary(html)
    assert "登记没有成功，请修改以下 1 处" in box and 'href="#code"' in box and "验证码" in box
    assert re.search(r'<p class="error" id="code-error">[^<]*验证码', html)
    assert 'value="王秀英"' in html
    assert player.register(name="王秀英", code=code).status_code == 302
    assert [p.name for p in participants(app)] == ["王秀英"]
    assert "您好，王**" in player.client.get("/c/demo").get_data(as_text=True)


def test_a_used_code_does_not_sign_in_another_browser(app, contest, outbox):
    owner = Player(app)
    owner.register(send_code="1")
    code = outbox.codes[PHONE]
    assert owner.register(code=code).status_code == 302
    response = Player(app).register(code=code)
    assert response.status_code == 422 and 'href="#code"' in summary(response.get_data(as_text=True))


# --- wechat ---------------------------------------------------------------------------------------


@pytest.fixture
def wechat(app):
    with FakeWechat() as fake:
        app.config.update(IDENTITY_VERIFICATION="wechat", WECHAT_APP_ID=fake.app_id,
                          WECHAT_APP_SECRET=fake.app_secret, WECHAT_API_BASE=fake.url,
                          PUBLIC_BASE_URL="https://quiz.example.gov.cn")
        yield fake


def through_wechat(player: Player, fake: FakeWechat, openid: str, code: str, snapshot: bool = False):
    """Open the landing page in WeChat, follow its redirect as WeChat would, and return the callback's answer."""
    start = player.client.get("/c/demo", headers={"User-Agent": WECHAT_UA})
    assert start.status_code == 302, start.status_code
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["redirect_uri"] == ["https://quiz.example.gov.cn/c/demo/wechat"]
    fake.issue(code, openid, snapshot=snapshot)
    return player.client.get(f"/c/demo/wechat?code={code}&state={query['state'][0]}",
                             headers={"User-Agent": WECHAT_UA})


def test_inside_wechat_the_landing_page_goes_through_wechat_with_a_nonce_cookie(app, contest, wechat):
    response = Player(app).client.get("/c/demo", headers={"User-Agent": WECHAT_UA})
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.netloc == "open.weixin.qq.com" and target.fragment == "wechat_redirect"
    query = parse_qs(target.query)
    assert query["appid"] == [wechat.app_id] and query["scope"] == ["snsapi_base"]
    cookie = response.headers["Set-Cookie"]
    assert re.match(r"wx_nonce=[0-9a-f]{16};", cookie)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=600" in cookie and "Path=/c/demo" in cookie
    assert "no-store" in response.headers["Cache-Control"]  # no shared cache may keep a redirect with a nonce


def test_the_callback_keeps_a_ticket_and_registration_binds_the_account(app, contest, wechat):
    player = Player(app)
    back = through_wechat(player, wechat, "oAlice0001", "CODE1")
    assert back.status_code == 302 and back.headers["Location"].endswith("/c/demo")
    ticket = player.client.get_cookie("wx_ticket", path="/c/demo")
    assert ticket is not None and ticket.http_only and ticket.same_site == "Lax"
    assert player.client.get_cookie("wx_nonce", path="/c/demo") is None  # used once
    page = player.client.get("/c/demo", headers={"User-Agent": WECHAT_UA})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="register-form"' in html
    assert ticket.value not in html and "wechat_ticket" not in html and "oAlice0001" not in html
    registered = player.register()
    assert registered.status_code == 302
    assert player.client.get_cookie("wx_ticket", path="/c/demo") is None
    with app.app_context():
        binding = db.session.execute(db.select(WechatBinding)).scalar_one()
        assert binding.openid == "oAlice0001"
        assert db.session.get(Participant, binding.participant_id).phone == PHONE


def test_a_second_visit_from_the_same_wechat_account_signs_in(app, contest, wechat):
    first = Player(app)
    through_wechat(first, wechat, "oAlice0001", "CODE1")
    assert first.register(name="王秀英").status_code == 302
    other_phone = Player(app)  # the same WeChat account on a new phone: no session, no ticket
    back = through_wechat(other_phone, wechat, "oAlice0001", "CODE2")
    assert back.status_code == 302 and other_phone.client.get_cookie("wx_ticket", path="/c/demo") is None
    html = other_phone.client.get("/c/demo", headers={"User-Agent": WECHAT_UA}).get_data(as_text=True)
    assert "欢迎回来" in html and "您好，王**" in html and 'id="register-form"' not in html
    assert len(participants(app)) == 1


def test_another_wechat_account_cannot_take_a_registered_phone(app, contest, wechat):
    owner = Player(app)
    through_wechat(owner, wechat, "oAlice0001", "CODE1")
    owner.register()
    thief = Player(app)
    through_wechat(thief, wechat, "oMallory01", "CODE2")
    response = thief.register()
    assert response.status_code == 409
    assert "另一个微信账号" in summary(response.get_data(as_text=True))


def test_without_a_ticket_registration_goes_back_through_wechat(app, contest, wechat):
    player = Player(app)
    response = player.register()
    assert response.status_code == 302 and participants(app) == []
    again = player.client.get("/c/demo", headers={"User-Agent": WECHAT_UA})
    assert again.status_code == 302 and "open.weixin.qq.com" in again.headers["Location"]


def test_a_forged_or_replayed_callback_is_refused(app, contest, wechat):
    player = Player(app)
    start = player.client.get("/c/demo", headers={"User-Agent": WECHAT_UA})
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    wechat.issue("CODE1", "oAlice0001")
    stranger = Player(app)  # the link without the browser's nonce cookie
    forged = stranger.client.get(f"/c/demo/wechat?code=CODE1&state={state}")
    assert forged.status_code == 403 and "页面已过期" in forged.get_data(as_text=True)
    assert player.client.get(f"/c/demo/wechat?code=CODE1&state={state}").status_code == 302
    wechat.issue("CODE3", "oAlice0001")
    replay = player.client.get(f"/c/demo/wechat?code=CODE3&state={state}")  # the nonce is gone
    assert replay.status_code == 403


def test_outside_wechat_the_page_says_to_open_it_in_wechat_and_asks_nothing(app, contest, wechat):
    response = Player(app).client.get("/c/demo", headers={"User-Agent": "Mozilla/5.0 (iPhone) Safari/604.1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "<h1>请在微信中打开</h1>" in html and "长按识别" in html and "公众号菜单" in html
    assert "<input" not in html.replace('<input type="hidden" name="next"', "")  # only the 长辈模式 switch
    assert 'id="register-form"' not in html


def test_the_snapshot_page_is_asked_to_use_the_full_service(app, contest, wechat):
    back = through_wechat(Player(app), wechat, "oSnap00001", "SNAP", snapshot=True)
    html = back.get_data(as_text=True)
    assert back.status_code == 403 and "使用完整服务" in html and "<h1>请点击" in html
    assert participants(app) == []


def test_the_cache_never_serves_a_wechat_visitor_nor_keeps_a_ticket_or_nonce(app, contest, wechat):
    app.config.update(LANDING_CACHE_SECONDS=60, WTF_CSRF_ENABLED=True)  # only a page with a CSRF token is kept
    holder = Player(app)
    through_wechat(holder, wechat, "oAlice0001", "CODE1")
    ticket = holder.client.get_cookie("wx_ticket", path="/c/demo").value
    assert holder.client.get("/c/demo", headers={"User-Agent": WECHAT_UA}).status_code == 200
    cached = app.extensions["landing_pages"].get(("demo", None, False))
    assert cached is not None and 'id="register-form"' in cached  # the ticket holder's page was kept…
    assert ticket not in cached and "wx_" not in cached  # …with nothing of the ticket or the nonce
    newcomer = Player(app).client.get("/c/demo", headers={"User-Agent": WECHAT_UA})
    assert newcomer.status_code == 302  # not the cached page
    outsider = Player(app).client.get("/c/demo")
    assert outsider.status_code == 403 and 'id="register-form"' not in outsider.get_data(as_text=True)
    again = holder.client.get("/c/demo", headers={"User-Agent": WECHAT_UA}).get_data(as_text=True)
    assert ticket not in again and "wx_nonce" not in again


def test_a_closed_contest_page_is_shown_to_everyone(app, contest, wechat, clock):
    clock.advance(days=40)
    response = Player(app).client.get("/c/demo")
    assert response.status_code == 200 and "竞赛已经结束" in response.get_data(as_text=True)
