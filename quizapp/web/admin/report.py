"""总结报告: the contest's printable summary, as a console page and as report.pdf (CONTRACT §6)."""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, render_template, request

from ...domain.permissions import VIEW_STATS
from ...services.contests import get_contest
from ...services.report import report_data
from ..common import now
from . import bp
from .access import current_scope, requires


def _report_css() -> str:
    """The report's stylesheet, inlined into the PDF (WeasyPrint must not fetch from this very server)."""
    return (Path(current_app.static_folder) / "css" / "report.css").read_text(encoding="utf-8")


@bp.get("/contests/<slug>/report")
@requires(VIEW_STATS)
def contest_report(slug: str):
    """The report on screen, with a button for the PDF."""
    data = report_data(get_contest(slug), now(), current_scope())
    return render_template("admin/insight/report.html", **data)


@bp.get("/contests/<slug>/report.pdf")
@requires(VIEW_STATS)
def contest_report_pdf(slug: str):
    """The report as an A4 portrait PDF with the CJK font embedded and vector charts."""
    # Imported on first use: it loads Pango, which the rest of the app never needs.
    from weasyprint import HTML

    contest = get_contest(slug)
    html = render_template("admin/insight/report_pdf.html", report_css=_report_css(),
                           **report_data(contest, now(), current_scope()))
    pdf = HTML(string=html, base_url=request.url_root).write_pdf()
    response = Response(pdf, mimetype="application/pdf")
    filename = f"{contest.slug}-summary.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
