"""The verifiable prize draw: commit the list and a secret seed, run with public entropy, verify, publish."""

from __future__ import annotations

import io
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func

from ..database import begin_write
from ..domain import prize_draw
from ..domain.errors import DomainError
from ..domain.importers.table import FORMULA_STARTS
from ..domain.masking import mask_name, mask_phone
from ..domain.timing import local_day
from ..extensions import db
from ..models import Attempt, Contest, Participant, PrizeDraw
from . import audit
from .attempts import finalize_expired
from .contests import get_contest, iso_local
from .eligibility import assign_missing_codes, eligible_entrants
from .flags import refresh_flags

log = logging.getLogger(__name__)

FINALIZE_BATCH = 1000


class DrawRefused(DomainError):
    """The draw cannot do this now (too early, not committed, list changed …)."""

    code = "draw_refused"


def latest_draw(contest: Contest) -> PrizeDraw | None:
    """The current commitment (the highest version), or None."""
    return db.session.execute(
        db.select(PrizeDraw).filter_by(contest_id=contest.id).order_by(PrizeDraw.version.desc()).limit(1)
    ).scalar_one_or_none()


def _prize_list(prizes) -> list[dict]:
    return [{"tier": p.tier, "name": p.name, "count": p.count} for p in prize_draw.normalize_prizes(prizes)]


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


def _winner_rows(contest: Contest, codes: list[str], picks: list[prize_draw.Pick]) -> list[dict]:
    won = [codes[pick.position] for pick in picks]
    ids = dict(db.session.execute(
        db.select(Participant.entrant_code, Participant.id)
        .where(Participant.contest_id == contest.id, Participant.entrant_code.in_(won))).all())
    return [{"tier": pick.tier, "prize": pick.prize, "participant_id": ids[code], "entrant_code": code,
             "position": pick.position} for pick, code in zip(picks, won, strict=True)]


def _current_for_run(contest: Contest) -> PrizeDraw:
    draw = latest_draw(contest)
    if draw is None:
        raise DrawRefused("尚未提交抽奖承诺，请先运行 draw commit")
    return draw


def run_draw(slug: str, now: datetime, actor: str,
             public_entropy: str | None = None) -> tuple[PrizeDraw, bool, list[dict]]:
    """Reveal the seed and draw every tier; returns (draw, ran now, masked winners). Re-running changes nothing."""
    contest = get_contest(slug)
    entropy = (public_entropy or "").strip()
    draw = _current_for_run(contest)
    if draw.status == "drawn":
        if entropy and entropy != draw.public_entropy:
            raise DrawRefused(f"已用公开随机数“{draw.public_entropy}”开奖，不能更换")
        return draw, False, _public_winners(draw)
    if not entropy:
        raise DrawRefused(f"请用 --public-entropy 给出承诺时声明的公开随机数：{draw.entropy_source}")
    begin_write(db.session)
    try:
        stored = _store_result(contest, draw, entropy, actor, now)
    except BaseException:
        db.session.rollback()  # interrupted (error, Ctrl-C): nothing of the run is kept
        raise
    db.session.refresh(draw)
    if stored:
        log.info("draw run contest=%s version=%d winners=%d seed=%s", contest.slug, draw.version,
                 len(draw.winners), draw.seed_hex)  # the seed is public from this moment
    return draw, stored, _public_winners(draw)


def _store_result(contest: Contest, draw: PrizeDraw, entropy: str, actor: str, now: datetime) -> bool:
    # One transaction for the winners, the reveal and the audit row: all of them or none.
    _require_unchanged(contest, draw)
    picks = prize_draw.draw(draw.seed_hex, entropy, draw.entrants_sha256, len(draw.entrants), draw.prizes)
    winners = _winner_rows(contest, draw.entrants, picks)
    # Conditional on the status, so that of two parallel runs only one stores its result.
    outcome = db.session.execute(
        db.update(PrizeDraw).where(PrizeDraw.id == draw.id, PrizeDraw.status == "committed")
        .values(status="drawn", public_entropy=entropy, revealed_at=now, winners=winners)
        .execution_options(synchronize_session=False))
    if outcome.rowcount == 0:
        db.session.rollback()
        return False
    audit.record("draw_run", actor, contest, len(winners), now,
                 {"version": draw.version, "public_entropy": entropy, "seed": draw.seed_hex})
    db.session.commit()
    return True


def _people(draw: PrizeDraw) -> dict[int, Participant]:
    ids = [winner["participant_id"] for winner in draw.winners or []]
    rows = db.session.execute(db.select(Participant).where(Participant.id.in_(ids))).scalars() if ids else []
    return {person.id: person for person in rows}


