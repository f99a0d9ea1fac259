"""The winners (and reserves) with full contact data, as xlsx for the prize office: audited."""

from __future__ import annotations

import io
import logging
from datetime import datetime

from sqlalchemy import func

from ..database import begin_write
from ..domain.importers.table import FORMULA_STARTS
from ..extensions import db
from ..models import Attempt, Contest, PrizeDraw
from . import audit
from .contests import get_contest, iso_local
from .draw_notice import DrawRefused, latest_draw, people_of

log = logging.getLogger(__name__)

EXPORT_HEADER = ("奖项等级", "奖项", "抽奖编号", "姓名", "手机号", "地区", "渠道", "最好成绩", "登记时间")
RESERVE_HEADER = ("奖项等级", "奖项", "候补顺位", "抽奖编号", "姓名", "手机号", "地区", "渠道", "最好成绩", "登记时间")


def _best_scores(contest: Contest, ids: list[int]) -> dict[int, float]:
    return dict(db.session.execute(
        db.select(Attempt.participant_id, func.max(Attempt.score))
        .where(Attempt.contest_id == contest.id, Attempt.status == "finished", Attempt.participant_id.in_(ids))
        .group_by(Attempt.participant_id)).all())


def _rows(contest: Contest, picks: list[dict], people: dict, scores: dict, ranked: bool) -> list[tuple]:
    rows = []
    for pick in picks:
        person = people.get(pick["participant_id"])
        if person is None:
            continue  # erased on request (PIPL): nothing left to hand to the prize office
        head = (pick["tier"], pick["prize"], pick["rank"]) if ranked else (pick["tier"], pick["prize"])
        rows.append((*head, pick["entrant_code"], person.name, person.phone, person.region, person.channel or "",
                     scores.get(person.id), iso_local(person.created_at, contest.timezone)))
    return rows


def _append(sheet, header: tuple, rows: list[tuple]) -> None:
    sheet.append(header)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type, cell.quotePrefix = "s", True  # a name like "=1+1" is text, never a formula


def _xlsx(winners: list[tuple], reserves: list[tuple]) -> bytes:
    from openpyxl import Workbook  # only the export needs it

    book = Workbook()
    sheet = book.active
    sheet.title = "中奖名单"
    _append(sheet, EXPORT_HEADER, winners)
    if reserves:
        _append(book.create_sheet("候补名单"), RESERVE_HEADER, reserves)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _drawn(contest: Contest) -> PrizeDraw:
    draw = latest_draw(contest)
    if draw is None or draw.status != "drawn":
        raise DrawRefused("尚未开奖，没有中奖名单可导出")
    return draw


def export_winners(slug: str, actor: str, now: datetime) -> tuple[bytes, int]:
    """Winners (and a sheet of reserves) with full contact data, as xlsx; the export is audited."""
    contest = get_contest(slug)
    draw = _drawn(contest)
    people = people_of(draw)
    scores = _best_scores(contest, list(people))
    winners = _rows(contest, draw.winners or [], people, scores, ranked=False)
    reserves = _rows(contest, draw.reserves or [], people, scores, ranked=True)
    data = _xlsx(winners, reserves)
    begin_write(db.session)
    audit.record("draw_export", actor, contest, len(winners) + len(reserves), now,
                 {"version": draw.version, "format": "xlsx", "full": True, "reserves": len(reserves)})
    db.session.commit()
    log.info("winners exported contest=%s version=%d rows=%d by=%s", contest.slug, draw.version,
             len(winners), actor)
    return data, len(winners)
