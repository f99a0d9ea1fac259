"""Server-side SVG charts for the printed summary report and for HTML pages.

Plain values in, one `<svg>` string out: no scripts, no external files, no random ids, so the
same data gives the same bytes (and the same PDF). Colours are one dark slate and greys, which
print as distinct greys on a black-and-white printer. Text widths are estimated (a CJK glyph is
one em, other characters about 0.6 em) because there is no font engine here; layouts leave room.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from html import escape

FONT_FAMILY = "'WenQuanYi Zen Hei', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"
BAR_FILL = "#44617f"  # about 6.3:1 against white; a mid-dark grey in print
LINK_FILL = "#e3e7ec"  # the funnel's joins between bars
TEXT = "#222222"
MUTED = "#555555"
GRID = "#d4d4d4"
AXIS = "#777777"
EMPTY_TEXT = "暂无数据"
TITLE_SIZE = 14
LABEL_SIZE = 11
PAD = 12  # outer margin on every side
HEADER = 44  # title band above the plot
ELLIPSIS = "…"
MIN_PLOT = 40  # a too-narrow width overflows rather than drawing negative bars


def column_chart(
    title: str,
    bars: Sequence[tuple[str, float]],
    *,
    unit: str = "",
    width: int = 640,
    height: int = 240,
    label_every: int | None = None,
) -> str:
    """Vertical bars with value labels, e.g. participants by day or by score band."""
    data = _clean(bars)
    fingerprint = ("column", data, unit, width, height, label_every)
    if not _has_data(data):
        return _empty(title, width, height, unit, fingerprint)
    top = nice_ceiling(max(v for _, v in data))
    ticks = _ticks(top)
    left = PAD + max(_text_width(_fmt_number(t)) for t in ticks) + 6
    plot_w = max(width - left - PAD, MIN_PLOT)
    slot = plot_w / len(data)
    values = [_fmt_number(v) for _, v in data]
    widest = max(_text_width(s, LABEL_SIZE - 1) for s in values)
    upright = widest <= slot - 2  # too narrow for level numbers: they are turned to run upwards
    plot_top = HEADER + (0 if upright else widest)
    bottom = max(height - 28, plot_top + 20)
    plot_h = bottom - plot_top
    body = _y_grid(ticks, top, left, width - PAD, bottom, plot_h)
    every = label_every if label_every and label_every > 0 else _auto_every(data, slot)
    bar_w = min(slot * 0.7, 56)
    for i, ((label, value), shown) in enumerate(zip(data, values, strict=True)):
        cx = left + (i + 0.5) * slot
        h = value / top * plot_h
        body.append(_rect(cx - bar_w / 2, bottom - h, bar_w, h, cls="bar"))
        body.append(_column_value(cx, bottom - h, shown, upright))
        if i % every == 0:
            text = _fit(label, slot * every - 4)
            body.append(_text(cx, bottom + 16, text, cls="x-label", anchor="middle", fill=MUTED))
    body.append(_line(left, bottom, width - PAD, bottom, AXIS))
    return _document(title, width, height, unit, body, fingerprint)


def bar_chart(
    title: str,
    bars: Sequence[tuple[str, float]],
    *,
    unit: str = "",
    width: int = 640,
    value_format: Callable[[float], str] | None = None,
) -> str:
    """Horizontal bars, one row each (regions, channels, categories); the height follows the rows."""
    data = _clean(bars)
    fmt = value_format or _fmt_number
    fingerprint = ("bar", data, unit, width, fmt(1.0), fmt(0.5))
    if not _has_data(data):
        return _empty(title, width, 120, unit, fingerprint)
    row, bar_h = 24, 16
    label_w = min(max(_text_width(label) for label, _ in data), width * 0.35)
    left = PAD + label_w + 8
    values = [fmt(v) for _, v in data]
    plot_w = max(width - left - PAD - max(_text_width(s) for s in values) - 6, MIN_PLOT)
    rows_bottom = HEADER + row * len(data)
    height = int(rows_bottom + 28)
    top = nice_ceiling(max(v for _, v in data))
    body = _x_grid(_ticks(top), top, left, plot_w, HEADER - 4, rows_bottom)
    for i, ((label, value), shown) in enumerate(zip(data, values, strict=True)):
        y = HEADER + i * row + (row - bar_h) / 2
        length = value / top * plot_w
        middle = y + bar_h / 2 + LABEL_SIZE * 0.35
        body.append(_text(left - 8, middle, _fit(label, label_w), cls="y-label", anchor="end"))
        body.append(_rect(left, y, length, bar_h, cls="bar"))
        body.append(_text(left + length + 4, middle, shown, cls="value"))
    body.append(_line(left, HEADER - 4, left, rows_bottom, AXIS))
    return _document(title, width, height, unit, body, fingerprint)


def funnel_chart(title: str, steps: Sequence[tuple[str, int]], *, width: int = 640) -> str:
    """A centred funnel of steps, each with its count and its conversion from the step before."""
    data = [(label, int(v)) for label, v in _clean(steps)]
    fingerprint = ("funnel", data, width)
    if not _has_data(data):
        return _empty(title, width, 120, "", fingerprint)
    row, bar_h = 34, 24
    counts = [_fmt_number(v) for _, v in data]
    rates = [""] + [conversion_text(prev, cur) for (_, prev), (_, cur) in zip(data, data[1:], strict=False)]
    label_w = min(max(_text_width(label) for label, _ in data), width * 0.3)
    count_w = max(_text_width(c, LABEL_SIZE + 1) for c in counts)
    left = PAD + label_w + 10
    plot_w = max(width - left - PAD - 10 - count_w - 8 - max(_text_width(r) for r in rates), MIN_PLOT)
    centre, biggest = left + plot_w / 2, max(v for _, v in data)
    height = int(HEADER + row * len(data) + PAD)
    widths = [v / biggest * plot_w for _, v in data]
    body = []
    for i, (label, _value) in enumerate(data):
        y = HEADER + i * row
        if i:  # the join from the previous bar's foot to this bar's head
            body.append(_link(centre, widths[i - 1] / 2, widths[i] / 2, y - (row - bar_h), y))
        middle = y + bar_h / 2 + LABEL_SIZE * 0.35
        body.append(_text(left - 10, middle, _fit(label, label_w), cls="y-label", anchor="end"))
        body.append(_rect(centre - widths[i] / 2, y, widths[i], bar_h, cls="bar"))
        x = left + plot_w + 10
        body.append(_text(x, middle, counts[i], cls="value", size=LABEL_SIZE + 1, weight="bold"))
        if rates[i]:
            body.append(_text(x + count_w + 8, middle, rates[i], cls="rate", fill=MUTED))
    return _document(title, width, height, "", body, fingerprint)


def conversion_text(previous: float, current: float) -> str:
    """「转化 42.1%」: current as a share of previous, or 「转化 —」 when previous is zero."""
    if previous <= 0:
        return "转化 —"
    return f"转化 {current / previous * 100:.1f}%"


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^n at or above value (1 for zero or less): the axis maximum."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for mantissa in (1, 2, 5, 10):
        candidate = mantissa * 10.0**exponent
        if candidate >= value * (1 - 1e-9):
            return float(f"{candidate:.12g}")
    return 10.0 ** (exponent + 1)  # pragma: no cover - the loop always returns


# -- data and numbers ---------------------------------------------------------------------------


def _clean(pairs: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """Labels as strings, values as finite non-negative floats (negative, NaN and inf become 0)."""
    out = []
    for label, value in pairs:
        number = float(value)
        out.append((str(label), number if math.isfinite(number) and number > 0 else 0.0))
    return out


def _has_data(data: Sequence[tuple[str, float]]) -> bool:
    """Whether there is at least one value above zero to scale by."""
    return any(v > 0 for _, v in data)


def _ticks(top: float) -> list[float]:
    """Gridline values from 0 to top: 4 steps for a 2 × 10^n top, else 5."""
    mantissa = round(top / 10.0 ** math.floor(math.log10(top)))
    steps = 4 if mantissa == 2 else 5
    return [float(f"{top * i / steps:.12g}") for i in range(steps + 1)]


def _fmt_number(value: float) -> str:
    """1,234 for whole numbers, else up to two decimals without trailing zeros."""
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


# -- text ---------------------------------------------------------------------------------------


def _text_width(text: str, size: float = LABEL_SIZE) -> float:
    """Estimated width in px: CJK and full-width forms one em, everything else 0.6 em."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in text)


