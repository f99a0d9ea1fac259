"""Helpers shared by the command groups: one-line failures on stderr, help in Chinese."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from ..domain.errors import DomainError, ValidationError
from ..models import utcnow


def app_now() -> datetime:
    """The app's clock (tests inject CLOCK, as the web layer allows too), else the real one."""
    return (current_app.config.get("CLOCK") or utcnow)()


def fail(message: str) -> None:
    """Print a one-line reason on stderr and exit non-zero."""
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


def describe(exc: DomainError) -> str:
    """One line for a domain error, naming each refused field."""
    if isinstance(exc, ValidationError):
        return "；".join(f"{name}: {why}" for name, why in exc.fields.items())
    return exc.message


_SECTIONS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
HELP_OPTION_TEXT = "显示本帮助并退出"


class ChineseHelpFormatter(click.HelpFormatter):
    """Click's help layout with its headings in Chinese, like the commands' own help and messages."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        """The usage line, headed 用法："""
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        """A section of the help, its English heading translated."""
        with super().section(_SECTIONS.get(name, name)):
            yield


class ChineseContext(click.Context):
    """A context whose help pages use ChineseHelpFormatter."""

    formatter_class = ChineseHelpFormatter


class ChineseHelp:
    """Mixed into a command or group: its --help page, help option included, is in Chinese."""

    context_class = ChineseContext

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """Click's --help option, described in Chinese."""
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option


class ChineseHelpCommand(ChineseHelp, click.Command):
    """A command with its help page in Chinese."""


class ServiceGroup(ChineseHelp, AppGroup):
    """A command group in which a service's DomainError becomes the one-line failure on stderr,
    so that commands need no try/except of their own; its help pages are in Chinese."""

    command_class = ChineseHelpCommand

    def invoke(self, ctx):
        """Run the sub-command; turn a DomainError into `fail`."""
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            fail(describe(exc))
