"""Tencent Cloud SMS (短信 SendSms, API 2021-01-11) through the official SDK, tencentcloud-sdk-python-sms."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from .base import SmsError, SmsSettings

log = logging.getLogger("quizapp.sms")
DEFAULT_ENDPOINT = "sms.tencentcloudapi.com"
# The SDK's DEBUG lines print each request and response whole: the phone and the code in clear.
# Held at INFO here, so that a root logger turned to DEBUG while chasing something else never records them.
logging.getLogger("tencentcloud_sdk_common").setLevel(logging.INFO)


def http_profile(settings: SmsSettings) -> HttpProfile:
    """Where the SDK sends requests: Tencent's endpoint over HTTPS, or SMS_ENDPOINT (http://host:port for a fake)."""
    endpoint, protocol = DEFAULT_ENDPOINT, "https"
    if settings.endpoint:
        parsed = urlparse(settings.endpoint if "://" in settings.endpoint else f"https://{settings.endpoint}")
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"SMS_ENDPOINT is not an http(s) address: {settings.endpoint!r}")
        endpoint, protocol = parsed.netloc, parsed.scheme
    return HttpProfile(protocol=protocol, endpoint=endpoint, reqMethod="POST", reqTimeout=settings.timeout)


class TencentProvider:
    """One SendSms call per code, to one number, with the template's parameters in SMS_TEMPLATE_PARAMS order."""

    name = "tencent"

    def __init__(self, settings: SmsSettings):
        settings.check()
        self.settings = settings
        # No region breaker: on failures it would switch to Tencent's backup host behind SMS_ENDPOINT's back.
        profile = ClientProfile(httpProfile=http_profile(settings), disable_region_breaker=True)
        self.client = sms_client.SmsClient(credential.Credential(settings.secret_id, settings.secret_key),
                                           settings.region, profile)

    def _request(self, phone: str, code: str, minutes: int) -> models.SendSmsRequest:
        values = {"code": code, "minutes": str(minutes)}
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{phone}"]
        request.SmsSdkAppId = self.settings.sdk_app_id
        request.SignName = self.settings.sign_name
        request.TemplateId = self.settings.template_id
        request.TemplateParamSet = [values[name] for name in self.settings.template_params]
        return request

    def send_code(self, phone: str, code: str, minutes: int) -> None:
        """Send the code; SmsError with Tencent's code (a refused call or a refused number) otherwise."""
        try:
            response = self.client.SendSms(self._request(phone, code, minutes))
        except TencentCloudSDKException as exc:
            # ClientNetworkError covers timeouts and refused connections; its text names no phone.
            raise SmsError(self.name, exc.get_code(), exc.get_message() or "", exc.get_request_id() or "") from None
        statuses = response.SendStatusSet or []
        # The call itself can succeed while the number is refused (blacklist, daily cap): that status decides.
        if not statuses or statuses[0].Code != "Ok":
            status = statuses[0] if statuses else None
            raise SmsError(self.name, status.Code if status else "NoSendStatus",
                           status.Message if status else "", response.RequestId or "")
        log.info("SMS code accepted by tencent (request %s, serial %s)", response.RequestId, statuses[0].SerialNo)