def _public_winners(draw: PrizeDraw) -> list[dict]:
    people = _people(draw)
    shown = []
    for winner in draw.winners or []:
        person = people.get(winner["participant_id"])
        shown.append({"tier": winner["tier"], "prize": winner["prize"],
                      "name": mask_name(person.name) if person else "", "phone": mask_phone(person.phone) if person
                      else "", "region": person.region if person else "", "entrant_code": winner["entrant_code"]})
    return shown


def _commitment(contest: Contest, draw: PrizeDraw) -> dict:
    return {"entrants_sha256": draw.entrants_sha256, "seed_sha256": draw.seed_sha256,
            "entropy_source": draw.entropy_source, "version": draw.version, "entrant_count": len(draw.entrants),
            "prizes": [dict(p) for p in draw.prizes], "committed_at": iso_local(draw.committed_at, contest.timezone),
            "reason": draw.reason}


def _history(contest: Contest, current: PrizeDraw) -> list[dict]:
    older = db.session.execute(
        db.select(PrizeDraw).where(PrizeDraw.contest_id == contest.id, PrizeDraw.version < current.version)
        .order_by(PrizeDraw.version)).scalars()
    return [{"version": d.version, "entrants_sha256": d.entrants_sha256, "seed_sha256": d.seed_sha256,
             "entropy_source": d.entropy_source, "committed_at": iso_local(d.committed_at, contest.timezone)}
            for d in older]


def notice(contest: Contest, full: bool = False) -> dict:
    """The public notice (CONTRACT §1 winners); `full` adds the entrant list the verifier needs."""
    draw = latest_draw(contest)
    body = {"commitment": None, "reveal": None, "winners": [], "algorithm": prize_draw.ALGORITHM,
            "contest": contest.slug, "draw_after": iso_local(contest.ends_at, contest.timezone), "history": []}
    if draw is None:
        return body
    body["commitment"], body["history"] = _commitment(contest, draw), _history(contest, draw)
    if draw.status == "drawn":  # the seed stays secret until the run reveals it
        body["reveal"] = {"seed": draw.seed_hex, "public_entropy": draw.public_entropy,
                          "revealed_at": iso_local(draw.revealed_at, contest.timezone)}
        body["winners"] = _public_winners(draw)
    if full:
        body["entrants"] = list(draw.entrants)
    return body


def public_notice(slug: str, full: bool = False) -> dict:
    """The public notice of the contest with this slug."""
    return notice(get_contest(slug), full)


def verify_draw(slug: str) -> tuple[PrizeDraw, list[str]]:
    """Recompute the stored draw from its published inputs; returns (draw, problems), none if it matches."""
    contest = get_contest(slug)
    draw = latest_draw(contest)
    if draw is None or draw.status != "drawn":
        raise DrawRefused("尚未开奖，没有可验证的结果")
    return draw, prize_draw.verify_document(notice(contest, full=True))


EXPORT_HEADER = ("奖项等级", "奖项", "抽奖编号", "姓名", "手机号", "地区", "渠道", "最好成绩", "登记时间")


def _best_scores(contest: Contest, ids: list[int]) -> dict[int, float]:
    return dict(db.session.execute(
        db.select(Attempt.participant_id, func.max(Attempt.score))
        .where(Attempt.contest_id == contest.id, Attempt.status == "finished", Attempt.participant_id.in_(ids))
        .group_by(Attempt.participant_id)).all())


def _export_rows(contest: Contest, draw: PrizeDraw) -> list[tuple]:
    people = _people(draw)
    scores = _best_scores(contest, list(people))
    rows = []
    for winner in draw.winners or []:
        person = people.get(winner["participant_id"])
        if person is None:
            continue  # erased on request (PIPL): nothing left to hand to the prize office
        rows.append((winner["tier"], winner["prize"], winner["entrant_code"], person.name, person.phone,
                     person.region, person.channel or "", scores.get(person.id),
                     iso_local(person.created_at, contest.timezone)))
    return rows


def _xlsx(rows: list[tuple]) -> bytes:
    from openpyxl import Workbook  # only the export needs it

    book = Workbook()
    sheet = book.active
    sheet.title = "中奖名单"
    sheet.append(EXPORT_HEADER)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type, cell.quotePrefix = "s", True  # a name like "=1+1" is text, never a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_winners(slug: str, actor: str, now: datetime) -> tuple[bytes, int]:
    """Winners with full contact data for the prize office, as xlsx; the export is audited."""
    contest = get_contest(slug)
    draw = latest_draw(contest)
    if draw is None or draw.status != "drawn":
        raise DrawRefused("尚未开奖，没有中奖名单可导出")
    rows = _export_rows(contest, draw)
    data = _xlsx(rows)
    begin_write(db.session)
    audit.record("draw_export", actor, contest, len(rows), now, {"version": draw.version, "format": "xlsx"})
    db.session.commit()
    log.info("winners exported contest=%s version=%d rows=%d by=%s", contest.slug, draw.version, len(rows), actor)
    return data, len(rows)
