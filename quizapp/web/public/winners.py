"""The public notice (公示) of the prize draw at /c/<slug>/winners, its JSON and the verifier."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Response, render_template

from ...domain import prize_draw
from ...services import contests
from ...services import draw as draw_service
from ..common import now
from . import bp


@bp.get("/c/<slug>/winners")
def winners(slug: str):
    """Winners (masked), the commitment, the reveal and how to verify; before the draw, when it happens."""
    contest = contests.get_contest(slug)
    return render_template("public/winners.html", contest=contests.contest_view(contest, now()),
                           notice=draw_service.notice(contest))


@bp.get("/c/<slug>/winners.json")
def winners_json(slug: str):
    """The full public notice with the entrant list, as a file for the standalone verifier."""
    body = json.dumps(draw_service.public_notice(slug, full=True), ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{slug}-winners.json"'})


@bp.get("/c/<slug>/prize_draw.py")
def verifier(slug: str):
    """The standalone verifier (standard library only), so anyone can recompute the draw at home."""
    contests.get_contest(slug)
    source = Path(prize_draw.__file__).read_text(encoding="utf-8")
    return Response(source, mimetype="text/x-python",
                    headers={"Content-Disposition": 'attachment; filename="prize_draw.py"'})
