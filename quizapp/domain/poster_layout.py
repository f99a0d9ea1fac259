"""How the A4 poster is laid out and drawn: measured blocks, then reportlab canvas calls.

The page, top to bottom: a green band (logo, slogan, title), the facts (dates, this event, prizes),
the three steps, the framed QR with its short URL, the data-use line, and a green footer naming
the organizer and a contact. The blocks are measured first; the QR takes what is left (between
SYMBOL_MIN and SYMBOL_MAX, the code itself without its quiet zone) and the rest is shared out as
even gaps, so the page is always full, whatever the title's length or the facts' number.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from .poster_text import PosterSpec, fact_rows, footer_lines, png_size
from .qr import qr_matrix

PAGE_W, PAGE_H = A4
MARGIN = 14 * mm
SYMBOL_MIN, SYMBOL_MAX = 62 * mm, 76 * mm  # the code itself, without its quiet zone: over 6 cm always
QUIET_MODULES = 4
STEP_SIZE = 17  # pt: step text stays legible from a metre away and for older eyes
FACT_SIZES = (16, 14, 12)
FOOTER_H = 26 * mm
MIN_GAP = 3 * mm
GREEN = colors.HexColor("#0b5d3b")
GOLD = colors.HexColor("#ffd75e")
INK = colors.HexColor("#111111")
GREY = colors.HexColor("#444444")
PALE = colors.HexColor("#eef6f1")
MINT = colors.HexColor("#d7ecdf")


# --- text helpers ----------------------------------------------------------------------------


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than `width`, character by character (Chinese has no spaces)."""
    lines, line = [], ""
    for char in text:
        if line and pdfmetrics.stringWidth(line + char, font, size) > width:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line else lines


def balanced_wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """As `wrap`, but with the lines of about equal length (no title ending in one lonely character)."""
    lines = wrap(text, font, size, width)
    if len(lines) < 2:
        return lines
    target = pdfmetrics.stringWidth(text, font, size) / len(lines)
    while target < width and len(balanced := wrap(text, font, size, target)) > len(lines):
        target += size / 2
    return balanced if target < width else lines


def fit_line(text: str, font: str, sizes: Sequence[float], width: float) -> tuple[float, str]:
    """The largest of `sizes` at which text fits one line; at the smallest, cut it with an ellipsis."""
    for size in sizes:
        if pdfmetrics.stringWidth(text, font, size) <= width:
            return size, text
    size = sizes[-1]
    return size, wrap(text, font, size, width - pdfmetrics.stringWidth("…", font, size))[0] + "…"


def _heavy(pdf: Canvas, x: float, y: float, text: str, font: str, size: float, centred: bool = True) -> None:
    """Text filled and thinly stroked: the CJK fonts on servers have one weight, headings need more."""
    if centred:
        x -= pdfmetrics.stringWidth(text, font, size) / 2
    pdf.saveState()  # the render mode is graphics state: keep it from leaking into later text
    obj = pdf.beginText(x, y)
    obj.setFont(font, size)
    obj.setTextRenderMode(2)
    pdf.setLineWidth(size * 0.035)
    obj.textOut(text)
    pdf.drawText(obj)
    pdf.restoreState()


# --- measured blocks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """The measured blocks: title lines, fact and step lines, privacy lines, and the QR's geometry."""

    logo_box: tuple[float, float] | None  # drawn logo width, height
    title_size: float
    title_lines: tuple[str, ...]
    band: float
    steps: tuple[str, ...]
    privacy: tuple[str, ...]
    modules: int
    symbol: float
    gap: float


def _logo_box(spec: PosterSpec) -> tuple[float, float] | None:
    """The logo's drawn size, aspect ratio kept, inside 40 × 28 mm."""
    if not spec.logo:
        return None
    width, height = png_size(spec.logo)
    scale = min(40 * mm / width, 28 * mm / height)
    return width * scale, height * scale


