"""`flask draw …`: the verifiable prize draw."""

from __future__ import annotations

from flask.cli import AppGroup

draw_cli = AppGroup("draw", help="抽奖：承诺、开奖、验证")
