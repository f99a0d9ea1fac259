"""Rules of the optional stronger identity (issue 12): SMS codes, their limits, signed WeChat states.

Plain Python: the caller passes the clock (`now`), the key and, for codes, the random source.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import DomainError, ValidationError

MODES = ("none", "sms", "wechat")
CODE_DIGITS = 6
CODE_PATTERN = re.compile(r"^[0-9]{6}$")
OPENID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# WeChat sends `state` back unchanged but accepts only letters and digits, at most 128 of them.
_STATE_PATTERN = re.compile(r"^([0-9a-f]{10})([0-9a-f]{16})([0-9a-f]{32})$")
_TICKET_PATTERN = re.compile(r"^([0-9a-f]{10})\.([A-Za-z0-9_-]{1,64})\.([0-9a-f]{32})$")


class VerificationError(DomainError):
    """A code or a WeChat identity was refused; `code` says why, the message is for the participant."""

    code = "verification_failed"


class CodeThrottled(VerificationError):
    """Too many codes asked for: `retry_after` whole seconds until the next may be sent."""

    code = "sms_throttled"

    def __init__(self, retry_after: int):
        super().__init__(f"获取验证码太频繁，请 {retry_after} 秒后再试")
        self.retry_after = retry_after


class CodeRefused(ValidationError):
    """A typed SMS code was refused: a validation error on the form's `code` field with a precise `code`
    (code_missing, code_invalid, code_expired, code_exhausted), so the page shows it beside the box."""

    def __init__(self, message: str, code: str):
        super().__init__("code", message, message=message)
        self.code = code


@dataclass(frozen=True)
class CodeRules:
    """How long a code lives, how many guesses it allows, and how often one may be sent."""

    ttl: timedelta = timedelta(minutes=5)
    max_tries: int = 5
    phone_interval: timedelta = timedelta(seconds=60)
    phone_per_hour: int = 5
    address_per_hour: int = 1000  # 0: no per-address ceiling
    daily_limit: int = 0  # every code sent by the whole service in 24 hours; 0: none


def parse_mode(value: object) -> str:
    """IDENTITY_VERIFICATION as one of MODES (empty means none); anything else is a configuration error."""
    mode = str(value or "none").strip().lower()
    if mode not in MODES:
        raise ValueError(f"IDENTITY_VERIFICATION must be one of {', '.join(MODES)}, not {value!r}")
    return mode


def new_code(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    """A 6-digit code, leading zeros kept; `randbelow` is injectable, and must be secrets' in production."""
    return f"{randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def keyed_digest(key: str | bytes, purpose: str, *parts: object) -> str:
    """HMAC-SHA256 (hex) of the parts under `key`, separated by purpose so that no digest stands for another."""
    raw_key = key.encode() if isinstance(key, str) else key
    message = "\x00".join([purpose, *(str(part) for part in parts)]).encode()
    return hmac.new(raw_key, message, hashlib.sha256).hexdigest()


def phone_digest(key: str | bytes, phone: str) -> str:
    """The stored form of a normalised phone: keyed, so that a leaked table does not list numbers."""
    return keyed_digest(key, "phone", phone)


def address_digest(key: str | bytes, address: str) -> str:
    """The stored form of a client address, kept only to count codes sent per address."""
    return keyed_digest(key, "address", address)


def code_digest(key: str | bytes, phone_hash: str, code: str) -> str:
    """The stored form of a code, bound to its phone so that a row cannot vouch for another number."""
    return keyed_digest(key, "sms-code", phone_hash, code)


