"""`flask contest …`: load definitions, close abandoned attempts."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..extensions import db
from ..models import utcnow
from ..services import attempts as attempt_service
from ..services import audit
from ..services import contests as contest_service
from ..services.contests import iso_local
from ..services.tallies import rebuild
from .common import ServiceGroup, fail

contest_cli = ServiceGroup("contest", help="竞赛：加载定义、结束超时答题、重算统计")


@contest_cli.command("load", help="按 JSON 定义文件创建或更新竞赛（可重复执行）")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def contest_load(path: Path) -> None:
    """Create or update a contest from a JSON definition."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"{path.name} 不是有效的 UTF-8 JSON：{exc}")
    if not isinstance(data, dict):
        fail(f"{path.name} 应是一个 JSON 对象")
    # The console's save, audited under the operating-system user; a script is not asked to confirm.
    result = contest_service.save_contest(data, utcnow(), audit.default_actor())
    contest, verb = result.contest, "已创建" if result.created else "已更新"
    window = f"{iso_local(contest.starts_at, contest.timezone)} — {iso_local(contest.ends_at, contest.timezone)}"
    click.echo(f"{verb}竞赛 {contest.slug}：{contest.title}（{window}）")
    if result.changes:
        click.echo(f"注意：已有答卷，修改前后的成绩不可比：{'；'.join(result.changes)}", err=True)


@contest_cli.command("finalize", help="结束已超过截止时间却未交卷的答题（页面访问时也会顺带处理）")
@click.argument("slug")
def contest_finalize(slug: str) -> None:
    """Close attempts abandoned past their deadline (the pages also do this lazily)."""
    contest = contest_service.get_contest(slug)
    closed = attempt_service.finalize_expired(contest.id, utcnow(), limit=100000)
    click.echo(f"已结束超时答卷 {closed} 份")


@contest_cli.command("rebuild-stats", help="按答题记录重算竞赛统计（修复或恢复数据之后使用）")
@click.argument("slug")
def contest_rebuild_stats(slug: str) -> None:
    """Recompute the statistics' running totals of a contest from its attempts (after a repair or restore)."""
    contest = contest_service.get_contest(slug)
    counted = rebuild(db.session, contest)
    db.session.commit()
    click.echo(f"已按 {counted} 份完成的答卷重算 {contest.slug} 的统计")
