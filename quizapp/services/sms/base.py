"""The interface every SMS provider offers, its settings, and its one error type."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from ...domain.masking import mask_phone

PROVIDERS = ("log", "tencent")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d{9})(?!\d)")


class SmsError(Exception):
    """The provider did not take the message; `code` is the provider's own error code, for the log."""

    def __init__(self, provider: str, code: str, detail: str = "", request_id: str = ""):
        self.provider = provider
        self.code = code or "unknown"
        self.detail = scrub(detail)[:300]
        self.request_id = request_id or ""
        super().__init__(f"{provider} {self.code}: {self.detail}")


class SmsProvider(Protocol):
    """Sends one verification code to one mainland number (11 digits, already normalised)."""

    name: str

    def send_code(self, phone: str, code: str, minutes: int) -> None:
        """Hand the code to the carrier; raise SmsError when the provider refuses or cannot be reached."""


@dataclass(frozen=True)
class SmsSettings:
    """SMS_* settings; the Tencent ones are needed only with SMS_PROVIDER=tencent."""

    provider: str = "log"
    secret_id: str = ""
    secret_key: str = ""
    sdk_app_id: str = ""
    sign_name: str = ""
    template_id: str = ""
    endpoint: str = ""  # empty: the provider's public endpoint; a URL (http://127.0.0.1:PORT) for a fake
    region: str = "ap-guangzhou"
    timeout: int = 5
    # What the template's {1}, {2}… receive: "code,minutes" (您的验证码为{1}，{2}分钟内有效) or "code".
    template_params: tuple[str, ...] = ("code", "minutes")
    show_code: bool = False  # the log provider writes the code itself at DEBUG (development only)

    @classmethod
    def from_config(cls, config: Mapping) -> SmsSettings:
        """Read the settings from an app config mapping, with this class's defaults for what is absent."""
        params = tuple(p.strip() for p in str(config.get("SMS_TEMPLATE_PARAMS") or "code,minutes").split(",") if p.strip())
        settings = cls(
            provider=str(config.get("SMS_PROVIDER") or "log").strip().lower(),
            secret_id=str(config.get("SMS_SECRET_ID") or ""), secret_key=str(config.get("SMS_SECRET_KEY") or ""),
            sdk_app_id=str(config.get("SMS_SDK_APP_ID") or ""), sign_name=str(config.get("SMS_SIGN_NAME") or ""),
            template_id=str(config.get("SMS_TEMPLATE_ID") or ""), endpoint=str(config.get("SMS_ENDPOINT") or ""),
            region=str(config.get("SMS_REGION") or "ap-guangzhou"), timeout=int(config.get("SMS_TIMEOUT") or 5),
            template_params=params, show_code=bool(config.get("SMS_LOG_CODE", config.get("DEBUG", False))),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse an unknown provider or a Tencent set-up that lacks a credential, naming what is missing."""
        if self.provider not in PROVIDERS:
            raise ValueError(f"SMS_PROVIDER must be one of {', '.join(PROVIDERS)}, not {self.provider!r}")
        if set(self.template_params) - {"code", "minutes"} or "code" not in self.template_params:
            raise ValueError("SMS_TEMPLATE_PARAMS lists code and, optionally, minutes (e.g. code,minutes)")
        if self.provider == "tencent":
            needed = {"SMS_SECRET_ID": self.secret_id, "SMS_SECRET_KEY": self.secret_key,
                      "SMS_SDK_APP_ID": self.sdk_app_id, "SMS_SIGN_NAME": self.sign_name,
                      "SMS_TEMPLATE_ID": self.template_id}
            missing = [name for name, value in needed.items() if not value]
            if missing:
                raise ValueError(f"SMS_PROVIDER=tencent needs {', '.join(missing)}")


def scrub(text: str) -> str:
    """Mask every mainland mobile number inside a provider's message before it reaches a log."""
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(1)), str(text or ""))
