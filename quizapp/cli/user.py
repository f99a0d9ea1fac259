"""`flask user …`: organizer accounts."""

from __future__ import annotations

import sys

import click

from ..services import users as user_service
from .common import ServiceGroup

user_cli = ServiceGroup("user", help="组织方账号")


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
    user = user_service.create_user(username, password, role)
    click.echo(f"已创建账号 {user.username}（{user.role}）")
