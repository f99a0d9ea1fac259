"""抽奖: the guided prize draw (checks, commitment, run, verification, notice) and the winners export."""

from __future__ import annotations

from . import bp  # noqa: F401  (routes come with the guided draw)
