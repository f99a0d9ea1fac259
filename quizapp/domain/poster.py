"""The printable A4 poster (PDF) of a channel, and the index sheet of a batch.

Plain values in, PDF bytes out. Chinese needs a font with CJK glyphs: a TrueType font found on the
system is embedded (subset), else reportlab's built-in STSong-Light CID font is referenced, which
every PDF reader with Chinese support substitutes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
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

from .qr import qr_matrix

SLOGAN = "安全用药 健康为民"
FALLBACK_FONT = "STSong-Light"
QR_SIZE = 80 * mm  # well over the 6 cm that scans from 1–2 m
QUIET_MODULES = 4
BAND = 64  # height of the green top band, mm
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
GREEN = colors.HexColor("#0b5d3b")
GOLD = colors.HexColor("#ffd75e")
INK = colors.HexColor("#111111")
GREY = colors.HexColor("#555555")
PALE = colors.HexColor("#eef6f1")


@dataclass(frozen=True)
class PosterFont:
    """A registered reportlab font name, and the file embedded for it (None: the built-in CID font)."""

    name: str
    path: str | None


@dataclass(frozen=True)
class PosterSpec:
    """Everything printed on one poster, already worded."""

    title: str
    dates: str
    prizes: str
    steps: tuple[str, ...]
    url: str
    channel_name: str = ""
    slogan: str = SLOGAN
    ec: str = "M"


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


def date_range_text(start: datetime, end: datetime) -> str:
    """2026年11月15日 至 12月15日 (the year again only when it changes), from local times."""
    first = f"{start.year}年{start.month}月{start.day}日"
    last = f"{end.month}月{end.day}日" if end.year == start.year else f"{end.year}年{end.month}月{end.day}日"
    return f"{first} 至 {last}"


def prize_text(prizes: Sequence[dict]) -> str:
    """奖项：一等奖 10 名、二等奖 30 名 (or a line without prizes)."""
    if not prizes:
        return "答题学习安全用药知识，人人都是自己健康的第一责任人"
    return "奖项：" + "、".join(f"{p['name']} {p['count']} 名" for p in prizes)


def steps_text(question_count: int, minutes: int, pass_score: float, has_prizes: bool) -> tuple[str, ...]:
    """The three steps for taking part, with the round's own numbers."""
    goal = f"达到 {pass_score:g} 分即可参加抽奖" if has_prizes else f"达到 {pass_score:g} 分即为合格"
    return ("微信扫一扫下方二维码（或在浏览器输入下方网址）",
            "登记姓名、手机号码和所在地区",
            f"在线答题 {question_count} 道，限时 {minutes} 分钟，{goal}")


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than `width`, character by character (Chinese has no spaces)."""
    lines, line = [], ""
    for char in text:
        if line and pdfmetrics.stringWidth(line + char, font, size) > width:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line else lines


def _draw_band(pdf: Canvas, spec: PosterSpec, font: str) -> None:
    """The green top band: slogan in gold, then the title, shrunk until it fits on two lines."""
    width, height = A4
    pdf.setFillColor(GREEN)
    pdf.rect(0, height - BAND * mm, width, BAND * mm, stroke=0, fill=1)
    pdf.setFillColor(GOLD)
    pdf.setFont(font, 24)
    pdf.drawCentredString(width / 2, height - 20 * mm, spec.slogan)
    size = next((s for s in (30, 26, 22) if len(wrap(spec.title, font, s, width - 30 * mm)) <= 2), 18)
    lines = wrap(spec.title, font, size, width - 30 * mm)[:3]
    pdf.setFillColor(colors.white)
    pdf.setFont(font, size)
    top = height - 36 * mm if len(lines) > 1 else height - 42 * mm
    for index, line in enumerate(lines):
        pdf.drawCentredString(width / 2, top - index * size * 1.3, line)


def fit_line(text: str, font: str, sizes: Sequence[float], width: float) -> tuple[float, str]:
    """The largest of `sizes` at which text fits one line; at the smallest, cut it with an ellipsis."""
    for size in sizes:
        if pdfmetrics.stringWidth(text, font, size) <= width:
            return size, text
    size = sizes[-1]
    return size, wrap(text, font, size, width - pdfmetrics.stringWidth("…", font, size))[0] + "…"


def _step_lines(steps: Sequence[str], font: str, width: float) -> list[str]:
    """The numbered steps as lines (a wrapped step is indented), at most four lines in all."""
    lines = []
    for number, step in enumerate(steps[:3], start=1):
        for index, line in enumerate(wrap(f"{'①②③'[number - 1]} {step}", font, 13, width)):
            lines.append(line if index == 0 else "    " + line)
    return lines[:4]


def _draw_facts(pdf: Canvas, spec: PosterSpec, font: str) -> None:
    """Dates and prizes under the band, then the three numbered steps in a pale box."""
    width, height = A4
    pdf.setFillColor(INK)
    for y, text in ((height - (BAND + 12) * mm, "活动时间：" + spec.dates), (height - (BAND + 21) * mm, spec.prizes)):
        size, line = fit_line(text, font, (15, 13, 11), width - 30 * mm)
        pdf.setFont(font, size)
        pdf.drawCentredString(width / 2, y, line)
    lines = _step_lines(spec.steps, font, width - 52 * mm)
    box_top, box_height = height - (BAND + 28) * mm, 14 * mm + len(lines) * 8 * mm
    pdf.setFillColor(PALE)
    pdf.roundRect(18 * mm, box_top - box_height, width - 36 * mm, box_height, 4 * mm, stroke=0, fill=1)
    pdf.setFillColor(GREEN)
    pdf.setFont(font, 15)
    pdf.drawString(24 * mm, box_top - 9 * mm, "参与方式")
    pdf.setFillColor(INK)
    pdf.setFont(font, 13)
    for index, line in enumerate(lines):
        pdf.drawString(26 * mm, box_top - 17 * mm - index * 8 * mm, line)


def _draw_qr(pdf: Canvas, url: str, ec: str, x: float, y: float, size: float) -> None:
    """The code as vector rectangles, one per horizontal run of dark modules, with its quiet zone."""
    matrix = qr_matrix(url, ec)
    count = len(matrix)
    module = size / (count + 2 * QUIET_MODULES)
    pdf.setFillColor(colors.white)
    pdf.rect(x, y, size, size, stroke=0, fill=1)
    path = pdf.beginPath()
    origin_x, top = x + QUIET_MODULES * module, y + size - QUIET_MODULES * module
    for row_index, row in enumerate(matrix):
        column = 0
        while column < count:
            if not row[column]:
                column += 1
                continue
            start = column
            while column < count and row[column]:
                column += 1
            # A hair of overlap so that renderers leave no seam between neighbouring runs.
            path.rect(origin_x + start * module, top - (row_index + 1) * module - 0.05,
                      (column - start) * module + 0.05, module + 0.05)
    pdf.setFillColor(colors.black)
    pdf.drawPath(path, stroke=0, fill=1)


def _draw_code_block(pdf: Canvas, spec: PosterSpec, font: str) -> None:
    """Caption, the framed QR, the short URL under it, and the channel name small at the bottom."""
    width, _height = A4
    x, y = (width - QR_SIZE) / 2, 52 * mm
    pdf.setFillColor(GREEN)
    pdf.setFont(font, 18)
    pdf.drawCentredString(width / 2, y + QR_SIZE + 7 * mm, "扫码参加答题")
    pdf.setStrokeColor(GREEN)
    pdf.setLineWidth(2)
    pdf.roundRect(x - 3 * mm, y - 3 * mm, QR_SIZE + 6 * mm, QR_SIZE + 6 * mm, 3 * mm, stroke=1, fill=0)
    _draw_qr(pdf, spec.url, spec.ec, x, y, QR_SIZE)
    pdf.setFillColor(GREY)
    pdf.setFont(font, 11)
    pdf.drawCentredString(width / 2, 41 * mm, "无法扫码时，请在浏览器中输入：")
    pdf.setFillColor(INK)
    size, line = fit_line(spec.url, font, (16, 14, 12, 10, 8), width - 20 * mm)
    pdf.setFont(font, size)
    pdf.drawCentredString(width / 2, 33 * mm, line)
    if spec.channel_name:
        pdf.setStrokeColor(colors.HexColor("#c9d1db"))
        pdf.setLineWidth(0.5)
        pdf.line(20 * mm, 18 * mm, width - 20 * mm, 18 * mm)
        pdf.setFillColor(GREY)
        pdf.setFont(font, 9)
        pdf.drawCentredString(width / 2, 12 * mm, fit_line("渠道：" + spec.channel_name, font, (9,), width - 40 * mm)[1])


def poster_pdf(spec: PosterSpec, font: PosterFont | None = None) -> bytes:
    """One A4 page: slogan and title, dates, prizes, three steps, the QR (8 cm), its URL, the channel."""
    font = font or load_cjk_font()
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(spec.title)
    pdf.setSubject(spec.channel_name or spec.url)
    pdf.setCreator("quizapp")
    _draw_band(pdf, spec, font.name)
    _draw_facts(pdf, spec, font.name)
    _draw_code_block(pdf, spec, font.name)
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
