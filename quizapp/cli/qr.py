"""`flask qr …`: channels, QR codes and posters."""

from __future__ import annotations

from flask.cli import AppGroup

qr_cli = AppGroup("qr", help="二维码、海报与渠道")
