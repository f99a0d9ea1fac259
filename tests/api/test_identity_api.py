"""The optional stronger identity through the API (issue 12): SMS codes and WeChat tickets at registration."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quizapp import create_app
from quizapp.domain.verification import sign_ticket
from quizapp.extensions import db
from quizapp.models import Contest
from tests.fakes.sms_outbox import Broken, Outbox


@pytest.fixture
def outbox(app):
    app.config["IDENTITY_VERIFICATION"] = "sms"
    app.extensions["sms_provider"] = box = Outbox()
    return box


def test_sms_mode_asks_for_the_code_of_the_phone(api, client, outbox, clock):
    response = api.register()
    assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == {"code"}
    sent = client.post("/api/v1/contests/demo/sms-codes", json={"phone": "138 1234 5678"})
    assert sent.status_code == 202 and sent.get_json()["resend_after_seconds"] == 60
    again = client.post("/api/v1/contests/demo/sms-codes", json={"phone": "13812345678"})
    assert again.status_code == 429 and again.headers["Retry-After"] == "60"
    assert again.get_json()["error"]["code"] == "sms_throttled"
    code = outbox.codes["13812345678"]
    wrong = api.register(code=f"{(int(code) + 1) % 1000000:06d}")
    assert wrong.status_code == 422 and wrong.get_json()["error"]["code"] == "code_invalid"
    assert api.register(code=code).status_code == 201
    reused = api.register(code=code)  # signing in again needs a new code
    assert reused.status_code == 422 and reused.get_json()["error"]["code"] == "code_missing"


def test_a_failed_sms_is_a_503_with_the_chinese_message(api, client, outbox):
    client.application.extensions["sms_provider"] = Broken()
    response = client.post("/api/v1/contests/demo/sms-codes", json={"phone": "13812345678"})
    assert response.status_code == 503 and response.get_json()["error"]["message"] == "短信发送失败，请稍后再试"


def test_no_sms_endpoint_without_sms_mode(api, client):
    assert client.post("/api/v1/contests/demo/sms-codes", json={"phone": "13812345678"}).status_code == 404


def test_wechat_mode_binds_one_account_to_one_participant(app, api, clock):
    app.config.update(IDENTITY_VERIFICATION="wechat", WECHAT_APP_ID="wx1", WECHAT_APP_SECRET="s")
    assert api.register().get_json()["error"]["code"] == "wechat_required"
    with app.app_context():
        contest_id = db.session.execute(db.select(Contest.id).filter_by(slug="demo")).scalar_one()
    ticket = sign_ticket(app.config["SECRET_KEY"], contest_id, "oPerson", clock.now)
    assert api.register(wechat_ticket=ticket).status_code == 201
    assert api.register(wechat_ticket=ticket).status_code == 200  # the same person again
    other = api.register(phone="13900001111", name="李四", wechat_ticket=ticket)
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "wechat_bound"
    stranger = sign_ticket(app.config["SECRET_KEY"], contest_id, "oStranger", clock.now + timedelta(seconds=1))
    taken = api.register(wechat_ticket=stranger)
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "wechat_mismatch"


def test_a_misconfigured_mode_stops_the_app_at_start():
    with pytest.raises(ValueError, match="WECHAT_APP_ID"):
        create_app({"SECRET_KEY": "x", "TESTING": True, "IDENTITY_VERIFICATION": "wechat"})
