"""渠道与海报: the contest's channels with their funnels, editing, QR and poster downloads, batches."""

from __future__ import annotations

from . import bp  # noqa: F401  (routes come with the channels console)
