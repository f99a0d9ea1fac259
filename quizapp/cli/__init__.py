"""`flask bank|contest|user|draw|qr|backup|privacy ...` and `flask doctor`: each command parses its arguments and calls one service."""

from __future__ import annotations

from flask import Flask

from .backup import backup_cli
from .bank import bank_cli
from .contest import contest_cli
from .doctor import doctor_command
from .draw import draw_cli
from .privacy import privacy_cli
from .qr import qr_cli
from .user import user_cli


def init_app(app: Flask) -> None:
    """Attach the command groups to the app's CLI."""
    for group in (bank_cli, contest_cli, user_cli, draw_cli, qr_cli, backup_cli, privacy_cli):
        app.cli.add_command(group)
    app.cli.add_command(doctor_command)