def _title_area(logo: tuple[float, float] | None) -> tuple[float, float]:
    """The title's left edge and width: beside the logo when there is one."""
    left = MARGIN + (logo[0] + 12 * mm if logo else 0)
    return left, PAGE_W - MARGIN - left


def _step_lines(steps: Sequence[str], font: str, width: float) -> list[str]:
    """The numbered steps as lines at STEP_SIZE, a wrapped step indented under its text."""
    lines = []
    for number, step in enumerate(steps[:3], start=1):
        for index, line in enumerate(wrap(step, font, STEP_SIZE, width - 12 * mm)):
            lines.append(f"{number}\t{line}" if index == 0 else f"\t{line}")
    return lines[:6]


def _qr_total(symbol: float, modules: int) -> float:
    """The framed square's side for a code `symbol` wide: quiet zone on each side plus 2 mm to the frame."""
    return symbol * (modules + 2 * QUIET_MODULES) / modules + 4 * mm


def _measure(spec: PosterSpec, font: str) -> _Layout:
    """Measure every block, give the QR what is left (within its limits) and spread the rest as gaps."""
    logo = _logo_box(spec)
    left, width = _title_area(logo)
    size = next((s for s in (30, 26, 22) if len(wrap(spec.title, font, s, width)) <= 2), 18)
    title = tuple(balanced_wrap(spec.title, font, size, width)[:3])
    band = max(26 * mm + len(title) * size * 1.3, (logo[1] + 16 * mm) if logo else 0)
    steps = tuple(_step_lines(spec.steps, font, PAGE_W - 2 * MARGIN - 16 * mm))
    privacy = tuple(wrap(spec.data_use, font, 11.5, PAGE_W - 2 * MARGIN)[:3])
    modules = len(qr_matrix(spec.url, spec.ec))
    fixed = (band + len(fact_rows(spec)) * 8.5 * mm + 2 * mm + _steps_height(steps) + 11 * mm + 16 * mm
             + len(privacy) * 5.2 * mm + FOOTER_H)
    gaps = 5  # band|facts|steps|code|privacy|footer
    room = PAGE_H - fixed - gaps * MIN_GAP
    symbol = max(SYMBOL_MIN, min(SYMBOL_MAX, (room - 4 * mm) * modules / (modules + 2 * QUIET_MODULES)))
    gap = max(MIN_GAP / 2, (PAGE_H - fixed - _qr_total(symbol, modules)) / gaps)
    return _Layout(logo, size, title, band, steps, privacy, modules, symbol, gap)


def _steps_height(lines: Sequence[str]) -> float:
    return 16 * mm + len(lines) * 8.5 * mm


# --- drawing -----------------------------------------------------------------------------------


def _draw_band(pdf: Canvas, spec: PosterSpec, font: str, lay: _Layout) -> None:
    """The green top band: the logo on a white tile, the slogan in gold, then the title."""
    pdf.setFillColor(GREEN)
    pdf.rect(0, PAGE_H - lay.band, PAGE_W, lay.band, stroke=0, fill=1)
    left, width = _title_area(lay.logo_box)
    centre = left + width / 2
    if lay.logo_box:
        logo_w, logo_h = lay.logo_box
        tile_y = PAGE_H - lay.band / 2 - logo_h / 2
        pdf.setFillColor(colors.white)
        pdf.roundRect(MARGIN, tile_y - 3 * mm, logo_w + 6 * mm, logo_h + 6 * mm, 2.5 * mm, stroke=0, fill=1)
        pdf.drawImage(ImageReader(io.BytesIO(spec.logo)), MARGIN + 3 * mm, tile_y, logo_w, logo_h, mask="auto")
    block = 12 * mm + len(lay.title_lines) * lay.title_size * 1.3
    top = PAGE_H - (lay.band - block) / 2
    pdf.setFillColor(GOLD)
    pdf.setStrokeColor(GOLD)
    _heavy(pdf, centre, top - 7 * mm, spec.slogan, font, 20)
    pdf.setFillColor(colors.white)
    pdf.setStrokeColor(colors.white)
    for index, line in enumerate(lay.title_lines):
        _heavy(pdf, centre, top - 12 * mm - (index + 0.8) * lay.title_size * 1.3, line, font, lay.title_size)