def code_matches(key: str | bytes, phone_hash: str, code: str, stored: str) -> bool:
    """Compare a typed code with the stored digest in constant time."""
    typed = (code or "").strip()
    candidate = code_digest(key, phone_hash, typed if CODE_PATTERN.fullmatch(typed) else "invalid")
    return hmac.compare_digest(candidate, stored)


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _cap_wait(times: Sequence[datetime], cap: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than `cap` of `times` fall in the window ending at now (0: already so)."""
    if cap <= 0:
        return 0
    recent = sorted(t for t in times if now - t < window)
    if len(recent) < cap:
        return 0
    return _seconds(recent[len(recent) - cap] + window - now)


def send_wait(rules: CodeRules, now: datetime, phone_sends: Sequence[datetime],
              phone_delivered: Sequence[datetime], address_sends: Sequence[datetime],
              all_sends_today: int = 0) -> int:
    """Seconds before another code may go to this phone from this address (0: send now).

    Every try counts for the interval and the address; only codes the provider accepted count for the
    hourly cap, so that a provider outage does not lock a participant out for an hour."""
    waits = [_cap_wait(phone_delivered, rules.phone_per_hour, timedelta(hours=1), now),
             _cap_wait(address_sends, rules.address_per_hour, timedelta(hours=1), now)]
    if phone_sends:
        last = max(phone_sends)
        if now - last < rules.phone_interval:
            waits.append(_seconds(last + rules.phone_interval - now))
    if rules.daily_limit and all_sends_today >= rules.daily_limit:
        waits.append(3600)  # the rolling day frees slowly; an hour is an honest guess, not a promise
    return max(waits)


def code_refusal(rules: CodeRules, now: datetime, expires_at: datetime | None, tries: int,
                 consumed: bool) -> CodeRefused | None:
    """Why the latest code of a phone cannot be checked now, or None if a guess may be compared."""
    if expires_at is None or consumed:
        return CodeRefused("请先获取短信验证码", "code_missing")
    if tries >= rules.max_tries:
        return CodeRefused("验证码错误次数过多，请重新获取", "code_exhausted")
    if now >= expires_at:
        return CodeRefused("验证码已过期，请重新获取", "code_expired")
    return None


def wrong_code(rules: CodeRules, tries_after: int) -> CodeRefused:
    """The refusal of a wrong guess, saying how many remain."""
    left = rules.max_tries - tries_after
    if left <= 0:
        return CodeRefused("验证码错误次数过多，请重新获取", "code_exhausted")
    return CodeRefused(f"验证码不正确，还可以再试 {left} 次", "code_invalid")


def _hex_time(now: datetime) -> str:
    return f"{int(now.timestamp()):010x}"


def sign_state(key: str | bytes, slug: str, nonce: str, now: datetime) -> str:
    """An OAuth `state` (58 hex characters) that binds the WeChat round trip to this contest and browser.

    `nonce` (16 hex) also goes into a cookie of the browser, so a state from someone else's link fails."""
    if not re.fullmatch(r"[0-9a-f]{16}", nonce):
        raise ValueError("nonce must be 16 lowercase hex characters")
    stamp = _hex_time(now)
    return stamp + nonce + keyed_digest(key, "wechat-state", slug, stamp, nonce)[:32]


def check_state(key: str | bytes, slug: str, state: str, nonce: str, now: datetime,
                max_age: timedelta = timedelta(minutes=10)) -> bool:
    """Whether `state` came back untouched, for this contest and browser, within `max_age`."""
    match = _STATE_PATTERN.fullmatch(state or "")
    if not match or not hmac.compare_digest(match.group(2), nonce or ""):
        return False
    stamp, mac = match.group(1), match.group(3)
    if not hmac.compare_digest(mac, keyed_digest(key, "wechat-state", slug, stamp, match.group(2))[:32]):
        return False
    age = now.timestamp() - int(stamp, 16)
    return -60 <= age <= max_age.total_seconds()  # a minute's skew between app servers is tolerated


def sign_ticket(key: str | bytes, contest_id: int, openid: str, now: datetime) -> str:
    """A short-lived proof that WeChat vouched for `openid`, carried from the callback to registration."""
    if not OPENID_PATTERN.fullmatch(openid or ""):
        raise ValueError("not an openid")
    stamp = _hex_time(now)
    return f"{stamp}.{openid}.{keyed_digest(key, 'wechat-ticket', contest_id, stamp, openid)[:32]}"


def read_ticket(key: str | bytes, contest_id: int, ticket: str, now: datetime,
                max_age: timedelta = timedelta(minutes=30)) -> str:
    """The openid a ticket vouches for; VerificationError when it is forged, for another contest or old."""
    match = _TICKET_PATTERN.fullmatch(ticket or "") if isinstance(ticket, str) else None
    refused = VerificationError("微信身份已失效，请从微信重新打开竞赛页面", "wechat_required")
    if not match:
        raise refused
    stamp, openid, mac = match.groups()
    if not hmac.compare_digest(mac, keyed_digest(key, "wechat-ticket", contest_id, stamp, openid)[:32]):
        raise refused
    age = now.timestamp() - int(stamp, 16)
    if not -60 <= age <= max_age.total_seconds():
        raise refused
    return openid
