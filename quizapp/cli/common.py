"""Helpers shared by the command groups: one-line failures on stderr."""

from __future__ import annotations

import sys

import click

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