def _fit(text: str, max_width: float, size: float = LABEL_SIZE) -> str:
    """The text, cut with an ellipsis when its estimated width is over max_width."""
    if _text_width(text, size) <= max_width:
        return text
    while text and _text_width(text + ELLIPSIS, size) > max_width:
        text = text[:-1]
    return text + ELLIPSIS if text else ""


def _auto_every(data: Sequence[tuple[str, float]], slot: float) -> int:
    """Show every n-th x label so that the widest one has room beside its neighbours."""
    widest = max(_text_width(label) for label, _ in data) + 6
    return max(1, math.ceil(widest / slot))


def _title_id(title: str, fingerprint: object) -> str:
    """A stable id for the <title>: an ASCII slug of the title and a hash of the chart's input."""
    slug = "-".join(re.findall(r"[a-z0-9]+", title.lower()))[:24]
    digest = hashlib.sha1(repr((title, fingerprint)).encode("utf-8")).hexdigest()[:8]
    return f"chart-{slug}-{digest}" if slug else f"chart-{digest}"


# -- SVG pieces ---------------------------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate with at most one decimal, so the output is short and stable."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(
    x: float,
    y: float,
    content: str,
    *,
    cls: str,
    anchor: str = "start",
    size: float = LABEL_SIZE,
    fill: str = TEXT,
    weight: str | None = None,
    transform: str | None = None,
) -> str:
    """A <text> element with its content XML-escaped."""
    extra = f' font-weight="{weight}"' if weight else ""
    extra += f' transform="{transform}"' if transform else ""
    return (
        f'<text class="{cls}" x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{_n(size)}"'
        f' fill="{fill}"{extra}>{escape(content, quote=True)}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, *, cls: str) -> str:
    """A bar."""
    return f'<rect class="{cls}" x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{BAR_FILL}"/>'


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str) -> str:
    """A one-pixel axis or gridline."""
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}" stroke-width="1"/>'
    )


