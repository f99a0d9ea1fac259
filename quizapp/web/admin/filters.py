"""Template filters of the console: times in a contest's (or the console's) time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from . import bp


@bp.app_template_filter("console_time")
def console_time(moment: datetime | None, tz_name: str = "Asia/Shanghai") -> str:
    """`2026-11-20 10:00` in the given zone; an empty string for no time."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(tz_name)).strftime("%Y-%m-%d %H:%M")
