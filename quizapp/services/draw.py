"""The verifiable prize draw: commit the list and a secret seed, run with public entropy, verify, publish."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from ..database import begin_write
from ..domain import prize_draw
from ..domain.timing import local_day
from ..extensions import db
from ..models import Contest, Participant, PrizeDraw
from . import audit
from .attempts import finalize_expired
from .contests import get_contest, iso_local
from .draw_export import EXPORT_HEADER, export_winners  # noqa: F401  (the draw's API in one place)
from .draw_notice import DrawRefused, latest_draw, notice, public_notice, public_winners
from .eligibility import assign_missing_codes, eligible_entrants
from .flags import refresh_flags

log = logging.getLogger(__name__)

FINALIZE_BATCH = 1000

__all__ = ["DrawRefused", "commit_draw", "export_winners", "latest_draw", "notice", "public_notice",
           "publish_draw", "run_draw", "verify_draw"]


def _prize_list(prizes) -> list[dict]:
    # `reserve` only when set, so that commitments made before reserves existed still compare equal.
    return [{"tier": p.tier, "name": p.name, "count": p.count, **({"reserve": p.reserve} if p.reserve else {})}
            for p in prize_draw.normalize_prizes(prizes)]


def _require_ended(contest: Contest, now: datetime) -> None:
    # Until the grace after the end has passed, a last answer could still change someone's score.
    closes = contest.ends_at + timedelta(seconds=contest.grace_seconds)
    if now <= closes:
        raise DrawRefused(f"竞赛尚未结束（{iso_local(closes, contest.timezone)} 后才能提交抽奖承诺）")


def _finalize_all(contest: Contest, now: datetime) -> None:
    while finalize_expired(contest.id, now, limit=FINALIZE_BATCH) == FINALIZE_BATCH:
        pass


def _frozen_entrants(contest: Contest) -> list[str]:
    """Sorted entrant codes of everyone eligible now, giving codes to those who have none yet."""
    entrants = eligible_entrants(contest)
    assign_missing_codes(contest, [pid for pid, code in entrants if code is None])
    return sorted(code for _, code in eligible_entrants(contest))


def default_entropy_source(contest: Contest, now: datetime) -> str:
    """A public source drawn after the commitment: the next day's 福彩3D numbers (contest time zone)."""
    day = local_day(now, contest.timezone) + timedelta(days=1)
    return f"{day.isoformat()} 中国福利彩票“福彩3D”开奖号码"


def commit_draw(slug: str, now: datetime, actor: str, entropy_source: str | None = None,
                reason: str = "") -> PrizeDraw:
    """Freeze the eligible list and a fresh secret seed; publish their SHA-256 and the entropy source."""
    contest = get_contest(slug)
    _require_ended(contest, now)
    if not contest.prizes:
        raise DrawRefused("竞赛没有设置奖项，无法抽奖")
    _finalize_all(contest, now)
    begin_write(db.session)
    previous, reason = latest_draw(contest), (reason or "").strip()
    if previous is not None and not reason:
        db.session.rollback()
        raise DrawRefused(f"已提交过第 {previous.version} 版抽奖承诺；如需重新承诺，请用 --reason 说明原因")
    refresh_flags(contest)  # flags must exist before the list is frozen
    codes = _frozen_entrants(contest)
    if not codes:
        db.session.rollback()
        raise DrawRefused("没有符合抽奖条件的参赛者，无法提交承诺")
    seed = secrets.token_hex(prize_draw.SEED_BYTES)
    draw = PrizeDraw(contest_id=contest.id, version=previous.version + 1 if previous else 1, status="committed",
                     entrants=codes, entrants_sha256=prize_draw.entrants_sha256(codes), seed_hex=seed,
                     seed_sha256=prize_draw.seed_sha256(seed), prizes=_prize_list(contest.prizes),
                     entropy_source=(entropy_source or "").strip() or default_entropy_source(contest, now),
                     reason=reason, committed_at=now, committed_by=(actor or "unknown")[:64])
    if previous is not None:
        previous.status = "superseded"
    db.session.add(draw)
    audit.record("draw_commit", actor, contest, len(codes), now, {
        "version": draw.version, "entrants_sha256": draw.entrants_sha256, "seed_sha256": draw.seed_sha256,
        "entropy_source": draw.entropy_source, "reason": reason})
    db.session.commit()
    log.info("draw committed contest=%s version=%d entrants=%d entrants_sha256=%s seed_sha256=%s",
             contest.slug, draw.version, len(codes), draw.entrants_sha256, draw.seed_sha256)
    return draw


def _require_unchanged(contest: Contest, draw: PrizeDraw) -> None:
    entrants = eligible_entrants(contest)
    codes = sorted(code for _, code in entrants if code is not None)
    if len(codes) != len(entrants) or prize_draw.entrants_sha256(codes) != draw.entrants_sha256:
        raise DrawRefused(f"承诺后抽奖名单已变化（现有 {len(entrants)} 人，承诺时 {len(draw.entrants)} 人）；"
                          "请用 draw commit --reason 重新承诺")
    if _prize_list(contest.prizes) != draw.prizes:
        raise DrawRefused("承诺后奖项设置已被修改；请用 draw commit --reason 重新承诺")


