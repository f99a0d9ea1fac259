"""`flask doctor`: check a deployment before launch; any ✗ exits non-zero."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..domain.doctor import render, summary
from ..services.doctor import Deployment, run_checks
from .common import ChineseHelpCommand


@click.command("doctor", cls=ChineseHelpCommand, help="检查部署配置：每项打印 ✓ 或 ✗ 及修复办法")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="每台服务器的 gunicorn worker 数（默认取 WEB_CONCURRENCY）")
@click.option("--servers", type=click.IntRange(min=1), default=None, metavar="N",
              help="应用服务器台数（默认取 APP_SERVERS）")
@click.option("--threads", type=click.IntRange(min=1), default=1, metavar="N",
              help="每个 worker 的线程数（gunicorn --threads，默认 1）")
@with_appcontext
def doctor_command(workers: int | None, servers: int | None, threads: int) -> None:
    """Run every deployment check and print one line each."""
    config = current_app.config
    deployment = Deployment(workers or int(config["WEB_CONCURRENCY"]), servers or int(config["APP_SERVERS"]), threads)
    checks = run_checks(config, current_app.extensions["migrate"].directory, deployment)
    for line in render(checks):
        click.echo(line)
    click.echo(summary(checks))
    if not all(check.ok for check in checks):
        sys.exit(1)
