"""导出: a contest's data as xlsx or CSV (CONTRACT §6), streamed, masked unless an admin asks for ?full=1."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, request, stream_with_context
from flask_login import current_user

from ...domain.exporters.tables import csv_chunks, file_chunks, xlsx_file
from ...domain.permissions import EXPORT_FULL, EXPORT_MASKED
from ...services import exports
from ...services.contests import get_contest
from ..common import now
from . import bp
from .access import current_scope, may, requires

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _download_name(contest, kind: str, fmt: str, full: bool) -> str:
    suffix = "-完整" if full else ""
    return f"{contest.slug}-{exports.KIND_NAMES[kind]}{suffix}.{fmt}"


def _disposition(filename: str) -> str:
    # RFC 6266: an ASCII fallback for old clients, the UTF-8 name for every current browser.
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@bp.get("/contests/<slug>/export/<kind>.<fmt>")
@requires(EXPORT_MASKED)
def contest_export(slug: str, kind: str, fmt: str):
    """Stream one export; ?full=1 (admins only, audited) carries full names and phones."""
    if kind not in exports.KIND_NAMES or fmt not in MEDIA_TYPES:
        abort(404)
    full = request.args.get("full") == "1"
    if full and not may(EXPORT_FULL):
        abort(403)
    full = full and kind in exports.PERSONAL_KINDS
    contest, scope = get_contest(slug), current_scope()
    table = exports.build(kind, contest, scope, full)
    exports.record_export(contest, kind, fmt, table, current_user.username, now(), scope, full)
    if fmt == "csv":
        body = stream_with_context(csv_chunks(table.header, table.rows))
    else:
        body = file_chunks(xlsx_file(table.title, table.header, table.rows))
    response = Response(body, mimetype=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = _disposition(_download_name(contest, kind, fmt, full))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
