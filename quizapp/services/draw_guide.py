"""Where a contest's prize draw stands, step by step, for the console's guided draw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func

from ..extensions import db
from ..models import Contest, Exclusion, PrizeDraw
from . import flags as flag_service
from .contests import iso_local
from .draw_notice import latest_draw
from .eligibility import eligible_participant_ids


@dataclass(frozen=True)
class Readiness:
    """The checks before a commitment: each a fact the organizer confirms, and whether it blocks."""

    closes_at: str  # the end plus the grace period, in the contest's time zone
    ended: bool
    unresolved_flags: int
    exclusions: int
    eligible: int
    prize_count: int  # winners to draw over every tier
    reserve_count: int

    @property
    def blockers(self) -> list[str]:
        """What makes a commitment impossible now (in plain Chinese)."""
        found = []
        if not self.ended:
            found.append(f"竞赛尚未结束：{self.closes_at} 后才能开始抽奖")
        if not self.prize_count:
            found.append("竞赛没有设置奖项")
        if not self.eligible:
            found.append("目前没有符合抽奖条件的参赛者")
        return found


def readiness(contest: Contest, now: datetime) -> Readiness:
    """The checks of step 1, read without changing anything."""
    closes = contest.ends_at + timedelta(seconds=contest.grace_seconds)
    exclusions = db.session.execute(
        db.select(func.count(Exclusion.id)).where(Exclusion.contest_id == contest.id)).scalar_one()
    prizes = contest.prizes or []
    return Readiness(
        closes_at=iso_local(closes, contest.timezone), ended=now > closes,
        unresolved_flags=flag_service.unresolved_count(contest), exclusions=exclusions,
        eligible=len(eligible_participant_ids(contest)),
        prize_count=sum(int(p["count"]) for p in prizes), reserve_count=sum(int(p.get("reserve") or 0) for p in prizes))


def step_of(draw) -> str:
    """The step the guided draw is at (a PrizeDraw or a row with status and published_at): checks
    (no commitment yet), run, publish or done."""
    if draw is None:
        return "checks"
    if draw.status != "drawn":
        return "run"
    return "publish" if draw.published_at is None else "done"


def current(contest: Contest) -> tuple[PrizeDraw | None, str]:
    """The contest's latest commitment and its step."""
    draw = latest_draw(contest)
    return draw, step_of(draw)


def commitment_text(contest: Contest, draw: PrizeDraw) -> str:
    """What the organizer publishes (WeChat article, notice board) right after committing, in plain Chinese."""
    prizes = "、".join(f"{p['name']} {p['count']} 名" for p in draw.prizes)
    reserves = sum(int(p.get("reserve") or 0) for p in draw.prizes)
    lines = [
        f"【{contest.title}】抽奖公告",
        f"本次抽奖名单共 {len(draw.entrants)} 人（每人一个抽奖编号，本人可在“我的成绩”页查看），"
        f"奖项：{prizes}" + (f"，另抽候补 {reserves} 名" if reserves else "") + "。",
        f"为保证公平，名单和抽奖密钥已在开奖前锁定（第 {draw.version} 版），其校验码为：",
        f"名单校验码（SHA-256）：{draw.entrants_sha256}",
        f"密钥校验码（SHA-256）：{draw.seed_sha256}",
        f"开奖将使用此后公布的公开随机数：{draw.entropy_source}。开奖后公布密钥，任何人都可以重算结果。",
    ]
    if contest.organizer:
        lines.append(f"主办单位：{contest.organizer}")
    return "\n".join(lines)


def contest_states() -> list[dict]:
    """For the 抽奖 list: every contest, latest first, with the step its draw is at."""
    contests = db.session.execute(db.select(Contest).order_by(Contest.ends_at.desc())).scalars().all()
    drawn = {}
    # Only the small columns: a commitment row carries its whole entrant list.
    rows = db.session.execute(db.select(PrizeDraw.contest_id, PrizeDraw.version, PrizeDraw.status,
                                        PrizeDraw.published_at).order_by(PrizeDraw.version))
    for row in rows:
        drawn[row.contest_id] = row  # the highest version wins
    return [{"contest": contest, "draw": drawn.get(contest.id), "step": step_of(drawn.get(contest.id))}
            for contest in contests]
