"""The audit log: who did what to a contest's draw, when, and to how many rows."""

from __future__ import annotations

import getpass
from datetime import datetime

from ..extensions import db
from ..models import AuditLog, Contest
from .contests import get_contest


def default_actor() -> str:
    """The operating-system user running the command, for `--by` defaults."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user without a passwd entry or LOGNAME
        return "unknown"


def record(action: str, actor: str, contest: Contest | None, rows: int, now: datetime,
           detail: dict | None = None) -> AuditLog:
    """Add an audit row to the caller's transaction, so it is committed (or lost) with the change itself."""
    # `detail` may hold counts, hashes and reasons, never names, phones or an unrevealed seed.
    entry = AuditLog(at=now, actor=(actor or "unknown")[:64], action=action,
                     contest_id=contest.id if contest else None, rows=rows, detail=detail or {})
    db.session.add(entry)
    return entry


def contest_entries(slug: str, limit: int = 200) -> list[AuditLog]:
    """The latest audit rows of a contest, newest first."""
    contest = get_contest(slug)
    return list(db.session.execute(
        db.select(AuditLog).where(AuditLog.contest_id == contest.id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit)
    ).scalars())
