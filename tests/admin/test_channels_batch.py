"""批量生成海报 in the console: the preview of a GBK list (nothing written), bad rows named by number and
never confirmable, the confirmed zip (one PDF per channel, index.csv, index.pdf) and its audit row."""

from __future__ import annotations

import base64
import io
import re
import zipfile

import pytest

from quizapp.services import channels as channel_service
from tests.admin.test_channels_console import (  # noqa: F401  (school: a fixture the tests use)
    BASE,
    attachment_name,
    audit_rows,
    channel_rows,
    hidden,
    school,
    upload,
)
from tests.unit.test_qr_decoding import decode_pdf

# --- batch -----------------------------------------------------------------------------------


GBK_LIST = "渠道代码,渠道名称\r\nschool-01,五进·进校园·第一中学\r\nvillage-1,五进·进农村·东村\r\nhosp-2,人民医院\r\n"


@pytest.mark.usefixtures("school")
def test_batch_preview_of_a_gbk_list_writes_nothing(console):
    client = console("organizer")
    with client.application.app_context():
        channel_service.add_channel("demo", "hosp-2", "人民医院", client.application.config["CLOCK"]())
    before = channel_rows(client.application)
    response = upload(client, f"{BASE}/batch", GBK_LIST.encode("gbk"), name="渠道.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "预览：渠道.csv" in html
    rows = re.findall(r'data-label="行号">(\d+)</td>\s*<th scope="row" data-label="渠道代码"><code>([^<]+)</code></th>\s*'
                      r'<td data-label="渠道名称">([^<]+)</td>\s*<td data-label="结果"><span class="v">.*?'
                      r'class="tag[^"]*">([^<]+)<', html, re.S)
    assert rows == [("2", "school-01", "五进·进校园·第一中学", "改名"), ("3", "village-1", "五进·进农村·东村", "新建"),
                    ("4", "hosp-2", "人民医院", "不变")]
    assert "原名：第一中学" in html and "确认生成 3 张海报" in html
    assert channel_rows(client.application) == before  # a preview creates and renames nothing
    assert base64.b64decode(hidden(html, "content")) == GBK_LIST.encode("gbk")  # re-posted byte for byte
    assert hidden(html, "expected") == "1,1"


@pytest.mark.usefixtures("school")
def test_batch_with_bad_rows_names_each_row_and_offers_no_confirmation(console):
    client = console("organizer")
    data = "school-01,第一中学\nbad code,坏代码\nschool-01,重复\nno-name\n".encode()
    response = upload(client, f"{BASE}/batch", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "3 处错误" in html
    for line in ("第 2 行：渠道代码“bad code”", "第 3 行：渠道代码“school-01”与第 1 行重复", "第 4 行：缺少渠道名称"):
        assert line in html, line
    assert 'class="bad"' in html and "确认生成" not in html and "batch/confirm" not in html
    forged = client.post(f"{BASE}/batch/confirm", data={"content": base64.b64encode(data).decode()})
    assert forged.status_code == 422 and "确认生成" not in forged.get_data(as_text=True)
    assert channel_rows(client.application) == [("school-01", "第一中学", None, "", "")]
    assert audit_rows(client.application, "poster_batch") == []


@pytest.mark.parametrize("data,reason", [(b"", "请选择渠道列表文件"), (b"code,name\n", "没有任何渠道"),
                                         (b"a,b\n" * 400_000, "最多 1 MB")])
def test_empty_or_oversized_lists_are_refused(console, contest, data, reason):
    response = upload(console("organizer"), f"{BASE}/batch", data)
    assert response.status_code == 422 and reason in response.get_data(as_text=True)


@pytest.mark.usefixtures("school")
def test_confirm_sends_the_zip_of_posters_and_index_and_audits_it(app, console):
    app.config["PUBLIC_BASE_URL"] = "https://yjj.example.gov.cn"
    client = console("organizer", username="org-batch")
    html = upload(client, f"{BASE}/batch", GBK_LIST.encode("gbk")).get_data(as_text=True)
    response = client.post(f"{BASE}/batch/confirm", data={
        "content": hidden(html, "content"), "filename": hidden(html, "filename"), "expected": hidden(html, "expected")})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert attachment_name(response) == "demo-海报-3张.zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == ["hosp-2.pdf", "index.csv", "index.pdf", "school-01.pdf", "village-1.pdf"]
    assert decode_pdf(archive.read("village-1.pdf")).text == "https://yjj.example.gov.cn/s/demo/village-1"
    index = archive.read("index.csv").decode("utf-8-sig")
    assert "village-1,五进·进农村·东村,https://yjj.example.gov.cn/s/demo/village-1" in index
    assert archive.read("index.pdf").startswith(b"%PDF")
    names = {row[0]: row[1] for row in channel_rows(app)}
    assert names == {"hosp-2": "人民医院", "school-01": "五进·进校园·第一中学", "village-1": "五进·进农村·东村"}
    (row,) = audit_rows(app, "poster_batch")
    assert (row.actor, row.rows, row.detail) == ("org-batch", 3, {"count": 3, "created": 2, "updated": 1})


@pytest.mark.usefixtures("school")
def test_confirm_refuses_a_list_that_changed_since_its_preview(console):
    client = console("organizer")
    html = upload(client, f"{BASE}/batch", "new-1,新渠道\n".encode()).get_data(as_text=True)
    client.post(f"{BASE}/new", data={"code": "new-1", "name": "别人先建了"})
    response = client.post(f"{BASE}/batch/confirm", data={"content": hidden(html, "content"),
                                                          "expected": hidden(html, "expected")})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "预览之后渠道有了变化" in page and "原名：别人先建了" in page
    assert dict((r[0], r[1]) for r in channel_rows(client.application))["new-1"] == "别人先建了"


@pytest.mark.usefixtures("school")
def test_confirm_without_content_is_refused(console):
    response = console("organizer").post(f"{BASE}/batch/confirm", data={"content": "not base64!"})
    assert response.status_code == 400 and "请重新上传" in response.get_data(as_text=True)
