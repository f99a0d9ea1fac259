"""WeChat 网页授权 with scope snsapi_base: the authorize link, and the exchange of its `code` for an openid.

snsapi_base asks the participant nothing (no consent screen) and yields only the openid of the
official account, which is all that "one WeChat account, one participant" needs.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from ..domain.verification import OPENID_PATTERN, VerificationError

log = logging.getLogger(__name__)
AUTHORIZE_URL = "https://open.weixin.qq.com/connect/oauth2/authorize"
DEFAULT_API_BASE = "https://api.weixin.qq.com"
MAX_RESPONSE_BYTES = 64 * 1024


class WechatOAuthError(VerificationError):
    """WeChat did not vouch for the participant; `reason` (WeChat's errcode or a local cause) goes to the log."""

    code = "wechat_failed"

    def __init__(self, reason: str, message: str = "微信授权失败，请从微信重新打开竞赛页面", code: str | None = None):
        super().__init__(message, code)
        self.reason = reason


@dataclass(frozen=True)
class WechatSettings:
    """WECHAT_APP_ID, WECHAT_APP_SECRET (of the official account), WECHAT_API_BASE, WECHAT_TIMEOUT."""

    app_id: str
    app_secret: str
    api_base: str = DEFAULT_API_BASE
    timeout: float = 5.0

    @classmethod
    def from_config(cls, config: Mapping) -> WechatSettings:
        """Read the settings from an app config; ValueError naming whatever is missing."""
        settings = cls(app_id=str(config.get("WECHAT_APP_ID") or ""),
                       app_secret=str(config.get("WECHAT_APP_SECRET") or ""),
                       api_base=str(config.get("WECHAT_API_BASE") or DEFAULT_API_BASE).rstrip("/"),
                       timeout=float(config.get("WECHAT_TIMEOUT") or 5.0))
        missing = [name for name, value in (("WECHAT_APP_ID", settings.app_id),
                                            ("WECHAT_APP_SECRET", settings.app_secret)) if not value]
        if missing:
            raise ValueError(f"IDENTITY_VERIFICATION=wechat needs {', '.join(missing)}")
        if not settings.api_base.startswith(("https://", "http://")):
            raise ValueError(f"WECHAT_API_BASE is not an http(s) address: {settings.api_base!r}")
        return settings


@dataclass(frozen=True)
class WechatIdentity:
    """What the exchange yields: the participant's openid under this official account."""

    openid: str


def authorize_url(app_id: str, redirect_uri: str, state: str) -> str:
    """The link that sends the browser through WeChat and back to `redirect_uri` with ?code=…&state=….

    WeChat wants its parameters in this order and the fragment #wechat_redirect at the end."""
    query = urlencode([("appid", app_id), ("redirect_uri", redirect_uri), ("response_type", "code"),
                       ("scope", "snsapi_base"), ("state", state)], quote_via=quote, safe="")
    return f"{AUTHORIZE_URL}?{query}#wechat_redirect"


Opener = Callable[..., object]


def _fetch(url: str, timeout: float, opener: Opener) -> dict:
    """GET a WeChat JSON answer; WechatOAuthError for a timeout, a network or HTTP error, or no JSON."""
    try:
        with opener(urllib.request.Request(url, headers={"Accept": "application/json"}), timeout=timeout) as answer:
            body = answer.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise WechatOAuthError(f"http_{exc.code}") from None
    except TimeoutError:
        raise WechatOAuthError("timeout") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):  # a connect timeout comes wrapped in URLError
            raise WechatOAuthError("timeout") from None
        # The reason names the host at most: the URL, with the secret in it, is never logged.
        raise WechatOAuthError(f"network: {reason}") from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise WechatOAuthError("response_too_large")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise WechatOAuthError("not_json") from None
    if not isinstance(data, dict):
        raise WechatOAuthError("not_json")
    return data


def _identity(data: dict) -> WechatIdentity:
    """The openid of an answer, or the error it carries."""
    if data.get("errcode"):
        # 40029 invalid code, 40163 code already used, 40013/40125 wrong app id or secret, -1 busy.
        raise WechatOAuthError(f"errcode {data.get('errcode')}: {str(data.get('errmsg', ''))[:200]}")
    if data.get("is_snapshotuser") == 1:
        # The 朋友圈 snapshot page gives a virtual openid that stands for nobody.
        raise WechatOAuthError("snapshot_user", "请点击页面下方的“使用完整服务”后再参加", "wechat_snapshot")
    openid = data.get("openid")
    if not isinstance(openid, str) or not OPENID_PATTERN.fullmatch(openid):
        raise WechatOAuthError("no_openid")
    return WechatIdentity(openid=openid)


def exchange_code(settings: WechatSettings, code: object, opener: Opener = urllib.request.urlopen) -> WechatIdentity:
    """Trade the `code` WeChat appended to the redirect for the participant's openid (sns/oauth2/access_token).

    Raises WechatOAuthError, whose message is for the participant and whose `reason` is for the log."""
    if not isinstance(code, str) or not code or len(code) > 128 or not code.isascii():
        raise WechatOAuthError("no_code")
    query = urlencode({"appid": settings.app_id, "secret": settings.app_secret, "code": code,
                       "grant_type": "authorization_code"})
    try:
        return _identity(_fetch(f"{settings.api_base}/sns/oauth2/access_token?{query}", settings.timeout, opener))
    except WechatOAuthError as exc:
        log.warning("WeChat code exchange failed: %s", exc.reason)
        raise
