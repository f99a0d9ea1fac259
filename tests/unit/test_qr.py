"""Domain: QR codes (PNG, one-path SVG), the channel list parser, and the PDF poster decoded for real."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from PIL import Image

from quizapp.domain import poster as poster_mod
from quizapp.domain.errors import ValidationError
from quizapp.domain.poster import (
    PosterSpec,
    date_range_text,
    fit_line,
    index_pdf,
    load_cjk_font,
    poster_pdf,
    prize_text,
    steps_text,
    wrap,
)
from quizapp.domain.qr import (
    ChannelListError,
    QrOptions,
    index_csv,
    parse_channel_csv,
    qr_matrix,
    qr_png,
    qr_svg,
)
from tests.unit.test_qr_decoding import (
    decode_image,
    decode_pdf,
    decode_png,
    pdf_tool,
    rasterize_svg,
    render_pdf,
)

URL = "http://127.0.0.1:8000/s/nmg-2026/school-01"
TITLE = "2026年内蒙古自治区药品安全网络知识竞赛"


def spec(**overrides) -> PosterSpec:
    values = {"title": TITLE, "dates": "2026年11月15日 至 12月15日", "prizes": "奖项：一等奖 10 名、二等奖 30 名",
              "steps": steps_text(20, 10, 90, True), "url": URL, "channel_name": "五进·进校园·第一中学"}
    return PosterSpec(**{**values, **overrides})


# --- codes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("ec", ["M", "Q"])
def test_png_decodes_to_the_url_at_the_asked_error_correction(ec):
    code = decode_png(qr_png(URL, QrOptions(ec=ec)))
    assert code.text == URL
    assert code.ec_level == ec


def test_box_size_and_border_set_the_png_size():
    modules = len(qr_matrix(URL))
    image = Image.open(io.BytesIO(qr_png(URL, QrOptions(box_size=6, border=2))))
    assert image.size == ((modules + 4) * 6,) * 2
    assert decode_png(qr_png(URL, QrOptions(box_size=3, border=4))).text == URL


def test_q_needs_more_modules_than_m_for_a_long_url():
    long_url = URL + "/" + "x" * 40
    assert len(qr_matrix(long_url, "Q")) > len(qr_matrix(long_url, "M"))


@pytest.mark.parametrize("kwargs", [{"ec": "L"}, {"ec": "H"}, {"box_size": 0}, {"box_size": 101}, {"border": -1},
                                    {"border": 21}])
def test_bad_options_are_refused(kwargs):
    with pytest.raises(ValidationError):
        QrOptions(**kwargs)


def test_svg_is_one_path_and_decodes():
    svg = qr_svg(URL, QrOptions(border=4)).decode("utf-8")
    assert svg.count("<path") == 1
    assert "<rect" not in svg
    assert 'style="' not in svg  # the poster page's CSP allows no inline style
    assert decode_image(rasterize_svg(svg))[0].text == URL


def test_svg_quiet_zone_follows_border():
    modules = len(qr_matrix(URL))
    svg = qr_svg(URL, QrOptions(border=1)).decode()
    assert f'viewBox="0 0 {modules + 2} {modules + 2}"' in svg


# --- channel lists ---------------------------------------------------------------------------


def test_channel_csv_in_utf8_with_header_and_blank_lines():
    rows = parse_channel_csv("code,name\nschool-01,第一中学\n\nhosp_2,\"人民医院, 东院\"\n".encode())
    assert [(r.line, r.code, r.name) for r in rows] == [(2, "school-01", "第一中学"), (4, "hosp_2", "人民医院, 东院")]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "gb18030"])
def test_channel_csv_from_excel_encodings(encoding):
    rows = parse_channel_csv("渠道代码,渠道名称\r\nvillage-1,五进·进农村·东村\r\n".encode(encoding))
    assert [(r.code, r.name) for r in rows] == [("village-1", "五进·进农村·东村")]


def test_channel_csv_reports_every_bad_line_with_its_number():
    data = "school-01,第一中学\nbad code,坏代码\nschool-01,重复\nno-name\nx,y,z\n" + "a" * 33 + ",太长\n"
    with pytest.raises(ChannelListError) as caught:
        parse_channel_csv(data.encode())
    errors = caught.value.errors
    assert [re.match(r"第 (\d+) 行", e).group(1) for e in errors] == ["2", "3", "4", "5", "6"]
    assert "与第 1 行重复" in errors[1]
    assert "缺少渠道名称" in errors[2]
    assert "5 处错误" in caught.value.message


@pytest.mark.parametrize("data", [b"", b"code,name\n", b"\n\n", b"\x00\xff\xfe\x00binary"])
def test_empty_or_unreadable_channel_lists_are_refused(data):
    with pytest.raises(ChannelListError):
        parse_channel_csv(data)


def test_index_csv_has_a_bom_and_every_row():
    text = index_csv([("school-01", "第一中学", URL)]).decode("utf-8")
    assert text.startswith("\ufeff渠道代码,渠道名称,短网址")
    assert f"school-01,第一中学,{URL}" in text


# --- wording ---------------------------------------------------------------------------------


def test_wording_helpers():
    assert date_range_text(datetime(2026, 11, 15), datetime(2026, 12, 15)) == "2026年11月15日 至 12月15日"
    assert date_range_text(datetime(2026, 12, 20), datetime(2027, 1, 5)) == "2026年12月20日 至 2027年1月5日"
    assert prize_text([{"name": "一等奖", "count": 10}, {"name": "二等奖", "count": 30}]) == "奖项：一等奖 10 名、二等奖 30 名"
    assert "抽奖" not in prize_text([])
    assert steps_text(20, 10, 90.0, True)[2] == "在线答题 20 道，限时 10 分钟，达到 90 分即可参加抽奖"
    assert "抽奖" not in steps_text(20, 10, 90, False)[2]


def test_wrap_and_fit_keep_lines_inside_the_width():
    font = load_cjk_font().name
    lines = wrap(TITLE * 3, font, 20, 300)
    assert "".join(lines) == TITLE * 3
    assert all(poster_mod.pdfmetrics.stringWidth(line, font, 20) <= 300 for line in lines)
    size, line = fit_line("很长" * 100, font, (15, 11), 200)
    assert size == 11 and line.endswith("…")


# --- PDF poster ------------------------------------------------------------------------------


def test_poster_is_one_a4_page_with_the_title_and_a_code_that_decodes():
    data = poster_pdf(spec())
    info = pdf_tool("pdfinfo", data)
    assert re.search(r"Pages:\s+1\b", info)
    assert "595.276 x 841.89 pts (A4)" in info
    text = pdf_tool("pdftotext", data)
    for words in (TITLE, "安全用药 健康为民", "活动时间", "一等奖 10 名", "参与方式", URL, "五进·进校园·第一中学"):
        assert words in text.replace("\n", ""), words
    assert decode_pdf(data).text == URL


def test_poster_qr_is_at_least_6_cm_wide():
    page = render_pdf(poster_pdf(spec()), dpi=150)[0]
    code = decode_image(page)[0]
    xs = [code.position.top_left.x, code.position.top_right.x]
    width_cm = abs(xs[1] - xs[0]) / 150 * 2.54
    assert width_cm >= 6.0, width_cm


def test_poster_embeds_a_system_cjk_font():
    font = load_cjk_font()
    assert font.path is not None, "no CJK TrueType font found: run `make system-deps` (fonts-wqy-zenhei)"
    fonts = pdf_tool("pdffonts", poster_pdf(spec(), font))
    assert re.search(r"TrueType.*\byes\s+yes\s+yes\b", fonts), fonts  # embedded, subset, with a ToUnicode map


def test_fallback_to_the_builtin_cid_font_when_no_font_is_found(monkeypatch):
    monkeypatch.setattr(poster_mod, "FONT_CANDIDATES", ("/nonexistent/font.ttc",))
    font = load_cjk_font()
    assert font == poster_mod.PosterFont(name="STSong-Light", path=None)
    data = poster_pdf(spec(), font)
    assert "STSong-Light" in pdf_tool("pdffonts", data)
    assert decode_pdf(data).text == URL


def test_a_font_reportlab_cannot_read_is_skipped(tmp_path):
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font")
    assert load_cjk_font((str(bogus),)).name == "STSong-Light"


def test_a_long_title_and_url_still_fit():
    data = poster_pdf(spec(title="关于开展" + TITLE * 3, url=URL + "-" + "x" * 60, channel_name=""))
    text = pdf_tool("pdftotext", data).replace("\n", "")
    assert "关于开展" in text
    assert "渠道：" not in text
    assert decode_pdf(data).text == URL + "-" + "x" * 60


def test_index_pdf_lists_every_channel_over_several_pages():
    rows = [(f"c-{n:03d}", f"五进·进社区·第{n}社区", f"{URL[:-10]}c-{n:03d}") for n in range(120)]
    data = index_pdf(TITLE, rows)
    assert int(re.search(r"Pages:\s+(\d+)", pdf_tool("pdfinfo", data)).group(1)) >= 2
    text = pdf_tool("pdftotext", data)
    assert "c-000" in text and "c-119" in text and "第119社区" in text
