"""The words on a poster: the PosterSpec and the helpers that phrase dates, steps, prizes and contacts.

Plain values in, strings out; shared by the PDF (poster.py) and the print page's template, so that
both say the same thing.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

SLOGAN = "安全用药 健康为民"
# Accurate to DEFAULT_CONSENT_TEXT (name, phone, region; the contest and its prizes only; masked
# on the leaderboard and the winners' notice). A contest with its own consent text gets DATA_USE_OWN.
DATA_USE_TEXT = ("个人信息保护：您填写的姓名、手机号码和所在地区仅用于本次竞赛的成绩统计和奖品发放，"
                 "不提供给无关第三方；排行榜和获奖公示中姓名、手机号码均脱敏显示。")
DATA_USE_NO_PRIZES = DATA_USE_TEXT.replace("成绩统计和奖品发放", "参赛记录和成绩统计")
DATA_USE_OWN = ("个人信息保护：您填写的个人信息按登记页《个人信息收集使用说明》使用；"
                "排行榜和获奖公示中姓名、手机号码均脱敏显示。")
WEEKDAYS = "一二三四五六日"
_CONTACT_LABELS = ("电话", "联系", "咨询", "热线", "邮箱", "微信", "地址", "：", ":")


@dataclass(frozen=True)
class PosterSpec:
    """Everything printed on one poster, already worded."""

    title: str
    dates: str
    prizes: str
    steps: tuple[str, ...]
    url: str
    channel_name: str = ""
    slogan: str = SLOGAN
    ec: str = "M"
    organizer: str = ""
    contact: str = ""
    event_date: str = ""
    place: str = ""
    data_use: str = DATA_USE_TEXT
    logo: bytes | None = None  # PNG


def date_range_text(start: datetime, end: datetime) -> str:
    """2026年11月15日 至 12月15日 (the year again only when it changes), from local times."""
    first = f"{start.year}年{start.month}月{start.day}日"
    last = f"{end.month}月{end.day}日" if end.year == start.year else f"{end.year}年{end.month}月{end.day}日"
    return f"{first} 至 {last}"


def event_date_text(day: date | None) -> str:
    """2026年11月20日（星期五）, or "" without a date."""
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）" if day else ""


def prize_text(prizes: Sequence[dict]) -> str:
    """奖项：一等奖 10 名、二等奖 30 名 (or a line without prizes)."""
    if not prizes:
        return "答题学习安全用药知识，人人都是自己健康的第一责任人"
    return "奖项：" + "、".join(f"{p['name']} {p['count']} 名" for p in prizes)


def steps_text(question_count: int, minutes: int, pass_score: float, has_prizes: bool) -> tuple[str, ...]:
    """The three steps for taking part, with the round's own numbers."""
    goal = f"达到 {pass_score:g} 分即可参加抽奖" if has_prizes else f"达到 {pass_score:g} 分即为合格"
    return ("微信扫一扫下方二维码，或在浏览器输入下方网址",
            "登记姓名、手机号码和所在地区",
            f"在线答题 {question_count} 道，限时 {minutes} 分钟，{goal}")


def data_use_text(has_prizes: bool, own_consent: bool) -> str:
    """The one line on how the data is used, true to the consent text the contest shows."""
    if own_consent:
        return DATA_USE_OWN
    return DATA_USE_TEXT if has_prizes else DATA_USE_NO_PRIZES


def contact_text(contact: str) -> str:
    """The contact line as written when it names itself (咨询电话 …), else under 联系方式."""
    contact = contact.strip()
    if not contact or any(label in contact for label in _CONTACT_LABELS):
        return contact
    return "联系方式：" + contact


def fact_rows(spec: PosterSpec) -> tuple[tuple[str, str], ...]:
    """(label, text) lines under the title: dates, this event and where, prizes (label "" : a sentence)."""
    rows = [("活动时间", spec.dates)]
    if spec.channel_name:
        rows.append(("本场活动", spec.channel_name))
    where = "　".join(value for value in (spec.event_date, spec.place) if value)
    if where:
        rows.append(("活动现场", where))
    label, colon, text = spec.prizes.partition("：")
    rows.append((label, text) if colon else ("", spec.prizes))
    return tuple(rows)


def footer_lines(spec: PosterSpec) -> tuple[str, ...]:
    """主办单位 and the contact line; when neither is set the footer carries the slogan instead."""
    lines = [f"主办单位：{spec.organizer}"] if spec.organizer.strip() else []
    if spec.contact.strip():
        lines.append(contact_text(spec.contact))
    return tuple(lines)


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's IHDR chunk."""
    if len(data) < 24 or not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])
