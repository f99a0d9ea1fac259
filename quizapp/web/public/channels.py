"""Channel short links (/s/<code>), scan counting and the print-ready poster page."""

from . import bp  # noqa: F401
