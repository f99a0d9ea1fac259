"""SMS providers: the Tencent adapter through the real SDK against a local fake, and the log provider."""

from __future__ import annotations

import logging
import socket
import time

import pytest

from quizapp.services.sms import LogProvider, SmsError, SmsSettings, build_provider
from quizapp.services.sms.base import scrub
from quizapp.services.sms.tencent import TencentProvider, http_profile
from tests.fakes.tencent_sms import FakeTencentSms

PHONE = "13800138000"


def tencent_config(endpoint: str, **extra) -> dict:
    """Settings that point the SDK at the fake, with the fake's credentials."""
    return {"SMS_PROVIDER": "tencent", "SMS_SECRET_ID": "AKIDfake", "SMS_SECRET_KEY": "fake-secret-key",
            "SMS_SDK_APP_ID": "1400000001", "SMS_SIGN_NAME": "药品安全竞赛", "SMS_TEMPLATE_ID": "123456",
            "SMS_ENDPOINT": endpoint, **extra}


@pytest.fixture
def fake():
    with FakeTencentSms() as server:
        yield server


def test_tencent_sends_a_signed_sendsms_the_fake_accepts(fake):
    provider = build_provider(tencent_config(fake.url))
    assert isinstance(provider, TencentProvider)
    provider.send_code(PHONE, "042917", 5)
    assert len(fake.sent) == 1, "the fake refused the call (signature, action or version)"
    body = fake.sent[0]
    assert body["PhoneNumberSet"] == ["+8613800138000"]
    assert body["SmsSdkAppId"] == "1400000001"
    assert body["SignName"] == "药品安全竞赛"
    assert body["TemplateId"] == "123456"
    assert body["TemplateParamSet"] == ["042917", "5"]
    request = fake.requests[0]
    assert request.method == "POST" and request.path == "/"
    assert request.headers["X-TC-Action"] == "SendSms" and request.headers["X-TC-Region"] == "ap-guangzhou"


def test_template_with_the_code_alone(fake):
    build_provider(tencent_config(fake.url, SMS_TEMPLATE_PARAMS="code")).send_code(PHONE, "000123", 5)
    assert fake.sent[0]["TemplateParamSet"] == ["000123"]


def test_a_wrong_secret_key_is_refused_by_the_signature_check(fake):
    provider = build_provider(tencent_config(fake.url, SMS_SECRET_KEY="not-the-key"))
    with pytest.raises(SmsError) as caught:
        provider.send_code(PHONE, "123456", 5)
    assert caught.value.code == "AuthFailure.SignatureFailure"
    assert caught.value.request_id == "req-error-1"
    assert fake.sent == []


def test_a_refused_number_is_an_error_even_though_the_call_succeeded(fake):
    fake.status_code = "LimitExceeded.PhoneNumberDailyLimit"
    with pytest.raises(SmsError) as caught:
        build_provider(tencent_config(fake.url)).send_code(PHONE, "123456", 5)
    assert caught.value.code == "LimitExceeded.PhoneNumberDailyLimit"
    # Tencent's message named the number; what reaches the log is masked.
    assert PHONE not in str(caught.value) and "138****8000" in caught.value.detail


def test_a_refused_call_carries_tencents_code(fake):
    fake.api_error = ("FailedOperation.SignatureIncorrectOrUnapproved", "签名未审批")
    with pytest.raises(SmsError) as caught:
        build_provider(tencent_config(fake.url)).send_code(PHONE, "123456", 5)
    assert caught.value.code == "FailedOperation.SignatureIncorrectOrUnapproved"
    assert caught.value.provider == "tencent"


def test_an_http_error_page_is_an_sms_error(fake):
    fake.http_status = 502
    with pytest.raises(SmsError) as caught:
        build_provider(tencent_config(fake.url)).send_code(PHONE, "123456", 5)
    assert caught.value.code == "ServerNetworkError"


def test_a_stalled_provider_times_out(fake):
    fake.delay = 5
    provider = build_provider(tencent_config(fake.url, SMS_TIMEOUT=1))
    started = time.monotonic()
    with pytest.raises(SmsError) as caught:
        provider.send_code(PHONE, "123456", 5)
    assert time.monotonic() - started < 4
    assert caught.value.code == "ClientNetworkError"