def _link(centre: float, upper: float, lower: float, y1: float, y2: float) -> str:
    """The pale trapezoid joining two funnel bars (half-widths upper and lower)."""
    points = [(centre - upper, y1), (centre + upper, y1), (centre + lower, y2), (centre - lower, y2)]
    coords = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
    return f'<polygon class="link" points="{coords}" fill="{LINK_FILL}"/>'


def _column_value(cx: float, bar_top: float, shown: str, upright: bool) -> str:
    """A column's value: level above the bar, or turned to run upwards when columns are narrow."""
    size = LABEL_SIZE - 1
    if upright:
        return _text(cx, bar_top - 4, shown, cls="value", anchor="middle", size=size)
    x, y = cx + size * 0.35, bar_top - 4
    return _text(x, y, shown, cls="value", size=size, transform=f"rotate(-90 {_n(x)} {_n(y)})")


def _y_grid(ticks: list[float], top: float, x1: float, x2: float, bottom: float, plot_h: float) -> list[str]:
    """Horizontal gridlines with their values on the left (column charts)."""
    out = []
    for tick in ticks[1:]:
        y = bottom - tick / top * plot_h
        out.append(_line(x1, y, x2, y, GRID))
    for tick in ticks:
        y = bottom - tick / top * plot_h + LABEL_SIZE * 0.35
        out.append(_text(x1 - 6, y, _fmt_number(tick), cls="tick", anchor="end", fill=MUTED))
    return out


def _x_grid(ticks: list[float], top: float, left: float, plot_w: float, y1: float, y2: float) -> list[str]:
    """Vertical gridlines with their values underneath (horizontal bar charts)."""
    out = []
    for tick in ticks:
        x = left + tick / top * plot_w
        if tick:
            out.append(_line(x, y1, x, y2, GRID))
        out.append(_text(x, y2 + 16, _fmt_number(tick), cls="tick", anchor="middle", fill=MUTED))
    return out


def _empty(title: str, width: int, height: int, unit: str, fingerprint: object) -> str:
    """The frame drawn when there is nothing above zero: the title and 「暂无数据」."""
    box_h = height - HEADER - PAD
    body = [
        f'<rect class="frame" x="{PAD}" y="{HEADER - 8}" width="{width - 2 * PAD}" height="{box_h + 8}"'
        f' fill="none" stroke="{GRID}" stroke-width="1"/>',
        _text(
            width / 2,
            HEADER - 8 + (box_h + 8) / 2 + 5,
            EMPTY_TEXT,
            cls="empty",
            anchor="middle",
            size=LABEL_SIZE + 2,
            fill=MUTED,
        ),
    ]
    return _document(title, width, height, unit, body, fingerprint)


def _document(title: str, width: int, height: int, unit: str, body: list[str], fingerprint: object) -> str:
    """The <svg> root with its accessible <title>, a white ground, the visible title and the body."""
    ident = _title_id(title, fingerprint)
    caption = f"单位：{unit}" if unit else ""
    room = width - 2 * PAD - (_text_width(caption) + 12 if caption else 0)
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}"'
        f' height="{height}" role="img" aria-labelledby="{ident}" font-family="{FONT_FAMILY}">',
        f'<title id="{ident}">{escape(title, quote=True)}</title>',
        f'<rect class="ground" width="{width}" height="{height}" fill="#ffffff"/>',
        _text(PAD, 24, _fit(title, room, TITLE_SIZE), cls="chart-title", size=TITLE_SIZE, weight="bold"),
    ]
    if caption:
        head.append(_text(width - PAD, 24, caption, cls="unit", anchor="end", fill=MUTED))
    return "\n".join([*head, *body, "</svg>"])
