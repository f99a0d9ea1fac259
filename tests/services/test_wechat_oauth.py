"""WeChat 网页授权 (snsapi_base): the link, the code exchange against a local fake, state, tickets, bindings."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from quizapp.domain.verification import VerificationError
from quizapp.extensions import db
from quizapp.models import Contest, Participant
from quizapp.models.verification import WechatBinding
from quizapp.services import verification
from quizapp.services.wechat_oauth import WechatOAuthError, WechatSettings, authorize_url, exchange_code
from tests.fakes.wechat import FakeWechat


@pytest.fixture
def fake():
    with FakeWechat() as server:
        yield server


def settings_for(fake: FakeWechat, **overrides) -> WechatSettings:
    """Settings that point the exchange at the fake."""
    values = {"app_id": fake.app_id, "app_secret": fake.app_secret, "api_base": fake.url, "timeout": 2.0}
    return WechatSettings(**{**values, **overrides})


def test_authorize_url_has_wechats_parameters_in_order_and_the_fragment():
    url = authorize_url("wx123", "https://quiz.example.cn/c/demo/wechat?x=1&y=中", "ab12")
    assert url.startswith("https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx123&redirect_uri=https%3A%2F%2F")
    assert url.endswith("&response_type=code&scope=snsapi_base&state=ab12#wechat_redirect")
    query = dict(parse_qsl(urlsplit(url).query))
    assert query["redirect_uri"] == "https://quiz.example.cn/c/demo/wechat?x=1&y=中"
    assert [key for key, _ in parse_qsl(urlsplit(url).query)] == ["appid", "redirect_uri", "response_type",
                                                                   "scope", "state"]


def test_exchange_returns_the_openid_and_sends_what_wechat_expects(fake):
    fake.issue("CODE1", "oABC_openid-1")
    assert exchange_code(settings_for(fake), "CODE1").openid == "oABC_openid-1"
    sent = urlsplit(fake.requests[0].path)
    assert sent.path == "/sns/oauth2/access_token"
    assert dict(parse_qsl(sent.query)) == {"appid": fake.app_id, "secret": fake.app_secret, "code": "CODE1",
                                           "grant_type": "authorization_code"}


def test_a_code_works_once(fake):
    fake.issue("ONCE", "oOnce")
    exchange_code(settings_for(fake), "ONCE")
    with pytest.raises(WechatOAuthError) as caught:
        exchange_code(settings_for(fake), "ONCE")
    assert caught.value.reason.startswith("errcode 40163")
    assert caught.value.code == "wechat_failed" and "微信授权失败" in caught.value.message


def test_a_wrong_secret_is_logged_by_errcode_never_with_the_secret_or_code(fake, caplog):
    fake.issue("CODE2", "oX")
    with caplog.at_level(logging.WARNING, logger="quizapp"), pytest.raises(WechatOAuthError) as caught:
        exchange_code(settings_for(fake, app_secret="leaked-secret-value"), "CODE2")
    assert caught.value.reason.startswith("errcode 40125")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "40125" in text
    assert "leaked-secret-value" not in text and "CODE2" not in text


@pytest.mark.parametrize("break_it, reason", [
    (lambda f: setattr(f, "http_status", 500), "http_500"),
    (lambda f: setattr(f, "raw_body", b"<html>not json</html>"), "not_json"),
    (lambda f: setattr(f, "raw_body", b'{"scope": "snsapi_base"}'), "no_openid"),
    (lambda f: setattr(f, "raw_body", b'{"openid": "has spaces and/slash"}'), "no_openid"),
    (lambda f: setattr(f, "raw_body", b"[1, 2]"), "not_json"),
])
def test_odd_answers_are_clear_errors(fake, break_it, reason):
    fake.issue("C", "oY")
    break_it(fake)
    with pytest.raises(WechatOAuthError) as caught:
        exchange_code(settings_for(fake), "C")
    assert caught.value.reason == reason


def test_a_snapshot_page_user_is_asked_to_open_the_full_page(fake):
    fake.issue("SNAP", "oVirtual", snapshot=True)
    with pytest.raises(WechatOAuthError) as caught:
        exchange_code(settings_for(fake), "SNAP")
    assert caught.value.reason == "snapshot_user" and "使用完整服务" in caught.value.message
    assert caught.value.code == "wechat_snapshot"


def test_a_stalled_wechat_times_out(fake):
    fake.issue("SLOW", "oSlow")
    fake.delay = 5
    started = time.monotonic()
    with pytest.raises(WechatOAuthError) as caught:
        exchange_code(settings_for(fake, timeout=0.5), "SLOW")
    assert caught.value.reason == "timeout" and time.monotonic() - started < 3


@pytest.mark.parametrize("code", [None, "", "x" * 129, "代码", 42])
def test_a_missing_or_odd_code_is_refused_before_any_request(fake, code):
    with pytest.raises(WechatOAuthError) as caught:
        exchange_code(settings_for(fake), code)
    assert caught.value.reason == "no_code" and fake.requests == []


def test_settings_name_what_is_missing():
    with pytest.raises(ValueError, match="WECHAT_APP_ID, WECHAT_APP_SECRET"):
        WechatSettings.from_config({})
    with pytest.raises(ValueError, match="WECHAT_API_BASE"):
        WechatSettings.from_config({"WECHAT_APP_ID": "a", "WECHAT_APP_SECRET": "b", "WECHAT_API_BASE": "ftp://x"})
    default = WechatSettings.from_config({"WECHAT_APP_ID": "a", "WECHAT_APP_SECRET": "b"})
    assert default.api_base == "https://api.weixin.qq.com" and default.timeout == 5.0


# --- the service: state, ticket, binding (both databases) ---------------------------------------------


@pytest.fixture
def wechat_app(app, fake):
    app.config.update(IDENTITY_VERIFICATION="wechat", WECHAT_APP_ID=fake.app_id,
                      WECHAT_APP_SECRET=fake.app_secret, WECHAT_API_BASE=fake.url, WECHAT_TIMEOUT=2)
    return app


def _contest(slug: str) -> Contest:
    return db.session.execute(db.select(Contest).filter_by(slug=slug)).scalar_one()


def _participant(contest: Contest, phone: str, now) -> int:
    row = Participant(contest_id=contest.id, name="张三", phone=phone, region="包头市", consent_at=now, created_at=now)
    db.session.add(row)
    db.session.commit()
    return row.id


def test_the_round_trip_gives_a_ticket_for_this_contest_only(wechat_app, contest, fake, clock):
    with wechat_app.app_context():
        demo = _contest(contest)
        url, nonce = verification.wechat_login_url(demo, "https://quiz.example.cn/c/demo/wechat", clock.now)
        state = dict(parse_qsl(urlsplit(url).query))["state"]
        assert state.isalnum() and len(state) <= 128
        fake.issue("RT", "oRoundTrip")
        ticket = verification.wechat_callback(demo, "RT", state, nonce, clock.now + timedelta(seconds=20))
        assert verification.ticket_openid(demo, ticket, clock.now + timedelta(minutes=1)) == "oRoundTrip"
        other = Contest(**{c.name: getattr(demo, c.name) for c in Contest.__table__.columns if c.name != "id"})
        other.slug = "other"
        db.session.add(other)
        db.session.commit()
        with pytest.raises(VerificationError) as caught:
            verification.ticket_openid(other, ticket, clock.now)
        assert caught.value.code == "wechat_required"
        with pytest.raises(VerificationError):
            verification.ticket_openid(demo, ticket, clock.now + timedelta(minutes=31))


def test_a_state_from_another_browser_or_tampered_is_refused_before_wechat_is_asked(wechat_app, contest, fake, clock):
    with wechat_app.app_context():
        demo = _contest(contest)
        url, nonce = verification.wechat_login_url(demo, "https://quiz.example.cn/cb", clock.now)
        state = dict(parse_qsl(urlsplit(url).query))["state"]
        fake.issue("S", "oS")
        tampered = state[:-1] + ("0" if state[-1] != "0" else "1")
        for bad_state, bad_nonce, when in [(state, "0" * 16, clock.now), (tampered, nonce, clock.now),
                                           (state, nonce, clock.now + timedelta(minutes=11)), (None, nonce, clock.now)]:
            with pytest.raises(VerificationError) as caught:
                verification.wechat_callback(demo, "S", bad_state, bad_nonce, when)
            assert caught.value.code == "wechat_state"
        assert fake.requests == []


def test_one_openid_is_one_participant_and_one_participant_one_openid(wechat_app, contest, clock):
    with wechat_app.app_context():
        demo = _contest(contest)
        first = _participant(demo, "13800000001", clock.now)
        second = _participant(demo, "13800000002", clock.now)
        assert verification.bind_openid(demo, first, "oFirst", clock.now) is True
        db.session.commit()
        assert verification.bind_openid(demo, first, "oFirst", clock.now) is False  # the same again: fine
        db.session.commit()
        with pytest.raises(VerificationError) as caught:
            verification.bind_openid(demo, second, "oFirst", clock.now)
        assert caught.value.code == "wechat_bound"
        with pytest.raises(VerificationError) as caught:
            verification.bind_openid(demo, first, "oAnother", clock.now)
        assert caught.value.code == "wechat_mismatch"
        assert verification.participant_for_openid(demo, "oFirst") == first
        assert db.session.execute(db.select(db.func.count()).select_from(WechatBinding)).scalar_one() == 1


def test_a_refused_binding_undoes_the_callers_registration(wechat_app, contest, clock):
    with wechat_app.app_context():
        demo = _contest(contest)
        verification.bind_openid(demo, _participant(demo, "13800000003", clock.now), "oTaken", clock.now)
        db.session.commit()
        from quizapp.database import begin_write

        begin_write(db.session)
        newcomer = Participant(contest_id=demo.id, name="李四", phone="13800000004", region="包头市",
                               consent_at=clock.now, created_at=clock.now)
        db.session.add(newcomer)
        db.session.flush()
        with pytest.raises(VerificationError):
            verification.bind_openid(demo, newcomer.id, "oTaken", clock.now)
        assert db.session.execute(db.select(Participant).filter_by(phone="13800000004")).scalar_one_or_none() is None


def test_the_binding_insert_keeps_the_callers_writes(wechat_app, contest, clock):
    with wechat_app.app_context():
        demo = _contest(contest)
        from quizapp.database import begin_write

        begin_write(db.session)
        newcomer = Participant(contest_id=demo.id, name="王五", phone="13800000005", region="包头市",
                               consent_at=clock.now, created_at=clock.now)
        db.session.add(newcomer)
        db.session.flush()
        assert verification.bind_openid(demo, newcomer.id, "oNew", clock.now) is True
        db.session.commit()
        db.session.remove()
        assert verification.participant_for_openid(demo, "oNew") == newcomer.id
