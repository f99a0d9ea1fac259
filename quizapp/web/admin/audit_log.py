"""操作日志: the audit log with filters by person, action, contest and date."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request

from ...domain.permissions import VIEW_AUDIT
from ...services import audit as audit_service
from . import bp
from .access import requires


def _day(value: str | None, tz: ZoneInfo, after: bool = False) -> datetime | None:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    if after:
        day += timedelta(days=1)
    return datetime.combine(day, time(), tz)


@bp.get("/audit")
@requires(VIEW_AUDIT)
def audit():
    """Newest first, 50 a page; the dates are days in the console's time zone."""
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    args = request.args
    page = args.get("page", "1")
    query = audit_service_filter(args, tz, int(page) if page.isdigit() else 1)
    rows, total = audit_service.search(query)
    return render_template("admin/audit.html", rows=rows, total=total, query=query, args=args, tz=tz,
                           pages=max(1, math.ceil(total / audit_service.PAGE_SIZE)), actions=audit_service.ACTION_NAMES,
                           actors=audit_service.known_actors(),
                           describe=audit_service.describe_detail)


def audit_service_filter(args, tz: ZoneInfo, page: int) -> audit_service.AuditFilter:
    """The page's query string as the service's filter."""
    return audit_service.AuditFilter(actor=args.get("actor", ""), action=args.get("action", ""),
                                     contest_slug=args.get("contest", "").strip(), since=_day(args.get("from"), tz),
                                     until=_day(args.get("to"), tz, after=True), page=page)