def test_an_unreachable_provider_is_an_sms_error():
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SmsError) as caught:
        build_provider(tencent_config(f"http://127.0.0.1:{port}", SMS_TIMEOUT=2)).send_code(PHONE, "123456", 5)
    assert caught.value.code == "ClientNetworkError"


def test_tencent_without_credentials_names_what_is_missing():
    with pytest.raises(ValueError, match="SMS_SECRET_KEY, SMS_SDK_APP_ID") as caught:
        build_provider({"SMS_PROVIDER": "tencent", "SMS_SECRET_ID": "x", "SMS_SIGN_NAME": "s", "SMS_TEMPLATE_ID": "1"})
    assert "SMS_SECRET_ID" not in str(caught.value)


@pytest.mark.parametrize("config, message", [
    ({"SMS_PROVIDER": "aliyun"}, "SMS_PROVIDER must be one of log, tencent"),
    ({"SMS_TEMPLATE_PARAMS": "minutes"}, "SMS_TEMPLATE_PARAMS"),
    ({"SMS_TEMPLATE_PARAMS": "code,name"}, "SMS_TEMPLATE_PARAMS"),
])
def test_bad_settings_are_refused(config, message):
    with pytest.raises(ValueError, match=message):
        SmsSettings.from_config(config)


def test_endpoint_defaults_to_tencent_over_https_and_accepts_a_local_url():
    default = http_profile(SmsSettings())
    assert (default.endpoint, default.scheme) == ("sms.tencentcloudapi.com", "https")
    local = http_profile(SmsSettings(endpoint="http://127.0.0.1:8123"))
    assert (local.endpoint, local.scheme) == ("127.0.0.1:8123", "http")
    bare = http_profile(SmsSettings(endpoint="sms.ap-shanghai.tencentcloudapi.com"))
    assert (bare.endpoint, bare.scheme) == ("sms.ap-shanghai.tencentcloudapi.com", "https")
    with pytest.raises(ValueError, match="SMS_ENDPOINT"):
        http_profile(SmsSettings(endpoint="ftp://example.invalid"))


def test_log_provider_masks_the_phone_and_keeps_the_code_out_of_info(caplog):
    with caplog.at_level(logging.DEBUG, logger="quizapp.sms"):
        LogProvider(show_code=False).send_code(PHONE, "654321", 5)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "138****8000" in text
    assert PHONE not in text and "654321" not in text


def test_log_provider_shows_the_code_only_at_debug_in_development(caplog):
    with caplog.at_level(logging.DEBUG, logger="quizapp.sms"):
        LogProvider(show_code=True).send_code(PHONE, "654321", 5)
    with_code = [r for r in caplog.records if "654321" in r.getMessage()]
    assert with_code and all(r.levelno == logging.DEBUG for r in with_code)
    assert all(PHONE not in r.getMessage() for r in caplog.records)


def test_the_log_provider_is_the_default_and_shows_codes_only_in_debug():
    assert isinstance(build_provider({}), LogProvider)
    assert build_provider({}).show_code is False
    assert build_provider({"DEBUG": True}).show_code is True
    assert build_provider({"DEBUG": True, "SMS_LOG_CODE": False}).show_code is False


def test_scrub_masks_numbers_with_and_without_the_country_code():
    assert scrub("+8613800138000 and 13912345678, not 123456") == "138****8000 and 139****5678, not 123456"


def test_nothing_logged_holds_the_phone_or_code_even_at_debug(fake, caplog):
    fake.status_code = "LimitExceeded.PhoneNumberDailyLimit"
    with caplog.at_level(logging.DEBUG), pytest.raises(SmsError):
        build_provider(tencent_config(fake.url)).send_code(PHONE, "918273", 5)
    fake.status_code = "Ok"
    with caplog.at_level(logging.DEBUG):
        build_provider(tencent_config(fake.url)).send_code(PHONE, "918273", 5)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert PHONE not in text and "918273" not in text
