"""渠道与海报 in a real (headless) Chromium, CSRF on: a channel made without a name, a batch refused for its
bad lines and then confirmed into a zip at 1366×768; the channel cards at 360 px and at 200 % zoom
(683 CSS px) without sideways scrolling."""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from quizapp.models import utcnow
from quizapp.services.banks import import_bank_bytes
from quizapp.services.contests import load_contest
from quizapp.services.users import create_user
from tests.browser.support import browser_page, console_sign_in, require_chromium, serving
from tests.conftest import contest_definition, make_app, sample_bank

pytestmark = pytest.mark.browser
PASSWORD = "console-pass-123"
CHANNELS = "/admin/contests/demo/channels"


@pytest.fixture
def console_server(database_targets):
    """The app on a free local port (CSRF on, real clock), a contest open for a year, one organizer."""
    require_chromium()
    app = make_app(database_targets["sqlite"], utcnow, WTF_CSRF_ENABLED=True,
                   PUBLIC_BASE_URL="https://yjj.example.gov.cn")
    with app.app_context():
        create_user("organizer-qian", PASSWORD, "organizer", actor="test", now=utcnow())
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(ends_at="2099-12-15T23:59:59+08:00"), utcnow())
    with serving(app) as base:
        yield base


def real_errors(page) -> list[str]:
    """Console errors other than the 422 the browser logs for a refused form (expected here)."""
    return [error for error in page.errors if "422" not in error]


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_channel_without_a_name_and_a_batch_from_refusal_to_zip(console_server, tmp_path):
    with browser_page(viewport={"width": 1366, "height": 768}, accept_downloads=True) as page:
        console_sign_in(page, console_server, "organizer-qian", PASSWORD)
        page.get_by_role("link", name="渠道与海报").first.click()
        page.get_by_role("link", name="测试竞赛").click()
        page.get_by_role("link", name="新建渠道").click()
        page.fill("#code", "hhht-1120")
        page.fill("#event_date", "2026-11-20")
        page.fill("#place", "青城公园")
        page.get_by_role("button", name="新建渠道").click()
        page.wait_for_url(re.compile(rf"{CHANNELS}#channel-hhht-1120$"))
        row = page.locator("#channel-hhht-1120")
        assert "11月20日 青城公园" in row.inner_text() and "负责人" not in row.inner_text()

        page.get_by_role("link", name="批量生成海报").click()
        bad = tmp_path / "渠道.csv"
        bad.write_bytes("渠道代码,渠道名称\r\nschool-01,第一中学\r\nbad code,坏\r\n".encode("gbk"))
        page.set_input_files("#file", str(bad))
        page.get_by_role("button", name="上传并预览").click()
        assert page.locator(".import-errors li").all_inner_texts() == [
            "第 3 行：渠道代码“bad code”只能包含字母、数字、下划线和连字符，1–32 个字符"]
        assert page.get_by_role("button", name=re.compile("确认生成")).count() == 0

        good = tmp_path / "渠道.csv"
        good.write_bytes("渠道代码,渠道名称\r\nschool-01,第一中学\r\nhhht-1120,青城公园启动仪式\r\n".encode("gbk"))
        page.set_input_files("#file", str(good))
        page.get_by_role("button", name="上传并预览").click()
        assert "原名：11月20日 青城公园" in page.locator(".batch-lines").inner_text()
        with page.expect_download() as info:
            page.get_by_role("button", name="确认生成 2 张海报（下载 zip）").click()
        assert info.value.suggested_filename == "demo-海报-2张.zip"
        archive = zipfile.ZipFile(info.value.path())
        assert sorted(archive.namelist()) == ["hhht-1120.pdf", "index.csv", "index.pdf", "school-01.pdf"]
        assert real_errors(page) == []


@pytest.mark.parametrize("viewport,scale", [({"width": 360, "height": 740}, 1), ({"width": 683, "height": 384}, 2)])
def test_channel_cards_fit_a_phone_and_200_percent_zoom(console_server, viewport, scale):
    with browser_page(viewport=viewport, device_scale_factor=scale) as page:
        console_sign_in(page, console_server, "organizer-qian", PASSWORD)
        page.goto(f"{console_server}{CHANNELS}/new")
        page.fill("#code", "school-01")
        page.fill("#name", "五进·进校园·呼和浩特市第一中学（东校区）")
        page.get_by_role("button", name="新建渠道").click()
        page.wait_for_url(re.compile(rf"{CHANNELS}#channel-school-01$"))
        assert no_sideways_scroll(page)
        # One card per channel: the table header is hidden and each cell shows its own label.
        assert not page.locator("table.channels thead").is_visible() or page.locator(
            "table.channels thead").bounding_box()["width"] <= 1
        label = page.evaluate("getComputedStyle(document.querySelector('#channel-school-01 td.num'), '::before').content")
        assert label == '"扫码"'
        for path in ("/admin/channels", f"{CHANNELS}/school-01/edit", f"{CHANNELS}/batch"):
            page.goto(f"{console_server}{path}")
            assert no_sideways_scroll(page), path
        assert real_errors(page) == []
