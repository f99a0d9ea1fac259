"""Template filters for the participant pages: Chinese dates, durations and scores."""

from __future__ import annotations

from datetime import datetime

from ...domain.masking import mask_name
from . import bp

STATUS_LABELS = {"upcoming": "未开始", "open": "进行中", "closed": "已结束"}
TYPE_LABELS = {"single": "单选题", "multiple": "多选题", "judge": "判断题"}
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@bp.app_template_filter("cn_time")
def cn_time(value) -> str:
    """2026年11月15日 00:00, from an ISO string already in the contest's time zone."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


@bp.app_template_filter("masked_name")
def masked_name(value) -> str:
    """张*, 欧阳**: a name as a page shows it to whoever holds the phone."""
    return mask_name(value or "")


@bp.app_template_filter("cn_duration")
def cn_duration(seconds) -> str:
    """10分钟, 3分05秒 or 45秒 from whole seconds."""
    if seconds is None:
        return "—"
    minutes, rest = divmod(int(seconds), 60)
    if minutes and not rest:
        return f"{minutes}分钟"
    return f"{minutes}分{rest:02d}秒" if minutes else f"{rest}秒"


@bp.app_template_filter("cn_score")
def cn_score(value) -> str:
    """A score without float noise: 50, 47.5."""
    if value is None:
        return "—"
    return f"{float(value):g}"


@bp.app_template_filter("clock")
def clock(seconds) -> str:
    """mm:ss for the countdown shown before (or without) JavaScript."""
    minutes, rest = divmod(max(0, int(seconds)), 60)
    return f"{minutes:02d}:{rest:02d}"


@bp.app_context_processor
def labels() -> dict:
    """Status, question-type labels and option letters for every template."""
    return {"STATUS_LABELS": STATUS_LABELS, "TYPE_LABELS": TYPE_LABELS, "LETTERS": LETTERS}
