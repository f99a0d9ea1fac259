"""The printable A4 poster (PDF) of a channel, and the index sheet of a batch.

Plain values in, PDF bytes out. Chinese needs a font with CJK glyphs: a TrueType font found on the
system is embedded (subset), else reportlab's built-in STSong-Light CID font is referenced, which
every PDF reader with Chinese support substitutes. The wording is in poster_text.py, the layout in
poster_layout.py; the names callers use are all importable from here.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from .poster_layout import PALE, balanced_wrap, draw_poster, fit_line, wrap  # noqa: F401  (re-exported)
from .poster_text import (  # noqa: F401  (re-exported: callers import the wording from here too)
    DATA_USE_TEXT,
    SLOGAN,
    PosterSpec,
    contact_text,
    data_use_text,
    date_range_text,
    event_date_text,
    fact_rows,
    footer_lines,
    png_size,
    prize_text,
    steps_text,
)

FALLBACK_FONT = "STSong-Light"
# Debian's fonts-wqy-zenhei / -microhei / arphic / droid first. Noto CJK (fonts-noto-cjk) has
# PostScript (CFF) outlines, which reportlab cannot embed, so it is tried last and skipped if refused.
FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc",
)


@dataclass(frozen=True)
class PosterFont:
    """A registered reportlab font name, and the file embedded for it (None: the built-in CID font)."""

    name: str
    path: str | None


_fonts: dict[tuple[str, ...], PosterFont] = {}


def _register_ttf(path: str) -> PosterFont | None:
    name = "CJK-" + Path(path).stem
    try:
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    except (TTFError, OSError, ValueError):
        return None  # unreadable, or outlines reportlab cannot embed: try the next one
    return PosterFont(name=name, path=path)


def load_cjk_font(candidates: Sequence[str] | None = None) -> PosterFont:
    """The first usable CJK TrueType font among `candidates` (default FONT_CANDIDATES), else STSong-Light."""
    key = tuple(FONT_CANDIDATES if candidates is None else candidates)
    if key not in _fonts:
        found = next((font for path in key if Path(path).is_file() and (font := _register_ttf(path))), None)
        if found is None:
            pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
            found = PosterFont(name=FALLBACK_FONT, path=None)
        _fonts[key] = found
    return _fonts[key]


def poster_pdf(spec: PosterSpec, font: PosterFont | None = None) -> bytes:
    """One A4 page: logo, slogan, title, facts, three steps, the QR (over 6 cm), its URL, data use, organizer."""
    font = font or load_cjk_font()
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(spec.title)
    pdf.setSubject(spec.channel_name or spec.url)
    pdf.setAuthor(spec.organizer)
    pdf.setCreator("quizapp")
    draw_poster(pdf, spec, font.name)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def index_pdf(title: str, rows: Sequence[tuple[str, str, str]], font: PosterFont | None = None) -> bytes:
    """The batch's index sheet: every channel's code, name and short URL, as a table over A4 pages."""
    font = font or load_cjk_font()
    cell = ParagraphStyle("cell", fontName=font.name, fontSize=9, leading=12, wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, fontSize=14, leading=20)
    data = [["渠道代码", "渠道名称", "短网址"]] + [[Paragraph(_escape(v), cell) for v in row] for row in rows]
    table = Table(data, colWidths=[40 * mm, 65 * mm, 75 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, 0), font.name, 10), ("BACKGROUND", (0, 0), (-1, 0), PALE),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")), ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=f"{title} 渠道海报索引")
    doc.build([Paragraph(_escape(f"{title}：渠道海报索引（共 {len(rows)} 个）"), head), table])
    return buffer.getvalue()


def _escape(text: str) -> str:
    """Paragraph text is mini-HTML: names with & or < must print as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