def _pick_rows(contest: Contest, codes: list[str], picks: list[prize_draw.Pick]) -> list[dict]:
    drawn = [codes[pick.position] for pick in picks]
    ids = dict(db.session.execute(
        db.select(Participant.entrant_code, Participant.id)
        .where(Participant.contest_id == contest.id, Participant.entrant_code.in_(drawn))).all()) if drawn else {}
    rows = []
    for pick, code in zip(picks, drawn, strict=True):
        row = {"tier": pick.tier, "prize": pick.prize, "participant_id": ids[code], "entrant_code": code,
               "position": pick.position}
        if pick.rank:
            row["rank"] = pick.rank
        rows.append(row)
    return rows


def _current_for_run(contest: Contest) -> PrizeDraw:
    draw = latest_draw(contest)
    if draw is None:
        raise DrawRefused("尚未提交抽奖承诺，请先运行 draw commit")
    return draw


def run_draw(slug: str, now: datetime, actor: str, public_entropy: str | None = None,
             publish: bool = True) -> tuple[PrizeDraw, bool, list[dict]]:
    """Reveal the seed and draw every tier; returns (draw, ran now, masked winners). Re-running changes nothing.

    `publish` makes the result public at once (the CLI); the console verifies first, then publishes.
    """
    contest = get_contest(slug)
    entropy = (public_entropy or "").strip()
    draw = _current_for_run(contest)
    if draw.status == "drawn":
        if entropy and entropy != draw.public_entropy:
            raise DrawRefused(f"已用公开随机数“{draw.public_entropy}”开奖，不能更换")
        return draw, False, public_winners(draw, published=False)
    if not entropy:
        raise DrawRefused(f"请用 --public-entropy 给出承诺时声明的公开随机数：{draw.entropy_source}")
    begin_write(db.session)
    try:
        stored = _store_result(contest, draw, entropy, actor, now, publish)
    except BaseException:
        db.session.rollback()  # interrupted (error, Ctrl-C): nothing of the run is kept
        raise
    db.session.refresh(draw)
    if stored:
        log.info("draw run contest=%s version=%d winners=%d seed=%s", contest.slug, draw.version,
                 len(draw.winners), draw.seed_hex)  # the seed is public from this moment
    return draw, stored, public_winners(draw, published=False)


def _store_result(contest: Contest, draw: PrizeDraw, entropy: str, actor: str, now: datetime, publish: bool) -> bool:
    # One transaction for the winners, the reserves, the reveal and the audit row: all of them or none.
    _require_unchanged(contest, draw)
    picks = prize_draw.draw_all(draw.seed_hex, entropy, draw.entrants_sha256, len(draw.entrants), draw.prizes)
    rows = _pick_rows(contest, draw.entrants, picks)
    winners, reserves = [r for r in rows if "rank" not in r], [r for r in rows if "rank" in r]
    published = {"published_at": now, "published_by": (actor or "unknown")[:64]} if publish else {}
    # Conditional on the status, so that of two parallel runs only one stores its result.
    outcome = db.session.execute(
        db.update(PrizeDraw).where(PrizeDraw.id == draw.id, PrizeDraw.status == "committed")
        .values(status="drawn", public_entropy=entropy, revealed_at=now, winners=winners, reserves=reserves,
                **published)
        .execution_options(synchronize_session=False))
    if outcome.rowcount == 0:
        db.session.rollback()
        return False
    audit.record("draw_run", actor, contest, len(winners), now,
                 {"version": draw.version, "public_entropy": entropy, "seed": draw.seed_hex,
                  "reserves": len(reserves), "published": publish})
    db.session.commit()
    return True


def _drawn(contest: Contest) -> PrizeDraw:
    draw = latest_draw(contest)
    if draw is None or draw.status != "drawn":
        raise DrawRefused("尚未开奖，没有可验证的结果")
    return draw


def verify_draw(slug: str, actor: str | None = None, now: datetime | None = None) -> tuple[PrizeDraw, list[str]]:
    """Recompute the stored draw from its published inputs; returns (draw, problems), none if it matches.

    With an actor (the console's verification step) the check is written to the audit log.
    """
    contest = get_contest(slug)
    draw = _drawn(contest)
    problems = prize_draw.verify_document(notice(contest, full=True, unpublished=True))
    if actor is not None:
        begin_write(db.session)
        audit.record("draw_verify", actor, contest, len(draw.winners or []), now,
                     {"version": draw.version, "problems": len(problems)})
        db.session.commit()
    return draw, problems


def publish_draw(slug: str, actor: str, now: datetime) -> tuple[PrizeDraw, bool]:
    """Make a run, verified draw public (its 公示 period starts now); returns (draw, published now)."""
    contest = get_contest(slug)
    draw, problems = verify_draw(slug)
    if problems:
        raise DrawRefused("核验未通过，不能公示：" + "；".join(problems))
    if draw.published_at is not None:
        return draw, False
    begin_write(db.session)
    outcome = db.session.execute(
        db.update(PrizeDraw).where(PrizeDraw.id == draw.id, PrizeDraw.published_at.is_(None))
        .values(published_at=now, published_by=(actor or "unknown")[:64]).execution_options(synchronize_session=False))
    if outcome.rowcount:
        audit.record("draw_publish", actor, contest, len(draw.winners or []), now,
                     {"version": draw.version, "days": contest.publicity_days})
    db.session.commit()
    db.session.refresh(draw)
    return draw, bool(outcome.rowcount)
