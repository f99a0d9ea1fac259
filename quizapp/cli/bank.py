"""`flask bank …`: import, export, list question banks."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from ..domain.exporters import EXPORTERS, template_xlsx
from ..services import audit
from ..services import banks as bank_service
from .common import ServiceGroup, app_now, fail

bank_cli = ServiceGroup("bank", help="题库：导入、导出、模板、列表")


_now = app_now  # tests inject CLOCK


def _imported(action):
    """Run an import; on failure print every error with its place on stderr and exit 1."""
    try:
        return action()
    except bank_service.ImportFailed as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        fail(exc.message)


@bank_cli.command("import", help="导入题库文件（按扩展名识别格式：.xlsx .csv .json .gift .txt(Aiken) .xml(Moodle XML)）；有任何错误则整个文件不导入，并逐条列出出错的行")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_name", help="题库名（默认取文件中的名称，否则取文件名）")
@click.option("--title", help="题库标题，显示在后台和抽题规则中（默认取文件中的标题，否则取题库名）")
@click.option("--dry-run", is_flag=True, help="只检查并显示结果，不写入")
@click.option("--on-duplicate", type=click.Choice(bank_service.ON_DUPLICATE), default="error",
              help="与题库中已有题目重复时：报错 / 跳过 / 更新")
def bank_import(path: Path, bank_name: str | None, title: str | None, dry_run: bool, on_duplicate: str) -> None:
    """Import a question-bank file (format by extension); audited as the OS user."""
    report = _imported(lambda: bank_service.import_bank_file(
        path, bank_name, dry_run, on_duplicate, max_bytes=current_app.config["IMPORT_MAX_BYTES"],
        max_questions=current_app.config["IMPORT_MAX_ROWS"], actor=audit.default_actor(), now=_now(),
        title=title))
    click.echo(report.summary())
    for line in report.detail_lines():
        click.echo(f"  {line}")


@bank_cli.command("load-dir", help="导入 FOLDER 中的每个 JSON 题库，已有的题目按文件更新")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def bank_load_dir(folder: Path) -> None:
    """Import every JSON bank in FOLDER, updating questions already there."""
    reports = _imported(lambda: bank_service.load_bank_dir(folder, actor=audit.default_actor(), now=_now()))
    for report in reports:
        click.echo(f"题库 {report.bank}：新增 {report.created} 题，更新 {report.updated} 题")


@bank_cli.command("export", help="把题库 NAME 导出为文件，重新导入后得到相同的题目")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(sorted(EXPORTERS)), required=True, help="导出格式")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="输出文件")
def bank_export(name: str, fmt: str, output: Path) -> None:
    """Write bank NAME to a file that re-imports to the same questions."""
    data = bank_service.export_bank_bytes(name, fmt, actor=audit.default_actor(), now=_now())
    output.write_bytes(data)
    click.echo(f"已导出题库 {name} → {output}（{len(data)} 字节）")


@bank_cli.command("template", help="生成 xlsx 导入模板（含每种题型一道示例题和“说明”工作表）")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="输出文件")
def bank_template(output: Path) -> None:
    """Write the empty xlsx import template, with one worked example per question type."""
    output.write_bytes(template_xlsx())
    click.echo(f"已生成导入模板 {output}")


@bank_cli.command("list", help="列出各题库及题目数量")
def bank_list() -> None:
    """List banks with their question counts."""
    for name, title, count in bank_service.bank_counts():
        click.echo(f"{name}\t{count}\t{title}")
