"""`flask draw …`: the verifiable prize draw: flags, exclusions, commit, run, verify, export."""

from __future__ import annotations

from pathlib import Path

import click

from ..domain.flags import STATE_LABELS
from ..domain.text_files import decode_text
from ..services import audit as audit_service
from ..services import draw as draw_service
from ..services import eligibility as eligibility_service
from ..services import flags as flag_service
from ..services.draw_notice import public_reserves
from .common import ServiceGroup, app_now, fail

draw_cli = ServiceGroup("draw", help="抽奖：作弊标记、排除名单、承诺、开奖、验证、导出")



_now = app_now  # tests inject CLOCK


by_option = click.option("--by", "actor", default=audit_service.default_actor, show_default="当前系统用户",
                         help="操作人（记入审计日志）")


@draw_cli.command("flags", help="列出作弊标记（姓名、手机号脱敏），列出前会重新检查每份合格答卷")
@click.argument("slug")
@click.option("--all", "include_cleared", is_flag=True, help="也列出已解除的标记")
def draw_flags(slug: str, include_cleared: bool) -> None:
    """List cheat flags (names and phones masked), re-checking every passing attempt first."""
    rows = flag_service.review_flags(slug, include_cleared)
    for row in rows:
        state = STATE_LABELS.get(row["state"], row["state"])
        who = row["cleared_by"] or row["upheld_by"]
        if who:
            state += f"（{who}{'：' + row['reason'] if row['reason'] else ''}）"
        click.echo(f"{row['id']}\t{row['label']}\t{row['name']}\t{row['phone']}\t{row['detail']}\t{state}")
    click.echo(f"共 {len(rows)} 条标记" + ("" if include_cleared else "待审核（--all 显示全部）"))


@draw_cli.command("clear-flag", help="复核后撤销标记，该答卷重新计入抽奖")
@click.argument("flag_id", type=int)
@click.option("--reason", default="", help="解除的理由（记入审计日志）")
@by_option
def draw_clear_flag(flag_id: int, reason: str, actor: str) -> None:
    """Clear a flag after review, so the attempt counts for the draw again."""
    flag, changed = flag_service.clear_flag(flag_id, actor, _now(), reason)
    click.echo(f"已解除标记 {flag.id}" if changed else f"标记 {flag.id} 已于此前由 {flag.cleared_by} 解除，未作改动")


@draw_cli.command("uphold-flag", help="复核后维持标记，该参赛者不参加抽奖")
@click.argument("flag_id", type=int)
@click.option("--reason", required=True, help="维持的理由（必填，记入审计日志）")
@by_option
def draw_uphold_flag(flag_id: int, reason: str, actor: str) -> None:
    """Uphold a flag after review: the person stays out of the draw."""
    flag, changed = flag_service.uphold_flag(flag_id, actor, _now(), reason)
    click.echo(f"已维持标记 {flag.id}（不参加抽奖）" if changed else f"标记 {flag.id} 此前已维持，未作改动")


@draw_cli.command("exclude", help="从抽奖中排除手机号（工作人员、组织方）；文件中有任何一行有误则不导入")
@click.argument("slug")
@click.option("--phones", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="手机号文件，每行一个")
@click.option("--reason", default="工作人员", show_default=True, help="排除原因")
@by_option
def draw_exclude(slug: str, path: Path, reason: str, actor: str) -> None:
    """Exclude phones (staff, organizers) from the draw; any bad line and nothing is loaded."""
    text = decode_text(path.read_bytes(), path.name)  # the console's upload reads the file the same way
    added, already = eligibility_service.exclude_phones(slug, text, actor, _now(), reason)
    click.echo(f"已排除 {added} 个手机号（{already} 个此前已在排除名单中）")


@draw_cli.command("commit", help="冻结抽奖名单并生成秘密种子，显示公开承诺")
@click.argument("slug")
@click.option("--entropy-source", help="开奖时使用的公开随机数来源（默认：承诺次日的福彩3D开奖号码）")
@click.option("--reason", default="", help="重新承诺的原因（第二次及以后的承诺必填）")
@by_option
def draw_commit(slug: str, entropy_source: str | None, reason: str, actor: str) -> None:
    """Freeze the eligible list and a secret seed; print the public commitment."""
    draw = draw_service.commit_draw(slug, _now(), actor, entropy_source, reason)
    click.echo(f"第 {draw.version} 版抽奖承诺（{len(draw.entrants)} 人）")
    click.echo(f"名单 SHA-256：{draw.entrants_sha256}")
    click.echo(f"种子 SHA-256：{draw.seed_sha256}")
    click.echo(f"公开随机数来源：{draw.entropy_source}")


@draw_cli.command("run", help="公开种子并抽出各奖项；再次运行显示相同的中奖者")
@click.argument("slug")
@click.option("--public-entropy", help="承诺时声明的公开随机数（如当期开奖号码）")
@by_option
def draw_run(slug: str, public_entropy: str | None, actor: str) -> None:
    """Reveal the seed and draw every tier; running it again prints the same winners."""
    draw, ran, winners = draw_service.run_draw(slug, _now(), actor, public_entropy)
    click.echo(("开奖完成" if ran else "此前已开奖，结果如下") + f"（第 {draw.version} 版，公开随机数：{draw.public_entropy}）")
    click.echo(f"种子：{draw.seed_hex}")
    for winner in winners:  # names and phones come masked from the service
        click.echo(f"{winner['tier']}\t{winner['prize']}\t{winner['name']}\t{winner['phone']}\t"
                   f"{winner['entrant_code']}")
    for reserve in public_reserves(draw, published=False):  # a leading 候补 column keeps winner lines as they were
        click.echo(f"候补\t{reserve['tier']}\t{reserve['prize']}\t{reserve['rank']}\t{reserve['name']}\t"
                   f"{reserve['phone']}\t{reserve['entrant_code']}")


@draw_cli.command("verify", help="按公开的输入重算抽奖，核对结果是否一致")
@click.argument("slug")
def draw_verify(slug: str) -> None:
    """Recompute the draw from its published inputs and say whether it matches."""
    draw, problems = draw_service.verify_draw(slug)
    if problems:
        fail("验证失败：" + "；".join(problems))
    click.echo(f"验证通过：第 {draw.version} 版抽奖按公开数据重算，{len(draw.winners)} 名中奖者与公布结果一致")


@draw_cli.command("export", help="导出含完整联系方式的中奖名单（xlsx）供发奖使用；导出记入审计日志")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="输出的 xlsx 文件")
@by_option
def draw_export(slug: str, output: Path, actor: str) -> None:
    """Write the winners with full contact data (xlsx) for the prize office; the export is audited."""
    data, rows = draw_service.export_winners(slug, actor, _now())
    output.write_bytes(data)
    click.echo(f"已导出 {rows} 名中奖者 → {output}（已记入审计日志）")


@draw_cli.command("audit", help="显示本竞赛抽奖的审计日志：谁、何时、做了什么、涉及多少条")
@click.argument("slug")
def draw_audit(slug: str) -> None:
    """Show the audit log of the contest's draw: who did what, when, to how many rows."""
    rows = audit_service.contest_entries(slug)
    for entry in rows:
        click.echo(f"{entry.at.isoformat()}\t{entry.actor}\t{entry.action}\t{entry.rows}")