def _draw_facts(pdf: Canvas, spec: PosterSpec, font: str, top: float) -> float:
    """The fact lines as a centred two-column block, labels in green and text in ink; returns the bottom."""
    rows = fact_rows(spec)
    size = next((s for s in FACT_SIZES if all(_fact_width(row, font, s) <= PAGE_W - 2 * MARGIN for row in rows)),
                FACT_SIZES[-1])
    label_w = pdfmetrics.stringWidth("活动现场：", font, size)
    block = min(PAGE_W - 2 * MARGIN, max(_fact_width(row, font, size) for row in rows))
    x = (PAGE_W - block) / 2
    y = top - 6 * mm
    for label, text in rows:
        pdf.setFont(font, size)
        if label:
            pdf.setFillColor(GREEN)
            pdf.drawString(x, y, _spread(label) + "：")
        pdf.setFillColor(INK)
        width = block - label_w if label else block
        body = fit_line(text, font, (size,), width)[1]
        if label:
            pdf.drawString(x + label_w, y, body)
        else:
            pdf.drawCentredString(PAGE_W / 2, y, body)
        y -= 8.5 * mm
    return top - len(rows) * 8.5 * mm - 2 * mm


def _fact_width(row: tuple[str, str], font: str, size: float) -> float:
    label, text = row
    return pdfmetrics.stringWidth(("活动现场：" if label else "") + text, font, size)


def _spread(label: str) -> str:
    """A two-character label spaced out to four (奖　　项), so that the colons line up."""
    return "　　".join(label) if len(label) == 2 else label


def _draw_steps(pdf: Canvas, font: str, lines: Sequence[str], top: float) -> float:
    """参与方式 in a pale box: a green disc with the number, then the step's text; returns the bottom."""
    height = _steps_height(lines)
    pdf.setFillColor(PALE)
    pdf.roundRect(MARGIN, top - height, PAGE_W - 2 * MARGIN, height, 4 * mm, stroke=0, fill=1)
    pdf.setFillColor(GREEN)
    pdf.setStrokeColor(GREEN)
    _heavy(pdf, MARGIN + 7 * mm, top - 9 * mm, "参与方式", font, 18, centred=False)
    y = top - 19 * mm
    for line in lines:
        number, text = line.split("\t")
        if number:
            pdf.setFillColor(GREEN)
            pdf.circle(MARGIN + 11 * mm, y + STEP_SIZE * 0.36, 3.6 * mm, stroke=0, fill=1)
            pdf.setFillColor(colors.white)
            pdf.setFont(font, 15)
            pdf.drawCentredString(MARGIN + 11 * mm, y + STEP_SIZE * 0.36 - 5.2, number)
        pdf.setFillColor(INK)
        pdf.setFont(font, STEP_SIZE)
        pdf.drawString(MARGIN + 18 * mm, y, text)
        y -= 8.5 * mm
    return top - height


def _draw_qr(pdf: Canvas, url: str, ec: str, x: float, y: float, module: float) -> None:
    """The code as vector rectangles, one per horizontal run of dark modules; (x, y) is its top left."""
    matrix = qr_matrix(url, ec)
    path = pdf.beginPath()
    for row_index, row in enumerate(matrix):
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            # A hair of overlap so that renderers leave no seam between neighbouring runs.
            path.rect(x + start * module, y - (row_index + 1) * module - 0.05,
                      (column - start) * module + 0.05, module + 0.05)
    pdf.setFillColor(colors.black)
    pdf.drawPath(path, stroke=0, fill=1)


