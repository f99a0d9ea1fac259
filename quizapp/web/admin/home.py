"""/admin: the first area the signed-in role may use."""

from __future__ import annotations

from flask import redirect, render_template

from . import bp
from .access import navigation


@bp.get("/")
def home():
    """Open the first area of the navigation, or say that the role has none yet."""
    items = navigation()
    if items:
        return redirect(items[0]["url"])
    return render_template("admin/home.html")
