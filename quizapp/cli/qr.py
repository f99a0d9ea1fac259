"""`flask qr …`: channels, QR codes and posters."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from ..domain.addresses import choose_base_url, cli_warning
from ..domain.qr import ChannelListError, QrOptions
from ..models import utcnow
from ..services import channels as channel_service
from ..services import contests as contest_service
from .common import ServiceGroup, fail

qr_cli = ServiceGroup("qr", help="二维码、海报与渠道")
channel_cli = ServiceGroup("channel", help="渠道：添加、列出")
qr_cli.add_command(channel_cli)

OUTCOMES = {"created": "已创建", "renamed": "已更名", "kept": "已存在"}


def _base_url() -> str:
    """PUBLIC_BASE_URL, or the local fallback that `_warn_address` warns about."""
    return choose_base_url(current_app.config.get("PUBLIC_BASE_URL"), None)


def _warn_address() -> None:
    """After a code or URL was made: say on stderr when it points where no phone can reach."""
    warning = cli_warning(current_app.config.get("PUBLIC_BASE_URL"))
    if warning:
        click.echo(warning, err=True)


def _warn_organizer(slug: str) -> None:
    """After a poster was made: a QR asking for a phone with no organizer named looks like a scam."""
    if not contest_service.get_contest(slug).organizer:
        click.echo("警告：竞赛未填写主办单位（organizer）和联系方式（contact），海报上不会印出是谁主办；"
                   "群众可能当作诈骗二维码。请在竞赛定义或后台竞赛设置中填写后重新生成。", err=True)


@channel_cli.command("add", help="创建渠道 CODE，名称为 NAME（已存在则改名）")
@click.argument("slug")
@click.argument("code")
@click.argument("name")
def channel_add(slug: str, code: str, name: str) -> None:
    """Create channel CODE named NAME (or rename it if it exists)."""
    channel, outcome = channel_service.add_channel(slug, code, name, utcnow())
    url = channel_service.short_url(_base_url(), slug, channel.code)
    click.echo(f"{OUTCOMES[outcome]}渠道 {channel.code}：{channel.name} → {url}")
    _warn_address()


@channel_cli.command("list", help="列出竞赛的渠道：代码、名称和短网址（制表符分隔）")
@click.argument("slug")
def channel_list(slug: str) -> None:
    """List the contest's channels: code, name and short URL, tab-separated."""
    contest = contest_service.get_contest(slug)
    base_url = _base_url()
    for channel in channel_service.list_channels(contest):
        click.echo(f"{channel.code}\t{channel.name}\t{channel_service.short_url(base_url, slug, channel.code)}")
    _warn_address()


@qr_cli.command("make", help="生成竞赛或某个渠道的二维码（png、svg）或 A4 海报（pdf）")
@click.argument("slug")
@click.option("--channel", "code", help="渠道代码（不存在则创建，名称默认为代码）")
# Plain strings rather than click.Choice: a bad value then fails in one line like every other error.
@click.option("--format", "fmt", required=True, help="png | svg | pdf（pdf 为 A4 海报）")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="输出文件")
@click.option("--ec", default="M", show_default=True, help="纠错等级：M 或 Q")
@click.option("--box-size", type=int, default=10, show_default=True, help="每个模块的像素数（SVG 为 0.1 毫米）")
@click.option("--border", type=int, default=4, show_default=True, help="静区宽度（模块数）")
def qr_make(slug: str, code: str | None, fmt: str, output: Path, ec: str, box_size: int, border: int) -> None:
    """Write a QR code (png, svg) or an A4 poster (pdf) for the contest or one of its channels."""
    _check_folder(output)
    options = QrOptions(ec=ec.upper(), box_size=box_size, border=border)
    made = channel_service.make_code(slug, code, fmt.lower(), options, _base_url(), utcnow())
    _write(output, made.data)
    if made.created:
        click.echo(f"已创建渠道 {made.channel.code}（名称默认为代码，可用 flask qr channel add 修改）")
    click.echo(f"已生成 {output}（{len(made.data)} 字节）→ {made.url}")
    _warn_address()
    if fmt.lower() == "pdf":
        _warn_organizer(slug)


@qr_cli.command("batch", help="按渠道清单生成 zip：每个渠道一张 A4 海报 PDF，另附 index.csv 和 index.pdf")
@click.argument("slug")
@click.option("--channels", "channels_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="CSV：每行 渠道代码,渠道名称（UTF-8 或 GBK，可有表头）")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="输出的 zip 文件")
def qr_batch(slug: str, channels_csv: Path, output: Path) -> None:
    """Write a zip with one A4 poster PDF per channel of the list, plus index.csv and index.pdf."""
    _check_folder(output)
    try:
        batch = channel_service.batch_posters(slug, channels_csv.read_bytes(), _base_url(), utcnow())
    except ChannelListError as exc:
        fail(f"{channels_csv.name}：{exc.message}；未生成任何文件")
    _write(output, batch.data)
    click.echo(f"已生成 {batch.count} 张海报 → {output}（新建渠道 {batch.created} 个，更名 {batch.renamed} 个）")
    _warn_address()
    _warn_organizer(slug)


@qr_cli.command("stats", help="各渠道的扫码、报名、完成答题、合格人数和中奖人数")
@click.argument("slug")
def qr_stats(slug: str) -> None:
    """Per channel: scans, registrations, finished rounds, eligible participants and winners."""
    rows = channel_service.funnel(contest_service.get_contest(slug))
    click.echo("渠道代码\t扫码\t登记\t完成答题\t获抽奖资格\t中奖\t渠道名称")
    for row in rows:
        winners = "—" if row.winners is None else row.winners  # no draw yet
        click.echo(f"{row.code or '-'}\t{row.scans}\t{row.registrations}\t{row.finished_rounds}\t"
                   f"{row.eligible}\t{winners}\t{row.name}")


def _check_folder(output: Path) -> None:
    """Refuse before any channel is created when the file could not be written anyway."""
    if not output.parent.is_dir():
        fail(f"输出目录不存在：{output.parent}")


def _write(output: Path, data: bytes) -> None:
    """Write the file, or fail in one line (a missing folder, no permission)."""
    try:
        output.write_bytes(data)
    except OSError as exc:
        fail(f"无法写入 {output}：{exc.strerror or exc}")