def _draw_code_block(pdf: Canvas, spec: PosterSpec, font: str, lay: _Layout, top: float) -> float:
    """Caption, the framed QR (quiet zone inside the frame), and the short URL under it."""
    pdf.setFillColor(GREEN)
    pdf.setStrokeColor(GREEN)
    _heavy(pdf, PAGE_W / 2, top - 8 * mm, "微信扫码 参加答题", font, 20)
    side = _qr_total(lay.symbol, lay.modules)
    frame_top = top - 11 * mm
    pdf.setFillColor(colors.white)
    pdf.setLineWidth(2)
    pdf.roundRect((PAGE_W - side) / 2, frame_top - side, side, side, 3 * mm, stroke=1, fill=1)
    module = lay.symbol / lay.modules
    _draw_qr(pdf, spec.url, spec.ec, (PAGE_W - lay.symbol) / 2, frame_top - (side - lay.symbol) / 2, module)
    bottom = frame_top - side
    pdf.setFillColor(GREY)
    pdf.setFont(font, 12)
    pdf.drawCentredString(PAGE_W / 2, bottom - 6 * mm, "无法扫码时，请在浏览器中输入：")
    pdf.setFillColor(INK)
    size, line = fit_line(spec.url, font, (17, 15, 13, 11, 9), PAGE_W - 2 * MARGIN)
    pdf.setFont(font, size)
    pdf.drawCentredString(PAGE_W / 2, bottom - 13.5 * mm, line)
    return bottom - 16 * mm


def _draw_privacy(pdf: Canvas, font: str, lines: Sequence[str], top: float) -> None:
    """The data-use line(s), centred, just above the footer."""
    pdf.setFillColor(GREY)
    pdf.setFont(font, 11.5)
    for index, line in enumerate(lines):
        pdf.drawCentredString(PAGE_W / 2, top - 4 * mm - index * 5.2 * mm, line)


def _draw_footer(pdf: Canvas, spec: PosterSpec, font: str) -> None:
    """The green footer: 主办单位 and the contact line (the slogan when neither is set)."""
    pdf.setFillColor(GREEN)
    pdf.rect(0, 0, PAGE_W, FOOTER_H, stroke=0, fill=1)
    lines = footer_lines(spec)
    if not lines:
        pdf.setFillColor(GOLD)
        pdf.setStrokeColor(GOLD)
        _heavy(pdf, PAGE_W / 2, FOOTER_H / 2 - 3 * mm, spec.slogan, font, 20)
        return
    ys = (FOOTER_H / 2 - 2.5 * mm,) if len(lines) == 1 else (FOOTER_H / 2 + 1.5 * mm, FOOTER_H / 2 - 7 * mm)
    for index, (line, y) in enumerate(zip(lines, ys, strict=True)):
        heading = index == 0 and bool(spec.organizer.strip())
        size, text = fit_line(line, font, (17, 15, 13, 11) if heading else (14, 12, 10), PAGE_W - 2 * MARGIN)
        pdf.setFillColor(colors.white if heading else MINT)
        pdf.setStrokeColor(colors.white)
        if heading:
            _heavy(pdf, PAGE_W / 2, y, text, font, size)
        else:
            pdf.setFont(font, size)
            pdf.drawCentredString(PAGE_W / 2, y, text)


def draw_poster(pdf: Canvas, spec: PosterSpec, font: str) -> None:
    """Draw the whole poster on the canvas's current page in the registered font `font`."""
    lay = _measure(spec, font)
    _draw_band(pdf, spec, font, lay)
    y = _draw_facts(pdf, spec, font, PAGE_H - lay.band - lay.gap)
    y = _draw_steps(pdf, font, lay.steps, y - lay.gap)
    y = _draw_code_block(pdf, spec, font, lay, y - lay.gap)
    _draw_privacy(pdf, font, lay.privacy, y - lay.gap)
    _draw_footer(pdf, spec, font)
