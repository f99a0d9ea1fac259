"""The summary report: the HTML page and report.pdf (A4, CJK font embedded, text extractable)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.insight.support import known_activity

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (make system-deps)")


def test_report_page_holds_facts_figures_and_prose(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    html = console("staff").get(f"/admin/contests/{contest}/report").get_data(as_text=True)
    for expected in ("测试竞赛", "总结报告", "一、基本情况", "每轮 8 题，满分 50 分", "一等奖 1 名",
                     "共有 4 人登记参赛", "2 人完成答题", "完成率 50.0%", "抽奖尚未进行", "<svg"):
        assert expected in html, expected


@needs_poppler
def test_report_pdf_is_a4_with_embedded_cjk_font_and_the_figures(app, contest, clock, console, tmp_path):
    known_activity(app.test_client(), contest, clock)
    response = console("organizer").get(f"/admin/contests/{contest}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.get_data())
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("测试竞赛", "总结报告", "共有 4 人登记参赛", "包头市", "成绩分布", "常见误区"):
        assert expected in text, expected
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "WenQuanYi" in line]
    assert cjk and all(" yes " in line for line in cjk)  # embedded
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) == 2  # header lines only: the charts are vectors, not pictures


def test_report_for_a_scoped_account_says_so(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    html = console("organizer", region="包头市").get(f"/admin/contests/{contest}/report").get_data(as_text=True)
    assert "统计范围：包头市" in html and "共有 3 人登记参赛" in html
