"""The organizer's import in a real (headless) Chromium at 1366×768: a bad sheet, its error sheet, the fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from quizapp.models import utcnow
from quizapp.services.users import create_user
from tests.admin.banks_support import good_rows, xlsx_bytes
from tests.browser.support import browser_page, require_chromium, serving
from tests.conftest import make_app

pytestmark = pytest.mark.browser
PASSWORD = "console-pass-123"


@pytest.fixture
def console_server(database_targets):
    """The app on a free local port, CSRF on, real clock, with one organizer account."""
    require_chromium()
    app = make_app(database_targets["sqlite"], utcnow, WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_user("organizer-zhao", PASSWORD, "organizer", actor="test", now=utcnow())
    with serving(app) as base:
        yield base


@pytest.fixture
def desk_page():
    """A 1366×768 desktop page; console errors are collected."""
    with browser_page(viewport={"width": 1366, "height": 768}, accept_downloads=True) as page:
        yield page


def upload(page, path: Path) -> None:
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url(re.compile(r"/admin/banks/import/[0-9a-f]{32}$"))


def test_bad_sheet_error_sheet_fix_and_confirm(console_server, desk_page, tmp_path):
    page = desk_page
    page.goto(f"{console_server}/admin/banks/import")
    assert "/admin/login" in page.url
    page.fill("#username", "organizer-zhao")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()  # from the redirect, so the way back is kept
    page.wait_for_url(re.compile(r"/admin/banks/import$"))

    rows = good_rows(4, prefix="浏览器题")
    rows[1][6] = "Z"     # row 3: an answer that is not an option
    rows[3][1] = None    # row 5: no stem
    bad = tmp_path / "安全用药.xlsx"
    bad.write_bytes(xlsx_bytes(rows))
    upload(page, bad)
    errors = page.locator(".import-errors li").all_inner_texts()
    assert errors == ["第 3 行 答案: 'Z' 不在选项中", "第 5 行 题干: 题干为空"]
    assert page.get_by_role("button", name=re.compile("确认导入")).count() == 0

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("下载错误表")).click()
    sheet_path = tmp_path / "errors.xlsx"
    info.value.save_as(sheet_path)
    sheet = load_workbook(sheet_path).active
    header = [cell.value for cell in sheet[1]]
    assert header[-1] == "错误"
    assert sheet.cell(3, len(header)).value == "答案: 'Z' 不在选项中"
    assert sheet.cell(5, len(header)).value == "题干: 题干为空" and sheet.cell(2, len(header)).value is None

    rows[1][6], rows[3][1] = "C", "浏览器题 补写的题干"
    fixed = tmp_path / "安全用药.xlsx"
    fixed.write_bytes(xlsx_bytes(rows))
    upload(page, fixed)
    assert page.locator(".import-errors li").count() == 0
    button = page.get_by_role("button", name=re.compile("确认导入"))
    assert button.inner_text() == "确认导入 4 题到题库 安全用药"
    button.click()
    page.wait_for_url(re.compile(r"/admin/banks$"))
    assert "已导入" in page.locator(".flash-success").inner_text()
    row = page.locator("#bank-安全用药")
    assert row.count() == 1 and "4" in row.locator("td.num").first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert page.errors == []
