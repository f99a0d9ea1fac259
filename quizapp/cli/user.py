"""`flask user …`: organizer accounts."""

from __future__ import annotations

import secrets
import sys

import click

from ..domain.permissions import ROLES
from ..models import utcnow
from ..services import audit
from ..services import users as user_service
from .common import ServiceGroup

user_cli = ServiceGroup("user", help="组织方账号")
DEMO_USERNAME = "demo-organizer"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("密码", hide_input=True, confirmation_prompt=True)


@user_cli.command("create", help="创建组织方账号")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True, help="角色")
@click.option("--region", default=None, help="只看这个地区的参赛者（统计和导出）")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码")
def user_create(username: str, role: str, region: str | None, password_stdin: bool) -> None:
    """Create an organizer account."""
    password = _read_password(password_stdin)
    user = user_service.create_user(username, password, role, region, actor=audit.default_actor(), now=utcnow())
    scope = f"，限定地区 {user.region}" if user.region else ""
    click.echo(f"已创建账号 {user.username}（{user.role}{scope}）")


@user_cli.command("passwd", help="设置新密码；该账号已登录的会话全部失效")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取新密码")
def user_passwd(username: str, password_stdin: bool) -> None:
    """Set a new password; the account's sessions end."""
    user_service.set_password(username, _read_password(password_stdin), audit.default_actor(), utcnow())
    click.echo(f"已重设 {username} 的密码，该账号的所有登录会话已失效")


@user_cli.command("disable", help="停用账号（立即退出登录）；最后一个管理员不能停用")
@click.argument("username")
def user_disable(username: str) -> None:
    """Disable an account (it is signed out at once); the last admin cannot be disabled."""
    user_service.set_active(username, False, audit.default_actor(), utcnow())
    click.echo(f"已停用账号 {username}")


@user_cli.command("enable", help="重新启用已停用的账号")
@click.argument("username")
def user_enable(username: str) -> None:
    """Enable a disabled account again."""
    user_service.set_active(username, True, audit.default_actor(), utcnow())
    click.echo(f"已启用账号 {username}")


@user_cli.command("list", help="列出所有账号及其角色、地区和状态")
def user_list() -> None:
    """Every account with its role, region and state."""
    for user in user_service.list_users():
        state = "启用" if user.active else "已停用"
        click.echo(f"{user.username}\t{user.role}\t{user.region or '全部地区'}\t{state}")


@user_cli.command("demo", help="创建演示组织方账号，随机密码只显示这一次（make run 使用）")
def user_demo() -> None:
    """Create the demo organizer with a random password, printed this once (what `make run` uses)."""
    if any(user.username == DEMO_USERNAME for user in user_service.list_users()):
        click.echo(f"演示账号 {DEMO_USERNAME} 已存在；忘记密码可用 flask --app wsgi user passwd {DEMO_USERNAME} 重设")
        return
    password = secrets.token_urlsafe(12)
    user_service.create_user(DEMO_USERNAME, password, "organizer", actor=audit.default_actor(), now=utcnow())
    click.echo(f"  演示组织方账号  用户名：{DEMO_USERNAME}")
    click.echo(f"                  密码：{password}")
    click.echo("  （密码只显示这一次，请记下；数据库中只保存其散列值）")
