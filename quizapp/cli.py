"""`flask bank|contest|user ...`: each command parses its arguments and calls one service."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .domain.errors import DomainError, ValidationError
from .domain.exporters import EXPORTERS, template_xlsx
from .models import utcnow
from .services import attempts as attempt_service
from .services import banks as bank_service
from .services import contests as contest_service
from .services import users as user_service

bank_cli = AppGroup("bank", help="题库：导入、导出")
contest_cli = AppGroup("contest", help="竞赛：加载定义")
user_cli = AppGroup("user", help="组织方账号")


def fail(message: str) -> None:
    """Print a one-line reason on stderr and exit non-zero."""
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


def describe(exc: DomainError) -> str:
    """One line for a domain error, naming each refused field."""
    if isinstance(exc, ValidationError):
        return "；".join(f"{name}: {why}" for name, why in exc.fields.items())
    return exc.message


@bank_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_name", help="题库名（默认取文件中的名称，否则取文件名）")
@click.option("--dry-run", is_flag=True, help="只检查并显示结果，不写入")
@click.option("--on-duplicate", type=click.Choice(bank_service.ON_DUPLICATE), default="error",
              help="与题库中已有题目重复时：报错 / 跳过 / 更新")
def bank_import(path: Path, bank_name: str | None, dry_run: bool, on_duplicate: str) -> None:
    """Import a question-bank file (format by extension)."""
    try:
        report = bank_service.import_bank_file(path, bank_name, dry_run, on_duplicate,
                                               max_bytes=current_app.config["IMPORT_MAX_BYTES"],
                                               max_questions=current_app.config["IMPORT_MAX_ROWS"])
    except bank_service.ImportFailed as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        fail(exc.message)
    except DomainError as exc:
        fail(describe(exc))
    prefix = "（试运行，未写入）" if dry_run else ""
    click.echo(f"{prefix}题库 {report.bank}：新增 {report.created} 题，更新 {report.updated} 题，"
               f"跳过重复 {report.duplicates_skipped} 题，不支持的题型 {len(report.skipped)} 题")
    for skipped in report.skipped:
        click.echo(f"  跳过 第 {skipped.line} 行 [{skipped.kind}]：{skipped.reason}")
    for warning in report.warnings:
        click.echo(f"  注意：{warning}")


@bank_cli.command("load-dir")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def bank_load_dir(folder: Path) -> None:
    """Import every JSON bank in FOLDER, updating questions already there."""
    try:
        reports = bank_service.load_bank_dir(folder)
    except bank_service.ImportFailed as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        fail(exc.message)
    except DomainError as exc:
        fail(describe(exc))
    for report in reports:
        click.echo(f"题库 {report.bank}：新增 {report.created} 题，更新 {report.updated} 题")


@bank_cli.command("export")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(sorted(EXPORTERS)), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def bank_export(name: str, fmt: str, output: Path) -> None:
    """Write bank NAME to a file that re-imports to the same questions."""
    try:
        data = bank_service.export_bank_bytes(name, fmt)
    except DomainError as exc:
        fail(describe(exc))
    output.write_bytes(data)
    click.echo(f"已导出题库 {name} → {output}（{len(data)} 字节）")


@bank_cli.command("template")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def bank_template(output: Path) -> None:
    """Write the empty xlsx import template, with one worked example per question type."""
    output.write_bytes(template_xlsx())
    click.echo(f"已生成导入模板 {output}")


@bank_cli.command("list")
def bank_list() -> None:
    """List banks with their question counts."""
    for name, title, count in bank_service.bank_counts():
        click.echo(f"{name}\t{count}\t{title}")


@contest_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def contest_load(path: Path) -> None:
    """Create or update a contest from a JSON definition."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"{path.name} 不是有效的 UTF-8 JSON：{exc}")
    if not isinstance(data, dict):
        fail(f"{path.name} 应是一个 JSON 对象")
    try:
        contest, created = contest_service.load_contest(data, utcnow())
    except DomainError as exc:
        fail(describe(exc))
    verb = "已创建" if created else "已更新"
    click.echo(f"{verb}竞赛 {contest.slug}：{contest.title}（{contest.starts_at.isoformat()} — {contest.ends_at.isoformat()}）")


@contest_cli.command("finalize")
@click.argument("slug")
def contest_finalize(slug: str) -> None:
    """Close attempts abandoned past their deadline (the pages also do this lazily)."""
    try:
        contest = contest_service.get_contest(slug)
    except DomainError as exc:
        fail(describe(exc))
    closed = attempt_service.finalize_expired(contest.id, utcnow(), limit=100000)
    click.echo(f"已结束超时答卷 {closed} 份")


@user_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(user_service.ROLES), required=True)
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码")
def user_create(username: str, role: str, password_stdin: bool) -> None:
    """Create an organizer account."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt=True)
    try:
        user = user_service.create_user(username, password, role)
    except DomainError as exc:
        fail(describe(exc))
    click.echo(f"已创建账号 {user.username}（{user.role}）")


def init_app(app: Flask) -> None:
    """Attach the command groups to the app's CLI."""
    for group in (bank_cli, contest_cli, user_cli):
        app.cli.add_command(group)
