"""SMS providers behind one interface (base.SmsProvider), chosen by SMS_PROVIDER=log|tencent."""

from __future__ import annotations

from collections.abc import Mapping

from .base import SmsError, SmsProvider, SmsSettings
from .log import LogProvider

__all__ = ["SmsError", "SmsProvider", "SmsSettings", "LogProvider", "build_provider"]


def build_provider(config: Mapping) -> SmsProvider:
    """The provider the settings name; ValueError (naming the missing setting) when it cannot be built."""
    settings = SmsSettings.from_config(config)
    if settings.provider == "tencent":
        # Imported only when chosen: a deployment with SMS off needs neither the SDK nor its import time.
        from .tencent import TencentProvider

        return TencentProvider(settings)
    return LogProvider(show_code=settings.show_code)
