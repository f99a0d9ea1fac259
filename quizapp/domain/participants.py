"""Validation of a participant's registration (name, phone, region, consent, channel)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from quizapp.domain.errors import ValidationError
from quizapp.domain.regions import normalize as normalize_region
from quizapp.domain.regions import parents_with_children

NAME_MAX = 32
CHANNEL_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MOBILE_PATTERN = re.compile(r"^1[3-9][0-9]{9}$")
# Separators people type or paste inside a number: spaces, dashes, dots, brackets.
_PHONE_NOISE = re.compile(r"[\s\-‐‑‒–—.()]")
_COUNTRY_PREFIXES = ("+86", "0086", "86")


@dataclass(frozen=True)
class Registration:
    """A registration that passed validation, normalised (trimmed name, 11-digit phone)."""

    name: str
    phone: str
    region: str
    consent: bool
    channel: str | None
    publish_consent: bool = False


def normalize_phone(raw: str) -> str | None:
    """Return the 11-digit mainland mobile number in `raw`, or None if it is not one."""
    if not isinstance(raw, str):
        return None
    # NFKC turns full-width digits and ＋ (typed with a Chinese IME) into ASCII.
    text = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", raw))
    for prefix in _COUNTRY_PREFIXES:
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            text = text[len(prefix) :]
            break
    return text if MOBILE_PATTERN.fullmatch(text) else None


def _has_control(text: str) -> bool:
    """Tell whether text holds control, format or unassigned characters (never in a name)."""
    return any(unicodedata.category(char).startswith("C") for char in text)


def _check_name(value: Any) -> tuple[str, str | None]:
    """Return (trimmed name, error or None)."""
    if not isinstance(value, str):
        return "", "请填写姓名"
    name = value.strip()
    if not name:
        return "", "请填写姓名"
    if len(name) > NAME_MAX:
        return name, f"姓名不能超过 {NAME_MAX} 个字符"
    if _has_control(name):
        return name, "姓名含有不可见或控制字符"
    return name, None


def _check_region(value: Any, regions: Sequence[str]) -> tuple[str, str | None]:
    """Return (region, error or None); with no region list the field is not collected.

    A sub-region is sent as `通辽市/奈曼旗`; spaces around the parts and the full-width ／ are accepted."""
    if not regions:
        # The contest does not need a region, so none is kept (collect only what is needed).
        return "", None
    if not isinstance(value, str) or not value.strip():
        return "", "请选择所在地区"
    region = value.strip()
    if region in regions:
        return region, None
    typed = normalize_region(region)
    if typed in regions:
        return typed, None
    if typed in parents_with_children(regions):
        return typed, f"请在“{typed}”下选择所在旗县区"
    return region, "所选地区不在本次竞赛的地区列表中"


def _check_channel(value: Any) -> tuple[str | None, str | None]:
    """Return (channel or None, error or None)."""
    if value is None or value == "":
        return None, None
    if not isinstance(value, str) or not CHANNEL_PATTERN.fullmatch(value):
        return None, "渠道代码只能包含字母、数字、下划线和连字符，且不超过 32 个字符"
    return value, None


def validate_registration(data: Mapping, regions: Sequence[str]) -> Registration:
    """Check a registration and return it normalised; raise one ValidationError listing every bad field."""
    if not isinstance(data, Mapping):
        raise ValidationError("body", "请求内容必须是一个 JSON 对象")
    errors: dict[str, str] = {}
    name, error = _check_name(data.get("name"))
    if error:
        errors["name"] = error
    phone = normalize_phone(data.get("phone"))
    if phone is None:
        errors["phone"] = "请填写正确的 11 位手机号码"
    region, error = _check_region(data.get("region"), regions)
    if error:
        errors["region"] = error
    # Only the JSON boolean true counts as consent; "true" or 1 are not an explicit yes.
    if data.get("consent") is not True:
        errors["consent"] = "请阅读并同意个人信息收集使用说明"
    channel, error = _check_channel(data.get("channel"))
    if error:
        errors["channel"] = error
    # PIPL Art. 31: under 14 only with a guardian's consent. The page always asks; an API client that
    # shows the consent text (which says so) may leave the key out, but cannot answer no.
    if "age_confirmed" in data and data.get("age_confirmed") is not True:
        errors["age_confirmed"] = "请确认您已满14周岁，或已取得监护人同意"
    publish = data.get("publish_consent", False)
    if not isinstance(publish, bool):
        errors["publish_consent"] = "是否同意公示姓名须为 true 或 false"
    if errors:
        raise ValidationError(errors)
    return Registration(name=name, phone=phone or "", region=region, consent=True, channel=channel,
                        publish_consent=publish)


def same_name(typed: str, registered: str) -> bool:
    """Whether a name typed now is the registered one: compared after NFKC and trimming, so that a
    full-width space or letter typed with a Chinese IME is the same name."""
    return unicodedata.normalize("NFKC", typed).strip() == unicodedata.normalize("NFKC", registered).strip()


def token_expires_at(ends_at: datetime, publicity_days: int, draw_period_days: int) -> datetime:
    """When a participant's token stops working: after the contest, the time allowed for the draw and
    its 公示 (the winners' page and 我的成绩 must still open during the 公示)."""
    return ends_at + timedelta(days=draw_period_days + max(publicity_days, 0))
