"""The console's data exports (CONTRACT §6): participants, attempts, regions, channels, items.

Rows are read with a streaming cursor (`yield_per`), so memory stays flat for a million rows.
Names and phones are masked unless the caller asks for `full` (the web layer lets only admins
do that), and every export is written to the audit log with who, when, what and how many rows
before its first byte leaves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..domain.masking import mask_name, mask_phone
from ..domain.permissions import EVERYWHERE, RegionScope
from ..domain.questions import TYPE_LABELS
from ..extensions import db
from ..models import Attempt, AttemptFlag, Contest, Participant
from . import audit
from .contests import iso_local
from .insight import by_channel, held_back_ids, region_rows
from .item_analysis import contest_items
from .scope import within_scope

STREAM_BATCH = 2000
STATUS_NAMES = {"running": "答题中", "finished": "已交卷"}
KIND_NAMES = {"participants": "参赛者", "attempts": "答题记录", "regions": "地区汇总", "channels": "渠道汇总",
              "items": "题目分析"}
PERSONAL_KINDS = ("participants", "attempts")


@dataclass
class Table:
    """An export: its sheet title, header, row count (for the audit log) and a row iterator."""

    title: str
    header: list[str]
    count: int
    rows: Iterator[list]


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _person(row, full: bool) -> list[str]:
    return [row.name if full else mask_name(row.name), row.phone if full else mask_phone(row.phone)]


def _count(query) -> int:
    return db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()


def participants_table(contest: Contest, scope: RegionScope, full: bool) -> Table:
    """One row per participant: name, phone, region, channel, attempts, best score, eligible, entrant code."""
    attempts = (select(func.count()).where(Attempt.participant_id == Participant.id)
                .correlate(Participant).scalar_subquery())
    query = within_scope(select(Participant.id, Participant.name, Participant.phone, Participant.region,
                                Participant.channel, attempts.label("attempts"), Participant.finished_count,
                                Participant.best_score, Participant.entrant_code, Participant.created_at)
                         .where(Participant.contest_id == contest.id), scope).order_by(Participant.id)
    held = set(db.session.execute(held_back_ids(contest)).scalars())

    def rows():
        for row in db.session.execute(query.execution_options(yield_per=STREAM_BATCH)):
            eligible = row.best_score is not None and row.best_score >= contest.pass_score and row.id not in held
            yield [*_person(row, full), row.region, row.channel or "", row.attempts, row.finished_count,
                   row.best_score, _yes(eligible), row.entrant_code or "",
                   iso_local(row.created_at, contest.timezone)]
    header = ["姓名", "手机号", "地区", "渠道", "答题次数", "完成次数", "最高分", "抽奖资格", "抽奖码", "登记时间"]
    return Table("参赛者", header, _count(query), rows())


def attempts_table(contest: Contest, scope: RegionScope, full: bool) -> Table:
    """One row per started attempt, with its participant (masked unless `full`), times, score and flags."""
    flags = (select(func.count()).where(AttemptFlag.attempt_id == Attempt.id, AttemptFlag.cleared_at.is_(None))
             .correlate(Attempt).scalar_subquery())
    query = within_scope(select(Attempt.id, Attempt.seq, Attempt.status, Attempt.started_at, Attempt.submitted_at,
                                Attempt.score, Attempt.max_score, Attempt.correct_count, Attempt.duration_seconds,
                                Attempt.late, flags.label("flags"), Participant.name, Participant.phone,
                                Participant.region, Participant.channel)
                         .join(Participant, Participant.id == Attempt.participant_id)
                         .where(Attempt.contest_id == contest.id), scope).order_by(Attempt.started_at, Attempt.id)

    def rows():
        tz = contest.timezone
        for row in db.session.execute(query.execution_options(yield_per=STREAM_BATCH)):
            yield [row.id, *_person(row, full), row.region, row.channel or "", row.seq,
                   STATUS_NAMES.get(row.status, row.status), iso_local(row.started_at, tz),
                   iso_local(row.submitted_at, tz) if row.submitted_at else "", row.score, row.max_score,
                   row.correct_count, row.duration_seconds, _yes(row.late), row.flags]
    header = ["答题编号", "姓名", "手机号", "地区", "渠道", "第几次", "状态", "开始时间", "交卷时间", "得分", "满分",
              "答对题数", "用时（秒）", "超时交卷", "未解除的标记"]
    return Table("答题记录", header, _count(query), rows())


def regions_table(contest: Contest, scope: RegionScope) -> Table:
    """The region summary of the dashboard."""
    rows = [row.as_dict() for row in region_rows(contest, scope)]
    return Table("地区汇总", ["地区", "参赛人数", "完成人数", "获得抽奖资格", "平均最高分"], len(rows),
                 iter([[r["region"], r["participants"], r["finished"], r["eligible"], r["average_score"]]
                       for r in rows]))


def channels_table(contest: Contest, scope: RegionScope) -> Table:
    """The channel funnel of the dashboard."""
    rows = by_channel(contest, scope)
    return Table("渠道汇总", ["渠道代码", "渠道名称", "扫码", "登记", "完成", "获得抽奖资格", "中奖"], len(rows),
                 iter([[r["code"] or "", r["name"], r["scans"], r["participants"], r["finished"], r["eligible"],
                        r["winners"]] for r in rows]))


def items_table(contest: Contest, scope: RegionScope) -> Table:
    """The item analysis, one row per question, with each option's share in one cell."""
    items = [item.as_dict() for item in contest_items(contest, scope)]
    header = ["题目编号", "题库", "题型", "分类", "题干", "抽到次数", "作答次数", "正确率", "区分度", "各选项选择比例",
              "正确答案", "需复核"]

    def spread(item):
        return "；".join(f"{o['label']} {o['chosen_rate'] * 100:.1f}%" if o["chosen_rate"] is not None
                        else f"{o['label']} —" for o in item["options"])
    return Table("题目分析", header, len(items), iter([
        [i["question_id"], i["bank"], TYPE_LABELS.get(i["type"], i["type"]), i["category"], i["stem"], i["drawn"],
         i["answered"], i["correct_rate"], i["discrimination"], spread(i),
         "".join(o["label"] for o in i["options"] if o["correct"]), "、".join(i["flags"])] for i in items]))


def build(kind: str, contest: Contest, scope: RegionScope = EVERYWHERE, full: bool = False) -> Table:
    """The table of one export kind (KIND_NAMES); `full` applies to the personal kinds only."""
    if kind == "participants":
        return participants_table(contest, scope, full)
    if kind == "attempts":
        return attempts_table(contest, scope, full)
    return {"regions": regions_table, "channels": channels_table, "items": items_table}[kind](contest, scope)


def record_export(contest: Contest, kind: str, fmt: str, table: Table, actor: str, now: datetime,
                  scope: RegionScope, full: bool) -> None:
    """Write the export to the audit log (committed before any byte is sent)."""
    audit.record("export", actor, contest, table.count, now,
                 {"kind": KIND_NAMES.get(kind, kind), "format": fmt, "full": full, "region": scope.region or "全部"},
                 target=contest.slug)
    db.session.commit()
