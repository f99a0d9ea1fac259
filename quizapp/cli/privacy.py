"""`flask privacy purge SLUG`: the retention period and the deletion requests, carried out."""

from __future__ import annotations

import click

from ..services import audit, privacy
from ..services.contests import get_contest, iso_local
from .common import ServiceGroup, app_now

privacy_cli = ServiceGroup("privacy", help="个人信息：保留期满后匿名化，执行删除申请")


@privacy_cli.command("purge", help="保留期满后把姓名和手机号码匿名化，并执行已到期的删除申请；可重复运行")
@click.argument("slug")
def privacy_purge(slug: str) -> None:
    """Anonymise names and phones after the contest's retention period and carry out due deletion requests."""
    moment = app_now()
    report = privacy.purge(slug, moment, audit.default_actor())
    ends = iso_local(report.retention_ends, get_contest(slug).timezone)  # as the organizer reads time
    if report.expired:
        click.echo(f"保留期已于 {ends} 届满：匿名化 {report.expired} 人")
    elif moment < report.retention_ends:
        click.echo(f"保留期至 {ends}，届满后再运行本命令即匿名化全部参赛者")
    click.echo(f"按本人申请删除 {report.on_request} 人" + (f"，另有 {report.waiting} 人的申请待中奖公示期满后执行"
                                                      if report.waiting else ""))
