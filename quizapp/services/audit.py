"""The audit log: who did what, when, to what and to how many rows, from the console and the CLI."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime

from ..extensions import db
from ..models import AuditLog, Contest
from .contests import get_contest

# Chinese names of the actions, for the 操作日志 page; an action missing here shows its code.
ACTION_NAMES = {
    "login": "登录成功", "login_failure": "登录失败", "logout": "退出登录",
    "account_create": "创建账号", "account_update": "修改账号", "account_password": "重设密码",
    "account_disable": "停用账号", "account_enable": "启用账号",
    "bank_import": "导入题库", "question_edit": "编辑题目", "question_retire": "停用题目",
    "question_restore": "恢复题目", "question_review": "审核题目", "bank_export": "导出题库",
    "contest_create": "创建竞赛", "contest_update": "修改竞赛",
    "draw_commit": "锁定抽奖名单", "draw_run": "开奖", "draw_export": "导出中奖名单",
    "draw_verify": "核验开奖结果", "draw_publish": "发布中奖公示",
    "exclude": "排除号码", "flag_clear": "解除标记", "flag_uphold": "维持标记", "export": "导出数据",
    "channel_create": "新建渠道", "channel_update": "修改渠道", "poster_batch": "批量生成海报", "logo_upload": "上传海报标志", "logo_remove": "删除海报标志",
}  # fmt: skip
# Chinese names of the detail keys the services write; a key missing here shows as it is.
DETAIL_NAMES = {
    "file": "文件", "created": "新增", "updated": "更新", "unchanged": "未变", "skipped": "跳过",
    "policy": "重复处理", "format": "格式", "role": "角色", "region": "地区", "fields": "字段",
    "version": "版本", "reason": "原因", "kind": "类型", "flag_id": "标记编号", "already": "已排除",
    "full": "完整联系方式", "bank": "题库", "question_id": "题目编号", "count": "数量",
    "incomparable": "成绩不可比的修改",
}  # fmt: skip
PAGE_SIZE = 50


def describe_detail(detail: dict | None) -> list[str]:
    """A row's detail as short Chinese phrases ("新增 25", "地区 全部") for the log page."""
    phrases = []
    for key, value in (detail or {}).items():
        if value is None or value == "":
            value = "—"
        elif isinstance(value, list | tuple):
            value = "、".join(str(item) for item in value)
        elif isinstance(value, bool):
            value = "是" if value else "否"
        phrases.append(f"{DETAIL_NAMES.get(key, key)} {value}")
    return phrases


def default_actor() -> str:
    """The operating-system user running the command, for `--by` defaults."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user without a passwd entry or LOGNAME
        return "unknown"


def record(action: str, actor: str, contest: Contest | None, rows: int, now: datetime,
           detail: dict | None = None, target: str = "") -> AuditLog:
    """Add an audit row to the caller's transaction, so it is committed (or lost) with the change itself."""
    # `detail` may hold counts, hashes and reasons, never names, phones, passwords, tokens or an unrevealed seed.
    entry = AuditLog(at=now, actor=(actor or "unknown")[:64], action=action, target=(target or "")[:200],
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


@dataclass(frozen=True)
class AuditFilter:
    """What the 操作日志 page asks for; every field is optional."""

    actor: str = ""
    action: str = ""
    contest_slug: str = ""
    since: datetime | None = None
    until: datetime | None = None
    page: int = 1


def search(query: AuditFilter) -> tuple[list[tuple[AuditLog, str | None]], int]:
    """One page of matching rows (newest first) with each row's contest slug, and the total count."""
    conditions = []
    if query.actor:
        conditions.append(AuditLog.actor == query.actor.strip())
    if query.action:
        conditions.append(AuditLog.action == query.action)
    if query.contest_slug:
        conditions.append(Contest.slug == query.contest_slug)
    if query.since:
        conditions.append(AuditLog.at >= query.since)
    if query.until:
        conditions.append(AuditLog.at < query.until)
    base = db.select(AuditLog, Contest.slug).outerjoin(Contest, Contest.id == AuditLog.contest_id).where(*conditions)
    total = db.session.execute(db.select(db.func.count()).select_from(base.subquery())).scalar_one()
    page = max(1, query.page)
    rows = db.session.execute(base.order_by(AuditLog.at.desc(), AuditLog.id.desc())
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return [(row[0], row[1]) for row in rows], total


def known_actors() -> list[str]:
    """Every actor that appears in the log, for the filter's choices."""
    return list(db.session.execute(db.select(AuditLog.actor).distinct().order_by(AuditLog.actor)).scalars())
