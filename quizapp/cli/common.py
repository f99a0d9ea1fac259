"""Helpers shared by the command groups: one-line failures on stderr."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from ..domain.errors import DomainError, ValidationError


def fail(message: str) -> None:
    """Print a one-line reason on stderr and exit non-zero."""
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


def describe(exc: DomainError) -> str:
    """One line for a domain error, naming each refused field."""
    if isinstance(exc, ValidationError):
        return "；".join(f"{name}: {why}" for name, why in exc.fields.items())
    return exc.message


class ServiceGroup(AppGroup):
    """A command group in which a service's DomainError becomes the one-line failure on stderr,
    so that commands need no try/except of their own."""

    def invoke(self, ctx):
        """Run the sub-command; turn a DomainError into `fail`."""
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            fail(describe(exc))
