"""Domain: the A4 poster PDF measured as printed: its words, the QR's size, type sizes, the filled page, the logo."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from quizapp.domain import poster_layout
from quizapp.domain.poster import (
    DATA_USE_TEXT,
    PosterSpec,
    contact_text,
    data_use_text,
    event_date_text,
    fact_rows,
    footer_lines,
    load_cjk_font,
    png_size,
    poster_pdf,
    steps_text,
)
from quizapp.domain.poster_text import DATA_USE_NO_PRIZES, DATA_USE_OWN
from tests.unit.test_qr_decoding import decode_image, decode_pdf, need, pdf_tool, render_pdf

URL = "https://yjj.nmg.example.cn/s/nmg-2026/school-01"
ORGANIZER = "内蒙古自治区药品监督管理局"
CONTACT = "咨询电话 0471-1234567（工作日 9:00–17:00）"
PAGE_H = A4[1]  # pt
DPI = 150
XHTML = "{http://www.w3.org/1999/xhtml}"


def logo_png(width: int = 300, height: int = 150, colour=(200, 20, 20)) -> bytes:
    """A solid-colour PNG: easy to find on the rendered page and to measure."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def full_spec(**overrides) -> PosterSpec:
    values = {"title": "2026年内蒙古自治区药品安全网络知识竞赛", "dates": "2026年11月15日 至 12月15日",
              "prizes": "奖项：一等奖 10 名、二等奖 30 名", "steps": steps_text(20, 10, 90, True), "url": URL,
              "channel_name": "五进·进农村·东村", "organizer": ORGANIZER, "contact": CONTACT,
              "event_date": event_date_text(date(2026, 11, 20)), "place": "东村村委会广场"}
    return PosterSpec(**{**values, **overrides})


def flat_text(data: bytes) -> str:
    return pdf_tool("pdftotext", data).replace("\n", "")


def lines(data: bytes) -> list[dict]:
    """Every text line pdftotext -bbox-layout finds: its text and box in pt from the top left."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(data)
        out = subprocess.run([need("pdftotext"), "-bbox-layout", str(source), "-"], check=True,
                             capture_output=True).stdout.decode("utf-8")
    found = []
    for line in ET.fromstring(out).iter(f"{XHTML}line"):
        words = [(word.text or "", float(word.get("yMax")) - float(word.get("yMin"))) for word in line.iter(f"{XHTML}word")]
        found.append({"text": "".join(text for text, _height in words), "words": words,
                      **{k: float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")}})
    return found


def reference_height(size: float) -> float:
    """The line height pdftotext reports for text set at `size` pt in the poster's font (the yardstick)."""
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4)
    pdf.setFont(load_cjk_font().name, size)
    pdf.drawString(100, 400, "在线答题参考")
    pdf.showPage()
    pdf.save()
    line = next(line for line in lines(buffer.getvalue()) if "参考" in line["text"])
    return line["yMax"] - line["yMin"]


def qr_width_cm(data: bytes) -> float:
    page = render_pdf(data, dpi=DPI)[0]
    code = decode_image(page)[0]
    return abs(code.position.top_right.x - code.position.top_left.x) / DPI * 2.54


# --- the words -------------------------------------------------------------------------------


def test_pdf_names_the_organizer_contact_event_data_use_and_steps():
    data = poster_pdf(full_spec())
    text = flat_text(data)
    for words in (ORGANIZER, CONTACT, "五进·进农村·东村", "2026年11月20日（星期五）", "东村村委会广场",
                  DATA_USE_TEXT, *steps_text(20, 10, 90, True), "一等奖 10 名", URL):
        assert words in text, words
    assert "主办单位：" + ORGANIZER in text


def test_without_an_organizer_the_line_is_left_out_and_the_footer_still_fills_the_bottom():
    data = poster_pdf(full_spec(organizer="", contact=""))
    text = flat_text(data)
    assert "主办单位" not in text and "咨询电话" not in text
    bottom = max(lines(data), key=lambda line: line["yMax"])
    assert bottom["text"] == "安全用药健康为民"  # the slogan takes the footer band
    assert bottom["yMin"] > PAGE_H * 0.9


def test_a_contact_alone_still_shows():
    text = flat_text(poster_pdf(full_spec(organizer="", contact="0471-1234567")))
    assert "联系方式：0471-1234567" in text and "主办单位" not in text


# --- sizes, measured on the rendered page ------------------------------------------------------


@pytest.mark.parametrize("overrides", [
    {},
    {"url": "http://10.0.0.5/s/a/b"},  # a small version-2 code: the quiet zone is the largest share
    {"url": URL + "-" + "x" * 60, "logo": logo_png()},
    {"title": "关于开展" + "2026年内蒙古自治区“安全用药月”药品安全网络知识竞赛活动" * 2, "logo": logo_png(100, 300)},
])
def test_the_qr_decodes_and_is_at_least_6_cm_wide(overrides):
    data = poster_pdf(full_spec(**overrides))
    assert re.search(r"Pages:\s+1\b", pdf_tool("pdfinfo", data))
    assert decode_pdf(data).text == overrides.get("url", URL)
    assert qr_width_cm(data) >= 6.0


