"""The public notice (公示) of the prize draw at /c/<slug>/winners."""

from . import bp  # noqa: F401