def test_the_url_is_printed_under_the_qr_in_a_legible_size():
    data = poster_pdf(full_spec())
    page = render_pdf(data, dpi=DPI)[0]
    code_bottom = decode_image(page)[0].position.bottom_left.y / DPI * 72  # pt from the top
    url_line = next(line for line in lines(data) if line["text"] == URL)
    assert url_line["yMin"] > code_bottom
    assert url_line["yMax"] - url_line["yMin"] >= reference_height(14) - 0.01


def test_step_text_is_at_least_16_pt():
    assert poster_layout.STEP_SIZE >= 16
    data = poster_pdf(full_spec())
    starts = [step.replace(" ", "")[:6] for step in steps_text(20, 10, 90, True)]
    steps = [line for line in lines(data) if any(start in line["text"] for start in starts)]
    assert len(steps) == 3
    yardstick = reference_height(16)
    for line in steps:
        # Every word of the step's text (the disc's digit, set smaller, is a word of its own).
        text_words = [height for text, height in line["words"] if len(text) > 1]
        assert text_words and min(text_words) >= yardstick - 0.01, line
    # The yardstick itself can fail: 12 pt text measures less.
    assert reference_height(12) < yardstick


def test_content_reaches_into_the_bottom_third():
    data = poster_pdf(full_spec())
    third = PAGE_H * 2 / 3
    below = [line["text"] for line in lines(data) if line["yMin"] > third]
    assert URL in below and DATA_USE_TEXT[:10] in "".join(below) and f"主办单位：{ORGANIZER}" in below
    # And on the rendered page: the bottom third is well inked (QR, URL, footer band), not blank paper.
    grey = render_pdf(data, dpi=50)[0].convert("L")
    width, height = grey.size
    bottom = grey.crop((0, height * 2 // 3, width, height))
    dark = sum(1 for value in bottom.tobytes() if value < 200) / (bottom.width * bottom.height)
    assert dark > 0.25, dark


def test_no_two_text_lines_overlap_even_with_everything_long():
    spec = full_spec(title="关于开展" + "2026年内蒙古自治区药品安全网络知识竞赛" * 2, logo=logo_png(),
                     prizes="奖项：" + "、".join(f"第{n}等奖 {n * 10} 名" for n in range(1, 6)))
    found = lines(poster_pdf(spec))
    for index, first in enumerate(found):
        for second in found[index + 1:]:
            apart = (first["yMax"] <= second["yMin"] + 0.5 or second["yMax"] <= first["yMin"] + 0.5
                     or first["xMax"] <= second["xMin"] or second["xMax"] <= first["xMin"])
            assert apart, (first, second)


# --- the logo ----------------------------------------------------------------------------------


def image_count(data: bytes) -> int:
    listing = pdf_tool("pdfimages", data, "-list").splitlines()
    return len([row for row in listing[2:] if row.strip()])


def test_the_logo_is_drawn_only_when_set_with_its_aspect_ratio_kept():
    assert image_count(poster_pdf(full_spec())) == 0  # the QR is vector: no image without a logo
    data = poster_pdf(full_spec(logo=logo_png(300, 150)))
    assert image_count(data) == 1
    page = render_pdf(data, dpi=DPI)[0].convert("RGB")
    red = [(x, y) for y in range(0, page.height // 4) for x in range(0, page.width // 2)
           if (lambda p: p[0] > 150 and p[1] < 80 and p[2] < 80)(page.getpixel((x, y)))]
    xs, ys = [x for x, _y in red], [y for _x, y in red]
    width, height = max(xs) - min(xs) + 1, max(ys) - min(ys) + 1
    assert abs(width / height - 2.0) < 0.05, (width, height)
    assert max(ys) < page.height / 5  # in the top band


# --- wording helpers -------------------------------------------------------------------------


def test_wording_helpers():
    assert event_date_text(date(2026, 11, 20)) == "2026年11月20日（星期五）"
    assert event_date_text(date(2026, 11, 22)) == "2026年11月22日（星期日）"
    assert event_date_text(None) == ""
    assert contact_text("咨询电话 0471-1234567") == "咨询电话 0471-1234567"
    assert contact_text(" 0471-1234567 ") == "联系方式：0471-1234567"
    assert data_use_text(True, False) == DATA_USE_TEXT and "奖品" in DATA_USE_TEXT
    assert "奖品" not in data_use_text(False, False) == DATA_USE_NO_PRIZES
    assert data_use_text(True, True) == DATA_USE_OWN
    assert png_size(logo_png(37, 11)) == (37, 11)
    with pytest.raises(ValueError):
        png_size(b"GIF89a" + b"\0" * 30)


def test_fact_rows_and_footer_lines():
    assert fact_rows(full_spec()) == (("活动时间", "2026年11月15日 至 12月15日"), ("本场活动", "五进·进农村·东村"),
                                      ("活动现场", "2026年11月20日（星期五）　东村村委会广场"),
                                      ("奖项", "一等奖 10 名、二等奖 30 名"))
    bare = full_spec(channel_name="", event_date="", place="", prizes="答题学习安全用药知识")
    assert fact_rows(bare) == (("活动时间", "2026年11月15日 至 12月15日"), ("", "答题学习安全用药知识"))
    assert fact_rows(full_spec(event_date=""))[2] == ("活动现场", "东村村委会广场")
    assert footer_lines(full_spec()) == (f"主办单位：{ORGANIZER}", CONTACT)
    assert footer_lines(full_spec(organizer=" ", contact="")) == ()
